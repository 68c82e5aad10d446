"""Menu entries and 待办 of the scorecard and the 二十字 evaluation."""

from common.menu import MenuEntry, register
from common.modules import register_card
from common.todos import Todo
from common.todos import register as register_todo
from orgs import scope

register(
    MenuEntry("履职评价", "scorecard_index", "bar-chart-line", order=70, visible=lambda u: scope.can(u, "scorecard"))
)
register(MenuEntry("好干部测评", "evaluation_index", "person-check", order=72, visible=lambda u: u.is_authenticated))


@register_todo
def votes_waiting(user):
    from scorecard import evaluation

    for r in evaluation.open_rounds_for(user):
        yield Todo(
            module="scorecard", title=f"匿名测评:{r.title}", url=f"/scorecard/evaluation/{r.pk}/", deadline=r.closes_on
        )


@register_card
def latest_score_card(user, request=None):
    """A secretary's (支委's) latest result: the total and the rank, a tap from the figures behind it. Reads nothing
    for anybody else (their roles are already read for the menu)."""
    if not any(role in ("secretary", "branch_committee") for role, _ in scope.assignments_of(user)):
        return None
    from scorecard import services

    rows = services.own_rows(user)
    return ("scorecard/_home_card.html", {"rows": rows}) if rows else None
