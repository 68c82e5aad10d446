"""Who may read and do what in ``care`` (SPEC §3, §7.2), built on ``orgs.scope``.

The care records are stricter than the roster's sensitive fields: a superuser or an administrator reads nothing
here unless they also hold a role that grants it (``scope.filter_for`` lets a superuser read everything, so this
module asks ``scope.subtree_paths`` directly). A 帮教人 reads the file of the people they help while the help lasts.
"""

from django.db.models import Q

from orgs import scope
from orgs.models import OrgNode

NOTHING = Q(pk__in=[])


def _active(user):
    return user is not None and user.is_authenticated and user.is_active


def paths(user, capability):
    if not _active(user):
        return []
    return scope.subtree_paths(user, capability)


def can(user, capability, node=None):
    """Like ``scope.can`` but without the superuser shortcut."""
    found = paths(user, capability)
    if node is None:
        return bool(found)
    return any(node.path.startswith(p) for p in found)


def _nodes_q(found, field):
    if not found:
        return NOTHING
    q = Q(pk__in=[])
    for p in found:
        q |= Q(path__startswith=p)
    return Q(**{f"{field}__in": OrgNode.objects.filter(q).values("pk")})


def org_q(user, path_field, capability="care_read"):
    """Rows whose org node (``path_field`` ends with ``__path``) lies in the user's subtrees of ``capability``."""
    return _nodes_q(paths(user, capability), path_field[: -len("__path")])


def helped_person_ids(user):
    from care.models import Entry, EntryStatus

    if not (_active(user) and user.person_id):
        return Entry.objects.none().values("person_id")
    return Entry.objects.filter(helper_id=user.person_id, status=EntryStatus.ACTIVE).values("person_id")


def person_q(user, field="pk"):
    """People whose care file the user may read: care_read over their 班组's subtree, or helped by the user."""
    q = _nodes_q(paths(user, "care_read"), f"{field}__org" if field != "pk" else "org")
    if _active(user) and user.person_id:
        q |= Q(**{f"{field}__in": helped_person_ids(user)})
    return q


def entry_q(user):
    """Register entries: of people in the user's care_read subtree; a 帮教人 sees the active entries they help with."""
    q = _nodes_q(paths(user, "care_read"), "person__org")
    if _active(user) and user.person_id:
        q |= Q(helper_id=user.person_id, status="active")
    return q


def talk_q(user):
    """Talks the user may read: about people in their care_read subtree, or recorded/held by the user themselves."""
    q = org_q(user, "org__path")
    if _active(user):
        q |= Q(recorded_by_id=user.pk)
        if user.person_id:
            q |= Q(talker_id=user.person_id)
    return q


def can_read_file(user, person):
    if can(user, "care_read", person.org):
        return True
    if not (_active(user) and user.person_id):
        return False
    from care.models import Entry, EntryStatus

    return Entry.objects.filter(person=person, helper_id=user.person_id, status=EntryStatus.ACTIVE).exists()


def branch_of(node):
    """The 党支部 above ``node`` (or the node itself when it is none below a branch)."""
    from orgs.models import OrgKind

    return node.ancestor_of_kind(OrgKind.BRANCH) or node
