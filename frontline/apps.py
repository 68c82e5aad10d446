from django.apps import AppConfig


class FrontlineConfig(AppConfig):
    name = "frontline"
    verbose_name = "红领一线工作法(民情日记、急难险重、专项工作)"

    def ready(self):
        from auditlog.registry import auditlog

        from frontline import exports, menu, models  # noqa: F401  (ledger, menu entries, 待办, home tile)

        # diary contents stay out of the audit log's diff (SPEC §7.2: sensitive); the log still says who changed what when
        auditlog.register(
            models.DiaryEntry,
            mask_fields=["learned", "action", "place"],
            mask_callable="orgs.services.mask_all",
            exclude_fields=["version", "token"],
        )
        auditlog.register(
            models.DiaryRequest,
            mask_fields=["problem", "handling", "result", "feedback"],
            mask_callable="orgs.services.mask_all",
            exclude_fields=["version"],
        )
        auditlog.register(models.UrgentTask, exclude_fields=["token"])
        auditlog.register(models.Campaign, exclude_fields=["token"])
        auditlog.register(models.CampaignTask, exclude_fields=["version"])
