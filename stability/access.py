"""Who reads factor and petition contents (SPEC §7.2), on top of ``orgs.scope``.

Need-to-know, like the care file: the branch secretary and the mine's party committee over their subtree, and
nobody else — not an administrator, not a superuser by that flag alone (so this asks ``scope.subtree_paths``, which
has no superuser shortcut). A person accused in a 检举控告 never reads that petition, whatever their roles: for them
it does not exist (404).
"""

from django.db.models import Q

from orgs import scope
from orgs.models import OrgNode

NOTHING = Q(pk__in=[])


def _active(user):
    return user is not None and user.is_authenticated and user.is_active


def paths(user, capability):
    return scope.subtree_paths(user, capability) if _active(user) else []


def can(user, capability, node=None):
    """``scope.can`` without the superuser shortcut."""
    found = paths(user, capability)
    if node is None:
        return bool(found)
    return any(node.path.startswith(p) for p in found)


def node_ids(user, capability):
    """Ids of the org nodes in the user's subtrees of ``capability``, read once per request (a branch has a few
    dozen, a mine a few hundred: an IN list is cheaper to build and to run than a subquery per read)."""
    found = paths(user, capability)
    if not found:
        return []

    def read():
        q = Q(pk__in=[])
        for p in found:
            q |= Q(path__startswith=p)
        return list(OrgNode.objects.filter(q).order_by().values_list("pk", flat=True))

    return scope.memo(user, f"stability_nodes:{capability}", read)


def nodes_q(user, capability, field):
    """Rows whose org node (``field``, a foreign key) lies in the user's subtrees of ``capability``."""
    ids = node_ids(user, capability)
    return Q(**{f"{field}__in": ids}) if ids else NOTHING


def mines_of_paths(paths):
    """The mines above or below any of ``paths`` (a user's subtrees): the mines whose records and settings apply."""
    if not paths:
        return OrgNode.objects.none()
    step = OrgNode.steplen
    q = Q(path__in={p[: i * step] for p in paths for i in range(1, len(p) // step + 1)})
    for p in paths:
        q |= Q(path__startswith=p)
    return OrgNode.objects.filter(q, kind="mine").order_by("path")


def content_q(user, model, capability="stability_read"):
    q = nodes_q(user, capability, "org")
    if q is NOTHING:
        return q
    if model._meta.model_name == "petition" and user.person_id:
        q &= ~Q(klass="accusation", accused=user.person_id)
    return q


def is_accused(user, petition):
    return bool(
        user.person_id and petition.klass == "accusation" and petition.accused.filter(pk=user.person_id).exists()
    )
