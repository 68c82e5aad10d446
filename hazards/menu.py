"""Menu entries, 待办 and the home tile of responsibility 1 (安全生产标准化)."""
from datetime import datetime, time

from django.utils import timezone

from common.menu import MenuEntry, register
from common.modules import Action, Figure, register_action, register_tile
from common.todos import Todo
from common.todos import register as register_todo
from hazards import services
from hazards.models import Hazard, HazardStatus, OPEN_STATUSES
from orgs import scope

register(MenuEntry("隐患", "hazard_list", "shield-check", order=15, tab=True))
# anyone with a person record reports hazards (a worker at the face as much as the secretary)
register_action(Action("登记隐患", "hazard_new", "shield-plus", order=10, visible=lambda u: bool(u.person_id)))


@register_todo
def hazards_waiting(user):
    for hazard, what in services.waiting_for(user):
        yield Todo(module="hazards", title=f"隐患{what}:{hazard.location.name} {hazard.grade.name}级", url=f"/hazards/{hazard.pk}/", deadline=hazard.deadline, urgent=hazard.overdue)


@register_tile(1)
def hazard_figures(user):
    """Open, overdue, and this month's on-time closing rate: separate counts that each use an index (no per-row date
    functions over the whole table)."""
    if not scope.can(user, "hazards"):
        return []
    today = timezone.localdate()
    month_start = timezone.make_aware(datetime.combine(today.replace(day=1), time.min))
    visible = Hazard.objects.visible_to(user)
    open_count = visible.filter(status__in=OPEN_STATUSES).count()
    overdue = visible.filter(status__in=(HazardStatus.RECTIFYING, HazardStatus.EXTENSION), deadline__lt=today).count()
    closed = list(visible.filter(status=HazardStatus.CLOSED, closed_at__gte=month_start).values_list("closed_at", "deadline"))
    on_time = sum(1 for closed_at, deadline in closed if deadline is None or timezone.localdate(closed_at) <= deadline)
    rate = round(on_time * 100 / len(closed)) if closed else 100
    return [
        Figure("未销号隐患", open_count, url="/hazards/?status=rectifying"),
        Figure("超期", overdue, url="/hazards/?overdue=1", warn=bool(overdue)),
        Figure("本月按期销号率", f"{rate}%", url="/hazards/?status=closed", warn=rate < 90),
    ]
