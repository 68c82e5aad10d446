"""Who reads and who sets a scorecard (SPEC §3 through ``orgs.scope``): schemes and runs belong to a mine, their rows
to a branch. A secretary reads their branch's rows of their mine's runs; the committee its mine; the group all."""

from django.db.models import Q

from orgs import scope
from orgs.models import OrgKind, OrgNode

scope.register_capability("scorecard", {"admin", "committee", "secretary", "branch_committee"})
scope.register_capability("scorecard_manage", {"committee"})


def mine_ids(user, capability="scorecard"):
    """Mines where the user holds ``capability`` over the mine, something above it, or something inside it."""

    def compute():
        if not (user.is_authenticated and user.is_active):
            return []
        mines = OrgNode.objects.filter(kind=OrgKind.MINE).values_list("pk", "path")
        if user.is_superuser:
            return [pk for pk, _ in mines]
        paths = scope.subtree_paths(user, capability)
        if not paths:
            return []
        return [pk for pk, path in mines if any(path.startswith(p) or p.startswith(path) for p in paths)]

    return scope.memo(user, f"scorecard.mines.{capability}", compute)


def mine_q(user, capability="scorecard", field="mine"):
    return Q(**{f"{field}_id__in": mine_ids(user, capability)})


def branch_q(user, field="branch"):
    return scope.filter_for(user, "scorecard", path_field=f"{field}__path", self_field=None)


def manages(user, mine):
    return scope.can(user, "scorecard_manage", mine)


def branches_of(mine):
    return list(OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.BRANCH).order_by("path"))


scope.register_capability("selfcheck", {"admin", "committee", "secretary", "branch_committee"})
