"""待办 of the roster module: grants of content-reading roles waiting for a committee member's confirmation."""

from django.urls import reverse

from common.todos import Todo, register


@register
def role_grants_to_confirm(user):
    from orgs.grant_services import pending_for

    for grant in pending_for(user):
        yield Todo(
            module="orgs",
            title=f"确认角色授予:{grant.user.display_name()} {grant.get_role_display()} @ {grant.org.name}",
            url=reverse("role_grants"),
            detail=f"{grant.requested_by.display_name()} 申请",
            urgent=True,
        )


@register(live=True)  # shown for a number of days from the moment of the reset
def password_resets_to_know(user):
    from django.utils import timezone

    from orgs.grant_services import recent_resets_for

    for target in recent_resets_for(user):
        by = target.password_reset_by.display_name() if target.password_reset_by_id else "系统管理员"
        at = timezone.localtime(target.password_reset_at).strftime("%m-%d %H:%M")
        yield Todo(
            module="orgs",
            title=f"知悉:{target.display_name()} 的密码已由 {by} 于 {at} 重置",
            url=reverse("lockouts"),
            detail="可查看帮教/谈心/民情内容的账号;如非本人要求,请立即核实",
        )
