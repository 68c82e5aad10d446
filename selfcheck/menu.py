"""Menu entry and 待办 of the 六个反问 self-inspection."""

from common.menu import MenuEntry, register
from orgs import scope

register(
    MenuEntry("六个反问", "selfcheck_index", "patch-question", order=68, visible=lambda u: scope.can(u, "selfcheck"))
)
