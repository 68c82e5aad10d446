from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "care"
    verbose_name = "薄弱人物排查与谈心谈话"

    def ready(self):
        from auditlog.registry import auditlog

        from care import menu, models  # noqa: F401  (menu entries, 待办, home tile)

        for model in (
            models.Criterion,
            models.CareSettings,
            models.Screening,
            models.Finding,
            models.Entry,
            models.Measure,
            models.HelpRecord,
            models.Evaluation,
            models.Talk,
            models.FollowUp,
            models.SuggestionDecision,
        ):
            # contents are sensitive (SPEC §7.2): the audit log keeps who changed what and when, not the text
            auditlog.register(
                model,
                mask_fields=[
                    f.name
                    for f in model._meta.fields
                    if f.get_internal_type() == "TextField"
                    or f.name in ("note", "reason", "facts", "content", "text", "closed_note")
                ],
                mask_callable="orgs.services.mask_all",
                exclude_fields=["version", "token"],
            )
