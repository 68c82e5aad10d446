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
