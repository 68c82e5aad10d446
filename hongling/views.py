"""The role-aware home page and the phone's "more" menu (here in the project package: it gathers every module's
tiles, cards and 待办, and the roster summary of orgs; common stays below orgs)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from common import homecache
from common.modules import actions_for, cards_for, notices_for, tiles_for
from common.todos import todos_for
from orgs import scope
from orgs.services import roster_summary


@login_required
def home(request):
    user = request.user
    todos = todos_for(user)
    context = {
        "cards": cards_for(user, request),
        "notices": notices_for(user),
        "overdue": sum(1 for t in todos if t.overdue),
        "actions": actions_for(user),
        "tiles": tiles_for(user),
        "todos": todos,
        "roles": sorted(scope.roles_of(user)),
        "summary": homecache.cached("summary", user, lambda: roster_summary(user))
        if scope.can(user, "roster")
        else None,
        "me": homecache.cached("me", user, lambda: _me(user)),
    }
    return render(request, "common/home.html", context)


def _me(user):
    """The user's own line (工号, 工种, 班组) read at once with what it shows."""
    from orgs.models import Person

    if not user.person_id:
        return None
    return Person.objects.select_related("job_type", "org").filter(pk=user.person_id).first()


@login_required
def menu(request):
    return render(request, "common/menu.html")


def favicon(request):
    """Browsers ask for /favicon.ico on every page; the icon is a static file."""
    from django.templatetags.static import static

    return redirect(static("img/favicon.svg"), permanent=True)
