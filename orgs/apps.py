from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "组织与人员"

    def ready(self):
        from auditlog.registry import auditlog

        from orgs import menu, models, roster_excel, todos  # noqa: F401  (menu entries, 待办 providers, the importer)

        auditlog.register(models.OrgNode, exclude_fields=["numchild"])
        auditlog.register(
            models.Person,
            exclude_fields=["name_initials", "updated_at"],
            mask_fields=list(models.SENSITIVE_FIELDS),
            mask_callable="orgs.services.mask_all",
        )
        auditlog.register(models.Transfer)
        auditlog.register(models.JobType)
        auditlog.register(models.RoleAssignment)
        auditlog.register(models.PendingRoleGrant)
        auditlog.register(
            models.User, include_fields=["username", "is_active", "must_change_password", "person", "first_name"]
        )
