from django.apps import AppConfig


class StabilityConfig(AppConfig):
    name = "stability"
    verbose_name = "矿区和谐维稳"

    def ready(self):
        from auditlog.registry import auditlog

        from stability import exports, menu, models  # noqa: F401  (the ledger, menu entries, 待办, home tile)

        sensitive = {"description", "matter", "result", "judgement", "text", "petitioner_names", "extension_reason"}
        for model in (
            models.StabilitySettings,
            models.Factor,
            models.FactorMeasure,
            models.Assessment,
            models.FollowUp,
            models.Petition,
            models.EmergencyPlan,
            models.RevisionTrigger,
            models.Drill,
            models.Temperature,
            models.Campaign,
        ):
            # contents are sensitive (SPEC §7.2): the audit log keeps who changed what and when, not the text
            auditlog.register(
                model,
                mask_fields=[f.name for f in model._meta.fields if f.name in sensitive],
                mask_callable="orgs.services.mask_all",
                exclude_fields=["version", "token"],
            )
