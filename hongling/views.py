"""The role-aware home page and the phone's "more" menu (here in the project package: it gathers every module's
tiles, cards and 待办, and the roster summary of orgs; common stays below orgs)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from common.modules import actions_for, cards_for, tiles_for
from common.todos import todos_for
from orgs import scope
from orgs.services import roster_summary


@login_required
def home(request):
    user = request.user
    context = {
        "cards": cards_for(user, request),
        "actions": actions_for(user),
        "tiles": tiles_for(user),
        "todos": todos_for(user),
        "roles": sorted(scope.roles_of(user)),
        "summary": roster_summary(user) if scope.can(user, "roster") else None,
        "me": user.person,
    }
    return render(request, "common/home.html", context)


@login_required
def menu(request):
    return render(request, "common/menu.html")
