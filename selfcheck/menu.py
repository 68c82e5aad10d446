"""Menu entry and 待办 of the 六个反问 self-inspection."""

from django.utils import timezone

from common.menu import MenuEntry, register
from common.todos import Todo
from common.todos import register as register_todo
from orgs import scope

register(
    MenuEntry("六个反问", "selfcheck_index", "patch-question", order=68, visible=lambda u: scope.can(u, "selfcheck"))
)


@register_todo
def selfcheck_todos(user):
    from selfcheck import services

    for period, branch in services.to_fill(user):
        yield Todo(module="selfcheck", title=f"六个反问自查:{period.name}", url=f"/selfcheck/{period.pk}/{branch.pk}/",
                   deadline=period.due)  # fmt: skip
    for m in services.open_measures(user):
        yield Todo(module="selfcheck", title=f"整改措施:{m.goal}", url=f"/selfcheck/measures/?branch={m.inspection.branch_id}",
                   deadline=m.due, urgent=m.met_on(timezone.localdate()) is False)  # fmt: skip
    for i in services.waiting_review(user):
        yield Todo(
            module="selfcheck",
            title=f"审阅自查:{i.branch.name} {i.period.name}",
            url=f"/selfcheck/{i.period_id}/{i.branch_id}/",
        )
