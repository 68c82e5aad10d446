from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "职工安全培训"

    def ready(self):
        from auditlog.registry import auditlog

        from training import menu, models  # noqa: F401  (menu entries, 待办 providers, home tiles)

        auditlog.register(models.KnowledgePoint)
        auditlog.register(models.Question, exclude_fields=["created_at"])
