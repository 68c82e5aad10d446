"""The one place that turns a user into what they may read (SPEC §3).

A user holds (role, org node) assignments. Each role grants capabilities; a capability
granted by an assignment covers the whole subtree of its node. Roles that work on their own
records only (党员, 职工) see themselves. ``filter_for`` builds the ``Q`` every
``visible_to(user)`` uses; nothing else in the code decides scope.
"""

from django.db.models import Q

# capability -> roles granting it over the subtree of the assigned node
SUBTREE_CAPABILITIES = {
    # read the roster and the records of people in the subtree
    "roster": {"admin", "committee", "safety", "secretary", "branch_committee", "team_leader"},
    # see sensitive fields (身份证号, 手机, 住址, 家庭情况, 思想动态) of people in the subtree
    "sensitive": {"admin", "committee", "secretary"},
    # read 家庭情况 / 思想动态: like the care file (SPEC §7.2), only the branch secretary and the party committee —
    # not administrators, and not a superuser by that flag alone (see orgs.services.sensitive_fields_for)
    "care_notes": {"committee", "secretary"},
    # add / edit / transfer people
    "manage_people": {"admin", "committee", "secretary"},
    # build, rename and move organisation nodes below the assigned node
    "manage_org": {"admin", "committee"},  # the 党委 (组织部) keeps its own tree
    # reset passwords, disable accounts, assign roles
    "manage_accounts": {"admin"},
    # read the audit log and the sensitive-access log
    "audit": {"admin"},
}

# capabilities every person holds over their own record
SELF_CAPABILITIES = {"roster"}


def register_capability(name, roles, self_too=False):
    """Let a module declare a capability of its own (e.g. "hazards_verify": {"safety", "admin"}).

    Call it at import time of the module's ``scope`` use (e.g. in its models.py or apps.ready).
    ``self_too``: every person also holds it over rows about themselves.
    """
    existing = SUBTREE_CAPABILITIES.get(name)
    if existing is not None and existing != set(roles):
        raise ValueError(f"capability {name!r} already registered with other roles")
    SUBTREE_CAPABILITIES[name] = set(roles)
    if self_too:
        SELF_CAPABILITIES.add(name)


NOTHING = Q(pk__in=[])


def assignments_of(user):
    """The user's (role, path) pairs, read once per user object (i.e. once per request)."""
    cached = getattr(user, "_scope_assignments", None)
    if cached is None:
        from orgs.models import RoleAssignment

        cached = list(RoleAssignment.objects.filter(user=user).values_list("role", "org__path"))
        user._scope_assignments = cached
    return cached


def clear_cache(user):
    for attr in ("_scope_assignments", "_scope_own_path", "_scope_memo"):
        if hasattr(user, attr):
            delattr(user, attr)


def memo(user, key, compute):
    """``compute()`` once per user object (i.e. once per request) for what a module derives from the user's scope,
    e.g. the ids of the places under their units. ``clear_cache`` forgets it with the roles."""
    store = user.__dict__.setdefault("_scope_memo", {})
    if key not in store:
        store[key] = compute()
    return store[key]


def roles_of(user):
    return {role for role, _ in assignments_of(user)}


def minimal_paths(paths):
    """Drop every path that lies inside another one: the union of subtrees stays the same."""
    kept = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return sorted(kept)


def subtree_paths(user, capability):
    if capability not in SUBTREE_CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    roles = SUBTREE_CAPABILITIES[capability]
    return minimal_paths(path for role, path in assignments_of(user) if role in roles)


def filter_for(user, capability, path_field, self_field):
    """``Q`` selecting what ``user`` may reach with ``capability``.

    ``path_field``: lookup to the materialised path of the org node the row belongs to.
    ``self_field``: lookup to the Person the row is about (None if rows are not about a person).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Q()
    paths = subtree_paths(user, capability)
    q = NOTHING
    if paths and path_field.endswith("__path"):
        # Rows that point at an org node: select the node ids of the subtrees once (an indexed prefix scan of the
        # small org table) and filter the big table by its indexed foreign key, instead of joining every row.
        from orgs.models import OrgNode

        in_subtrees = Q(pk__in=[])
        for path in paths:
            in_subtrees |= Q(path__startswith=path)
        q = Q(**{f"{path_field[: -len('__path')]}__in": OrgNode.objects.filter(in_subtrees).values("pk")})
    else:
        for path in paths:
            q |= Q(**{f"{path_field}__startswith": path})
    if self_field and capability in SELF_CAPABILITIES and user.person_id:
        own = own_org_path(user)
        # Only when the user's own record lies outside their subtrees: an OR on the primary key would keep
        # PostgreSQL from using the org index for everybody else.
        if own is None or not any(own.startswith(p) for p in paths):
            q |= Q(**{self_field: user.person_id})
    return q


def own_org_path(user):
    """Path of the org node of the user's own person record, read once per user object."""
    if not hasattr(user, "_scope_own_path"):
        from orgs.models import Person

        user._scope_own_path = Person.objects.filter(pk=user.person_id).values_list("org__path", flat=True).first()
    return user._scope_own_path


def can(user, capability, node=None):
    """Whether ``user`` holds ``capability`` at ``node`` (or anywhere, when node is None)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    paths = subtree_paths(user, capability)
    if node is None:
        return bool(paths)
    return any(node.path.startswith(p) for p in paths)


def mine_of(user):
    """The mine a user works in: their own record's, else the first mine of their roles. Read once per request."""
    return memo(user, "mine_of", lambda: _find_mine(user))


def _find_mine(user):
    from orgs.models import OrgKind, OrgNode, Person

    if user.person_id:
        return OrgNode.objects.filter(pk=Person.objects.filter(pk=user.person_id).values("mine_id")[:1]).first()
    # the mine at or above any of the user's role nodes, in one query (paths of the tree are STEPLEN-wide steps)
    step = OrgNode.steplen
    prefixes = {path[:end] for _role, path in assignments_of(user) for end in range(step, len(path) + 1, step)}
    if prefixes:
        mine = OrgNode.objects.filter(kind=OrgKind.MINE, path__in=prefixes).order_by("path").first()
        if mine:
            return mine
    return OrgNode.objects.filter(kind=OrgKind.MINE).order_by("path").first() if user.is_superuser else None
