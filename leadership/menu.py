"""Menu entry, 待办 and the home tile of responsibility 5 (基层班子建设)."""

from django.utils import timezone

from common.menu import MenuEntry, register
from common.modules import Figure, register_tile
from common.todos import Todo
from common.todos import register as register_todo
from orgs import scope


def _sees(user):
    from leadership import services

    return (
        scope.can(user, "leadership")
        or bool(services.reader_paths(user))
        or services.open_decisions_of(user).exists()
        or services.my_rectifications(user).exists()
        or services.my_self_assessments(user).exists()
    )


register(MenuEntry("班子建设", "leadership_home", "diagram-3", order=45, visible=_sees))


@register_todo
def leadership_waiting(user):
    from leadership import services
    from leadership.models import Decision, MeetingKind, Rectification

    for d in services.open_decisions_of(user)[:20]:
        yield Todo(
            module="leadership",
            title=f"会议决议:{d.text[:30]}",
            url=f"/leadership/decisions/{d.pk}/",
            deadline=d.deadline,
            detail=d.get_mode_display(),
        )
    for r in services.my_rectifications(user)[:20]:
        yield Todo(
            module="leadership",
            title=f"整改事项:{r.problem[:30]}",
            url=f"/leadership/rectifications/{r.pk}/",
            deadline=r.deadline,
        )
    for row in services.my_self_assessments(user).select_related("appraisal")[:5]:
        yield Todo(
            module="leadership",
            title=f"民主评议:请填写{row.appraisal.year}年度个人自评",
            url=f"/leadership/appraisals/{row.appraisal_id}/",
        )
    if not scope.can(user, "leadership_manage"):
        return
    today = timezone.localdate()
    own = user.person_id
    for d in Decision.objects.visible_to(user).overdue(today).exclude(owner_id=own).select_related("owner")[:10]:
        yield Todo(
            module="leadership",
            title=f"决议超期(督办):{d.text[:24]} · {d.owner.name}",
            url=f"/leadership/decisions/{d.pk}/",
            deadline=d.deadline,
            urgent=True,
        )
    waiting = (
        Rectification.objects.visible_to(user)
        .filter(checked_on=None, done_on__isnull=False)
        .exclude(owner_id=own)
        .select_related("owner")[:10]
    )
    for r in waiting:
        yield Todo(
            module="leadership",
            title=f"整改验收:{r.problem[:24]} · {r.owner.name}",
            url=f"/leadership/rectifications/{r.pk}/",
            deadline=r.deadline,
        )
    # the secretary's own branch: meetings not yet held in their period
    if "secretary" in scope.roles_of(user):
        for branch in services.branches(user, "leadership_manage")[:3]:
            for kind, label, end in services.meetings_due(branch, today):
                if kind == MeetingKind.THEME_DAY:
                    label = f"主题党日(每月{services.rules.setting('theme_day')}日)"
                yield Todo(
                    module="leadership",
                    title=f"{branch.name}:本期尚未召开{label}",
                    url="/leadership/meetings/new/",
                    deadline=end,
                )


@register_todo
def notices_waiting(user):
    from django.db.models import Count

    from leadership import services

    late = (
        services.late_receipts(user)
        .values("notice_id", "notice__title", "notice__sent_on")
        .annotate(n=Count("pk"))
        .order_by("notice__sent_on")[:20]
    )
    for row in late:
        yield Todo(
            module="leadership",
            title=f"通知《{row['notice__title']}》:{row['n']} 个单位超过 {services.rules.setting('notice_unread_days')} 天未读",
            url=f"/leadership/notices/{row['notice_id']}/",
            urgent=True,
        )
    for report in services.reports_waiting(user).select_related("org")[:20]:
        yield Todo(
            module="leadership",
            title=f"答复情况报告:{report.org.name}《{report.title}》",
            url=f"/leadership/reports/{report.pk}/",
        )


@register_tile(5)
def leadership_figures(user):
    from leadership import services

    if not scope.can(user, "leadership"):
        return []
    f = services.overview(user)
    figures = [
        Figure(
            "本季度有效会议",
            f"{f['meetings_valid']}/{f['meetings_held']}",
            url="/leadership/meetings/",
            warn=f["meetings_valid"] < f["meetings_held"],
        ),
        Figure(
            "决议超期",
            f["decisions_overdue"],
            url="/leadership/decisions/?overdue=1",
            warn=bool(f["decisions_overdue"]),
        ),
        Figure(
            "整改事项 未销号/超期",
            f"{f['rect_open']}/{f['rect_overdue']}",
            url="/leadership/rectifications/",
            warn=bool(f["rect_overdue"]),
        ),
    ]
    if scope.can(user, "leadership_notice"):
        figures.append(Figure("通知未读单位", f["unread"], url="/leadership/notices/", warn=bool(f["unread"])))
    return figures
