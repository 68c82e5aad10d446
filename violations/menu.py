"""Menu entry, 待办 and the home figures of 三违 (responsibility 2)."""

from django.utils import timezone

from common.menu import MenuEntry, register
from common.modules import Action, Figure, Notice, register_action, register_notice, register_tile
from common.todos import Todo
from common.todos import register as register_todo
from orgs import scope
from violations import services
from violations.models import HelpStep, Violation, ViolationStatus

register(MenuEntry("三违", "violation_list", "exclamation-octagon", order=16))
register_action(
    Action(
        "登记三违",
        "violation_new",
        "exclamation-octagon",
        order=20,
        visible=lambda u: scope.can(u, "violations_record"),
    )
)


@register_todo
def violations_waiting(user):
    for v, what in services.waiting_for(user):
        yield Todo(
            module="violations", title=f"三违{what}:{v.person.name} {v.occurred_on:%m-%d}", url=f"/violations/{v.pk}/"
        )


@register_tile(2)
def violation_figures(user):
    """This month's violations and the records whose 帮教 is not finished, in the user's scope (two counts)."""
    if not scope.can(user, "violations"):
        if not user.person_id:
            return []
        # a worker's own record this year (SPEC §7.3: "my records")
        mine = (
            Violation.objects.filter(person_id=user.person_id, occurred_on__year=timezone.localdate().year)
            .effective()
            .count()
        )
        return [Figure("我的三违(今年)", mine, url="/violations/", warn=bool(mine))]
    month_start = timezone.localdate().replace(day=1)
    visible = Violation.objects.visible_to(user).effective()
    this_month = visible.filter(occurred_on__gte=month_start).count()
    open_help = visible.filter(
        status=ViolationStatus.RECORDED, pk__in=HelpStep.objects.filter(done_on__isnull=True).values("violation_id")
    ).count()
    return [
        Figure("本月三违", this_month, url=f"/violations/?from={month_start:%Y-%m-%d}", warn=bool(this_month)),
        Figure("帮教未完成", open_help, url="/violations/?help_open=1", warn=bool(open_help)),
    ]


@register_notice
def violations_about_me(user, since):
    """A 三违 recorded against the user: they are told at once, with the last day to appeal while they still can."""
    today = timezone.localdate()
    mine_rules = {}
    for v in (
        Violation.objects.filter(person_id=user.person_id, created_at__gte=since)
        .select_related("mine")
        .order_by("-created_at")[:5]
    ):
        rules = mine_rules.setdefault(v.mine_id, services.rules_of(v.mine))
        deadline = services.appeal_deadline(v, rules)
        text = f"您有一条三违记录:{v.occurred_on:%m-%d} {v.description[:20]}"
        if v.status == ViolationStatus.RECORDED and deadline and deadline >= today:
            text += f"(如有异议,{deadline:%m-%d} 前可申诉)"
        yield Notice(text=text, url=f"/violations/{v.pk}/", at=v.created_at, warn=True)
