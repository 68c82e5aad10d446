from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "职工安全培训"

    def ready(self):
        from auditlog.registry import auditlog

        from training import bank_excel, menu, models  # noqa: F401  (importer, menu entries, 待办, home tiles)

        auditlog.register(models.KnowledgePoint)
        auditlog.register(models.Question, exclude_fields=["created_at"])
