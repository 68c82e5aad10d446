from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = "地点与班次"

    def ready(self):
        from auditlog.registry import auditlog

        from places import models

        auditlog.register(models.Location)
