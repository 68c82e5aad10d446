"""Who may read and do what in ``care`` (SPEC §3, §7.2): the rules are declared in the one registry,
``orgs.scope`` (see ``care.models``: every care capability without the superuser shortcut, and the 帮教人's person
rule on ``care_read``); this module only names the queries care asks.
"""

from django.db.models import Q

from orgs import scope

NOTHING = scope.NOTHING
paths = scope.paths
can = scope.can  # the registry refuses the superuser shortcut for every care capability


def org_q(user, path_field, capability="care_read"):
    """Rows whose org node (``path_field`` ends with ``__path``) lies in the user's subtrees of ``capability``."""
    return scope.subtree_q(scope.paths(user, capability), path_field)


def helped_person_ids(user):
    from care.models import Entry, helped_person_ids

    if not (scope.active(user) and user.person_id):
        return Entry.objects.none().values("person_id")
    return helped_person_ids(user)


def person_q(user, field="pk"):
    """People whose care file the user may read: care_read over their 班组's subtree, or helped by the user."""
    path_field = "org__path" if field == "pk" else f"{field}__org__path"
    return scope.filter_for(user, "care_read", path_field=path_field, self_field=field)


def entry_q(user):
    """Register entries: of people in the user's care_read subtree; a 帮教人 sees the active entries they help with."""
    q = org_q(user, "person__org__path")
    if scope.active(user) and user.person_id:
        q |= Q(helper_id=user.person_id, status="active")
    return q


def talk_q(user):
    """Talks the user may read: about people in their care_read subtree, or recorded/held by the user themselves."""
    q = org_q(user, "org__path")
    if scope.active(user):
        q |= Q(recorded_by_id=user.pk)
        if user.person_id:
            q |= Q(talker_id=user.person_id)
    return q


def can_read_file(user, person):
    return scope.can_reach(user, "care_read", person)


def branch_of(node):
    """The 党支部 above ``node`` (or the node itself when it is none below a branch)."""
    from orgs.models import OrgKind

    return node.ancestor_of_kind(OrgKind.BRANCH) or node
