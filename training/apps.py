from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "职工安全培训"

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models.signals import post_save

        from orgs.models import JobType
        from training import bank_excel, menu, models  # noqa: F401  (importer, menu entries, 待办, home tiles)

        post_save.connect(_place_new_job, sender=JobType, dispatch_uid="training_place_new_job")
        auditlog.register(models.JobGroup)
        auditlog.register(models.KnowledgePoint)
        auditlog.register(models.Question, exclude_fields=["created_at"])
        # the records people act on (docs/kernel.md, the audit trail); their compare-and-set updates write their
        # entry through common.audit. A worker's answers (the paper's, the lesson checks') are left out, as the
        # day's question answers are: written all day, and the score / passed / times say what happened.
        auditlog.register(models.Lesson)
        auditlog.register(models.LessonCompletion, exclude_fields=["answers"])
        auditlog.register(models.ExamBlueprint)
        auditlog.register(models.ExamPaper, exclude_fields=["items", "answers", "results"])
        auditlog.register(models.QaQuestion)
        auditlog.register(models.QaAnswer)


def _place_new_job(sender, instance, created, raw=False, **kwargs):
    """A new 工种 of the default catalogue goes into its default 工种组 at once (training/targeting.py)."""
    if created and not raw:
        from training.targeting import place_new_job

        place_new_job(instance)
