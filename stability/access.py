"""Who reads factor and petition contents (SPEC §7.2), on top of ``orgs.scope``.

Need-to-know, like the care file: the branch secretary and the mine's party committee over their subtree, and
nobody else — not an administrator, not a superuser by that flag alone (``stability_read`` / ``stability_manage``
are registered without the superuser shortcut in ``orgs.scope``; ``can`` here refuses it for every question). A person accused in a 检举控告 never reads that petition, whatever their roles: for them
it does not exist (404).
"""

from django.db.models import Q

from common.sqlids import id_list
from orgs import scope
from orgs.models import OrgNode

NOTHING = scope.NOTHING
_active = scope.active
paths = scope.paths


def can(user, capability, node=None):
    """``scope.can`` without the superuser shortcut (for every capability this module asks about)."""
    return scope.can(user, capability, node, superuser=False)


node_ids = scope.node_ids  # ids of the nodes in the user's subtrees, read once per request


def nodes_q(user, capability, field):
    """Rows whose org node (``field``, a foreign key) lies in the user's subtrees of ``capability``."""
    ids = node_ids(user, capability)
    # written into the SQL (common.sqlids): a group's 8,000 nodes bound one by one cost ~100 ms a query
    return Q(**{f"{field}__in": id_list(ids)}) if ids else NOTHING


def mines_of_paths(paths):
    """The mines above or below any of ``paths`` (a user's subtrees): the mines whose records and settings apply."""
    if not paths:
        return OrgNode.objects.none()
    step = OrgNode.steplen
    q = Q(path__in={p[: i * step] for p in paths for i in range(1, len(p) // step + 1)}) | scope.subtree_q(paths, "pk")
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
