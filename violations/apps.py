from django.apps import AppConfig


class ViolationsConfig(AppConfig):
    name = "violations"
    verbose_name = "三违与帮教"

    def ready(self):
        from auditlog.registry import auditlog

        from violations import excel, menu, models  # noqa: F401  (importer, menu entry, 待办, home figures)

        auditlog.register(models.Violation, exclude_fields=["version", "token"])
        auditlog.register(models.HelpStep)
        auditlog.register(models.Severity)
        auditlog.register(models.ViolationRules)
