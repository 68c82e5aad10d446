from django.apps import AppConfig


class SelfcheckConfig(AppConfig):
    name = "selfcheck"
    verbose_name = "六个反问自查"

    def ready(self):
        from auditlog.registry import auditlog

        from selfcheck import menu, models  # noqa: F401  (menu entries, 待办)

        for model in (models.Period, models.Inspection, models.Answer, models.Measure):
            auditlog.register(model, exclude_fields=["version"])
