"""Menu entries of the administration pages (accounts, audit)."""

from common.menu import MenuEntry, register
from orgs import scope

register(
    MenuEntry("账号", "accounts_admin", "person-gear", order=80, visible=lambda u: scope.can(u, "manage_accounts"))
)
register(MenuEntry("审计", "audit_log", "journal-text", order=81, visible=lambda u: scope.can(u, "audit")))
register(
    MenuEntry(
        "登录锁定",
        "lockouts",
        "shield-lock",
        order=82,
        visible=lambda u: scope.can(u, "manage_accounts") or scope.can(u, "sensitive"),
    )
)
register(
    MenuEntry(
        "角色授予确认",
        "role_grants",
        "person-check",
        order=83,
        visible=lambda u: _confirms_grants(u),
    )
)


def _confirms_grants(user):
    from orgs import grant_services

    return grant_services.is_committee_member(user)
