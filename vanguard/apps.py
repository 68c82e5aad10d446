from django.apps import AppConfig


class VanguardConfig(AppConfig):
    name = "vanguard"
    verbose_name = "党员先锋(包保、责任区、无违章、示范岗)"

    def ready(self):
        from auditlog.registry import auditlog

        from vanguard import menu, models  # noqa: F401  (menu entries, 待办, home figures)

        auditlog.register(models.Assignment, m2m_fields={"workers", "locations"})
        auditlog.register(models.ModelPost)
        auditlog.register(models.Assessment, exclude_fields=["version"])
