from django.apps import AppConfig


class LeadershipConfig(AppConfig):
    name = "leadership"
    verbose_name = "基层班子建设"

    def ready(self):
        from auditlog.registry import auditlog

        from leadership import exports, menu, models  # noqa: F401  (the ledger, menu entries, 待办, home tile)

        for model in (
            models.Team,
            models.TeamMember,
            models.Duty,
            models.Meeting,
            models.AgendaItem,
            models.Attendance,
            models.Decision,
            models.LifeMeeting,
            models.Opinion,
            models.Rectification,
            models.Appraisal,
            models.Notice,
            models.NoticeReceipt,
            models.Report,
        ):
            auditlog.register(model, exclude_fields=["token"])
        # criticism contents are sensitive (SPEC §7.2): the log keeps who changed what and when, not the text
        auditlog.register(models.Criticism, mask_fields=["text"], mask_callable="orgs.services.mask_all")
        auditlog.register(
            models.AppraisalRow, mask_fields=["self_summary", "mutual_notes"], mask_callable="orgs.services.mask_all"
        )
