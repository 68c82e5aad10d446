"""Menu entries, 待办 and the figures on the home tile of responsibility 2 (安全宣传教育: 红领一线工作法)."""

from common.menu import MenuEntry, register
from common.modules import Action, Figure, register_action, register_tile
from common.todos import Todo
from common.todos import register as register_todo
from frontline import services
from orgs import scope

register(MenuEntry("民情日记", "frontline_diary", "journal-bookmark", order=30, visible=services.can_read_diary))
register(MenuEntry("急难险重", "frontline_urgent", "lightning", order=31, visible=lambda u: scope.can(u, "frontline")))
register(MenuEntry("专项工作", "frontline_campaigns", "send", order=32, visible=lambda u: scope.can(u, "frontline")))
register_action(Action("记民情日记", "frontline_diary_new", "journal-plus", order=30, visible=services.can_write_diary))


@register_todo
def diary_requests(user):
    for r in services.diary_waiting(user):
        # no contents in the title: a 待办 list is not a place where diary contents are read
        yield Todo(
            module="frontline",
            title=f"民情诉求{r.get_status_display()}:{r.entry.date:%m-%d} {r.entry.place}",
            url=f"/frontline/diary/{r.entry_id}/#request-{r.pk}",
            deadline=r.due,
            urgent=r.overdue,
        )


@register_todo
def campaign_tasks(user):
    for task, what in services.tasks_waiting(user):
        title = f"专项工作{what}:{task.campaign.title}" + (f"({task.branch.name})" if what == "审核" else "")
        yield Todo(
            module="frontline",
            title=title,
            url=f"/frontline/tasks/{task.pk}/",
            deadline=task.campaign.deadline if what != "审核" else None,
            urgent=what != "审核" and task.overdue,
        )


@register_tile(2)
def frontline_figures(user):
    figures = services.home_figures(user)
    out = []
    if "requests_open" in figures:
        out.append(Figure("民情诉求未办结", figures["requests_open"], url="/frontline/diary/?open=1"))
    if "tasks_due" in figures:
        out.append(Figure("专项工作待上报", figures["tasks_due"], url="/frontline/tasks/?todo=1"))
        out.append(
            Figure(
                "专项工作超期",
                figures["tasks_overdue"],
                url="/frontline/tasks/?overdue=1",
                warn=bool(figures["tasks_overdue"]),
            )
        )
    if "tasks_review" in figures:
        out.append(Figure("专项工作待审核", figures["tasks_review"], url="/frontline/tasks/?status=reported"))
        out.append(
            Figure(
                "支部超期未报",
                figures["branches_overdue"],
                url="/frontline/tasks/?overdue=1",
                warn=bool(figures["branches_overdue"]),
            )
        )
    return out
