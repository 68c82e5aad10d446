from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "公共"

    def ready(self):
        # every Image.open in the process (uploads, PDF books) refuses a decompression bomb past the upload limit
        from common.uploads import _configure_pillow

        _configure_pillow()
