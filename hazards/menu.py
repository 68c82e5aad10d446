"""Menu entries, 待办 and the home tile of responsibility 1 (安全生产标准化)."""

from datetime import datetime, time

from django.db.models import Count, F, Q
from django.utils import timezone

from common.menu import MenuEntry, register
from common.modules import Action, Figure, Notice, register_action, register_notice, register_tile
from common.todos import Todo
from common.todos import register as register_todo
from hazards import services
from hazards.models import OPEN_STATUSES, Hazard, HazardStatus
from orgs import scope

register(MenuEntry("隐患", "hazard_list", "shield-check", order=15, tab=True))
# anyone with a person record reports hazards (a worker at the face as much as the secretary)
register_action(Action("登记隐患", "hazard_new", "shield-plus", order=10, visible=lambda u: bool(u.person_id)))


HOME_LIMIT = 10  # of each kind; past that one line leads to the filtered list


@register_todo
def hazards_waiting(user):
    shown = {}
    for hazard, what in services.waiting_for(user, limit=HOME_LIMIT + 1):
        shown[what] = shown.get(what, 0) + 1
        if shown[what] > HOME_LIMIT:
            yield Todo(
                module="hazards", title=f"更多隐患待{what} →", url=f"/hazards/?status={services.WAITING_STATUS[what]}"
            )
            continue
        yield Todo(
            module="hazards",
            title=f"隐患{what}:{hazard.location.name} {hazard.grade.name}级",
            url=f"/hazards/{hazard.pk}/",
            deadline=hazard.deadline,
            urgent=hazard.overdue,
        )


@register_tile(1)
def hazard_figures(user):
    """Open, overdue, and this month's on-time closing rate: separate counts that each use an index (no per-row date
    functions over the whole table)."""
    if not scope.can(user, "hazards"):
        return []
    today = timezone.localdate()
    month_start = timezone.make_aware(datetime.combine(today.replace(day=1), time.min))
    visible = Hazard.objects.visible_to(user)
    # the open hazards (partial indexes), counted once with the overdue among them
    counts = visible.filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(status__in=(HazardStatus.RECTIFYING, HazardStatus.EXTENSION), deadline__lt=today)),
    )
    open_count, overdue = counts["open"], counts["overdue"]
    closed = visible.filter(status=HazardStatus.CLOSED, closed_at__gte=month_start).aggregate(
        n=Count("pk"), on_time=Count("pk", filter=Q(deadline__isnull=True) | Q(closed_at__date__lte=F("deadline")))
    )
    rate = round(closed["on_time"] * 100 / closed["n"]) if closed["n"] else 100
    return [
        Figure("未销号隐患", open_count, url="/hazards/?status=rectifying"),
        Figure("超期", overdue, url="/hazards/?overdue=1", warn=bool(overdue)),
        Figure("本月按期销号率", f"{rate}%", url="/hazards/?status=closed", warn=rate < 90),
    ]


@register_notice
def my_hazards_closed(user, since):
    """The finder of a hazard hears that it was closed (销号): what they reported was dealt with."""
    closed = Hazard.objects.filter(found_by_id=user.person_id, status=HazardStatus.CLOSED, closed_at__gte=since)
    for h in closed.order_by("-closed_at")[:5]:
        yield Notice(text=f"您发现的隐患已销号:{h.description[:24]}", url=f"/hazards/{h.pk}/", at=h.closed_at)
