"""Menu entries, 待办 and the home figures of party members leading on safety (responsibility 2)."""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from common.menu import MenuEntry, register
from common.modules import Figure, register_tile
from common.todos import Todo
from common.todos import register as register_todo
from orgs import scope
from vanguard import services

register(
    MenuEntry("党员无违章", "vanguard_overview", "person-check", order=17, visible=lambda u: scope.can(u, "vanguard"))
)
register(
    MenuEntry(
        "我的包保",
        "vanguard_me",
        "person-heart",
        order=18,
        visible=lambda u: bool(u.person_id) and not scope.can(u, "vanguard"),
    )
)


@register_todo
def my_self_assessment(user):
    """The holder of a 示范岗 is reminded each month to assess themselves (till the month's last day)."""
    if not user.person_id:
        return
    from calendar import monthrange

    from vanguard.models import Assessment, ModelPost

    today = timezone.localdate()
    month = today.replace(day=1)
    done = Assessment.objects.filter(post=OuterRef("pk"), month=month)
    posts = ModelPost.objects.filter(holder_id=user.person_id, active=True).exclude(Exists(done))
    for post in posts[:5]:
        yield Todo(
            module="vanguard",
            title=f"示范岗月度自评:{post.name}({today.month}月)",
            url=f"/vanguard/posts/{post.pk}/",
            deadline=today.replace(day=monthrange(today.year, today.month)[1]),
            detail="对照承诺,写下本月做到了什么",
        )


@register_todo
def ratings_waiting(user):
    for a in services.waiting_ratings(user)[:50]:
        yield Todo(
            module="vanguard",
            title=f"示范岗评定:{a.post.holder.name} {a.month:%Y年%-m月}",
            url=f"/vanguard/posts/{a.post_id}/",
        )


@register_tile(2)
def vanguard_figures(user):
    """This month's 无违章 rate of the members in scope (five queries whatever the number of members)."""
    if not scope.can(user, "vanguard"):
        # a party member: their own month (a worker without 包保 gets nothing here)
        own = services.compliance_rows(user, timezone.localdate()) if user.person_id else []
        if not own or not own[0][1].assigned:
            return []
        row = own[0][1]
        return [
            Figure(
                "我身边本月无违章", "达标" if row.compliant else "未达标", url="/vanguard/me/", warn=not row.compliant
            )
        ]
    _ok, _assigned, rate = services.compliance_rate(user, timezone.localdate())  # one query, whatever the mine
    return [
        Figure(
            "党员身边无违章达标",
            f"{rate}%" if rate is not None else "—",
            url="/vanguard/",
            warn=rate is not None and rate < 100,
        )
    ]
