"""Menu entries, 待办 and the home tile of responsibility 6 (矿区和谐维稳)."""

from common.menu import MenuEntry, register
from common.modules import Figure, register_tile
from common.todos import Todo
from common.todos import register as register_todo
from stability import access


def sees_contents(user):
    return access.can(user, "stability_read")


def sees_plans(user):
    from orgs import scope

    return scope.can(user, "stability_plans_read")


def sees_health(user):
    from stability import services

    return bool(access.paths(user, "stability_health")) and bool(services.teams_for(user))


def sees_stability(user):
    return sees_contents(user) or sees_plans(user) or sees_health(user)


# the secretary and the party committee open the whole module; who keeps plans or enters temperatures only, their page
register(MenuEntry("和谐维稳", "stability_home", "house-heart", order=60, visible=sees_contents))
register(
    MenuEntry("体温检测", "stability_health", "thermometer-half", order=61,
              visible=lambda u: not sees_contents(u) and sees_health(u))
)  # fmt: skip
register(
    MenuEntry("应急预案", "stability_plans", "clipboard-pulse", order=62,
              visible=lambda u: not sees_contents(u) and sees_plans(u))
)  # fmt: skip


@register_todo
def stability_waiting(user):
    from stability import services

    for factor, due in services.follow_ups_waiting(user):
        yield Todo(
            module="stability",
            title=f"重大不稳定因素,书记亲自跟踪:{factor.title}",
            url=factor.get_absolute_url(),
            deadline=due,
            urgent=True,
        )
    if sees_contents(user):
        for petition, colour, due in services.open_petitions(user):
            if colour in ("near", "overdue") and due and access.can(user, "stability_manage", petition.org):
                yield Todo(
                    module="stability",
                    title=f"信访{due[0]}:{petition.received_on:%m-%d} 收到的{petition.get_klass_display()}",
                    url=petition.get_absolute_url(),
                    deadline=due[1],
                    urgent=colour == "overdue",
                )
    for plan, title, due in services.plans_waiting(user):
        yield Todo(
            module="stability", title=title, url=plan.get_absolute_url() if plan else "/stability/plans/", deadline=due
        )
    for t in services.fevers_waiting(user):
        yield Todo(
            module="stability",
            title=f"体温异常跟进:{t.person.name} {t.value}℃",
            url=f"/stability/health/fevers/#t{t.pk}",
            deadline=t.date,
            urgent=True,
        )


@register_tile(6)
def stability_figures(user):
    if not sees_contents(user):
        return []
    from django.db.models import Count
    from django.utils import timezone

    from stability import services
    from stability.models import FactorStatus, Severity

    # 重大 is the derived major (marked 重大, or as many people as the mine's setting); the rest by their severity
    rows = services.factors_for(user).filter(status=FactorStatus.CONTROL).values("major", "severity")
    by_severity = {}
    for row in rows.annotate(n=Count("pk")).order_by():
        key = Severity.MAJOR if row["major"] else row["severity"]
        by_severity[key] = by_severity.get(key, 0) + row["n"]
    counts = services.petition_counts(user)
    year = timezone.localdate().year
    share = services.local_share(
        list(
            services.Petition.objects.visible_to(user).filter(answered_on__year=year).exclude(level="").values("level")
        )
    )
    return [
        Figure(
            "在控因素 重大/较大/一般",
            "/".join(str(by_severity.get(s, 0)) for s in (Severity.MAJOR, Severity.SERIOUS, Severity.GENERAL)),
            url="/stability/factors/?status=control",
            warn=bool(by_severity.get(Severity.MAJOR)),
        ),
        Figure(
            "信访 临期/超期",
            f"{counts.get('near', 0)}/{counts.get('overdue', 0)}",
            url="/stability/petitions/?colour=overdue"
            if counts.get("overdue")
            else "/stability/petitions/?colour=near",
            warn=bool(counts.get("overdue")),
        ),
        Figure(
            "今年小事不出区",
            "—" if share is None else f"{share}%",
            url="/stability/petitions/local/",
            warn=share is not None and share < 100,
        ),
    ]
