from django.apps import AppConfig


class FrontlineConfig(AppConfig):
    name = "frontline"
    verbose_name = "红领一线工作法(民情日记、急难险重、专项工作)"
