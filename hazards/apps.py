from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "hazards"
    verbose_name = "隐患排查治理"

    def ready(self):
        from auditlog.registry import auditlog

        from hazards import excel, menu, models  # noqa: F401  (importer, menu entries, 待办, home tile)

        auditlog.register(models.Hazard, exclude_fields=["version", "token"])
        auditlog.register(models.Category)
        auditlog.register(models.Grade)
