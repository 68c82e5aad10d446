"""Menu entries, 待办 and the home tile of responsibility 1 (安全生产标准化)."""
from django.db.models import Count, Q
from django.utils import timezone

from common.menu import MenuEntry, register
from common.modules import Figure, register_tile
from common.todos import Todo
from common.todos import register as register_todo
from hazards import services
from hazards.models import Hazard, HazardStatus, OPEN_STATUSES
from orgs import scope

register(MenuEntry("隐患", "hazard_list", "shield-check", order=15, tab=True))


@register_todo
def hazards_waiting(user):
    for hazard, what in services.waiting_for(user):
        yield Todo(module="hazards", title=f"隐患{what}:{hazard.location.name} {hazard.grade.name}级", url=f"/hazards/{hazard.pk}/", deadline=hazard.deadline, urgent=hazard.overdue)


@register_tile(1)
def hazard_figures(user):
    if not scope.can(user, "hazards"):
        return []
    today = timezone.localdate()
    month_start = today.replace(day=1)
    stats = Hazard.objects.visible_to(user).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=(HazardStatus.RECTIFYING, HazardStatus.EXTENSION), deadline__lt=today)),
        closed=Count("pk", filter=Q(status=HazardStatus.CLOSED, closed_at__date__gte=month_start)),
        on_time=Count("pk", filter=Q(status=HazardStatus.CLOSED, closed_at__date__gte=month_start) & (Q(deadline__isnull=True) | Q(closed_at__date__lte=models_deadline()))),
    )
    rate = round(stats["on_time"] * 100 / stats["closed"]) if stats["closed"] else 100
    return [
        Figure("未销号隐患", stats["open"], url="/hazards/?status=rectifying"),
        Figure("超期", stats["overdue"], url="/hazards/?overdue=1", warn=bool(stats["overdue"])),
        Figure("本月按期销号率", f"{rate}%", url="/hazards/?status=closed", warn=rate < 90),
    ]


def models_deadline():
    from django.db.models import F

    return F("deadline")
