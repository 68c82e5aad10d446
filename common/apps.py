from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "公共"

    def ready(self):
        # every Image.open in the process (uploads, PDF books) refuses a decompression bomb past the upload limit
        from common.uploads import _configure_pillow

        _configure_pillow()

        # every committed write raises the generation of the home page's cached parts (common/homecache.py)
        from django.db import connections
        from django.db.backends.signals import connection_created

        from common import homecache

        connection_created.connect(homecache.install, dispatch_uid="hongling-home-cache")
        for connection in connections.all(initialized_only=True):
            homecache.install(connection)
