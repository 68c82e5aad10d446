"""Menu entries, 待办 and the home tile of responsibility 4 (薄弱人物排查 / 谈心谈话)."""

from care import access
from common.menu import MenuEntry, register
from common.modules import Action, Figure, register_action, register_tile
from common.todos import Todo
from common.todos import register as register_todo


def _can_record_talk(user):
    from care import services

    return services.can_record_talk(user)


def _in_a_mine(user):
    from care import services

    # a person's record always belongs to a mine: no query for them
    return bool(user.person_id) or services.mine_of(user) is not None


def _sees_care(user):
    """The care pages work inside one mine: a group-level user has none to show."""
    return _in_a_mine(user) and (
        access.can(user, "care_read")
        or access.can(user, "care_talk")
        or bool(user.is_authenticated and user.person_id and access.helped_person_ids(user).exists())
    )


register(MenuEntry("薄弱人物", "care_home", "people", order=40, visible=_sees_care))
register_action(Action("记录谈心谈话", "care_talk_new", "chat-heart", order=40, visible=lambda u: _can_record_talk(u)))


@register_todo
def my_people_to_help(user):
    """A 帮教人 sees each person they help, with the next evaluation (an overdue one comes from care_waiting)."""
    from care import services

    for entry in services.helped_by(user):
        if entry.overdue:
            continue
        yield Todo(
            module="care",
            title=f"帮教:{entry.person.name}({entry.tier}级)",
            url=f"/care/register/{entry.pk}/",
            deadline=entry.due,
            detail="经常谈心、了解困难,到期前和支部一起评估",
        )


@register_todo
def care_waiting(user):
    from care import services

    for entry in services.overdue_for(user):
        who = "帮教" if user.person_id and entry.helper_id == user.person_id else "督促"
        yield Todo(
            module="care",
            title=f"薄弱人物评估({who}):{entry.person.name} {entry.tier}级",
            url=f"/care/register/{entry.pk}/",
            deadline=entry.due,
            urgent=True,
        )
    for follow in services.open_follow_ups(user):
        yield Todo(
            module="care",
            title=f"谈心谈话跟进:{follow.text}",
            url=f"/care/talks/{follow.talk_id}/",
            deadline=follow.due,
        )
    if access.can(user, "care_manage"):
        from django.utils import timezone

        mine = services.mine_of(user)
        if mine is not None:
            from care.coverage import figures

            pct, missing = figures(user, mine)
            if missing:
                today = timezone.localdate()
                yield Todo(
                    module="care",
                    title=f"谈心谈话:今年还有 {missing} 人未谈(覆盖率 {pct}%)",
                    url="/care/coverage/",
                    deadline=today.replace(month=12, day=31),
                )


@register_tile(4)
def care_figures(user):
    if not access.can(user, "care_read"):
        return []
    from django.db.models import Count

    from care import services
    from care.coverage import figures
    from care.models import Entry, EntryStatus

    mine = services.mine_of(user)
    if mine is None:
        return []
    tiers = dict(
        Entry.objects.filter(access.org_q(user, "person__org__path"), status=EntryStatus.ACTIVE)
        .values("tier")
        .annotate(n=Count("pk"))
        .values_list("tier", "n")
    )
    pct, missing = figures(user, mine)
    return [
        Figure(
            "薄弱人物 A/B/C",
            f"{tiers.get('A', 0)}/{tiers.get('B', 0)}/{tiers.get('C', 0)}",
            url="/care/register/",
            warn=bool(tiers.get("A")),
        ),
        Figure("谈心谈话覆盖率", f"{pct}%", url="/care/coverage/", warn=pct < 100 and missing > 0),
    ]
