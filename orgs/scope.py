"""The one place that turns a user into what they may read (SPEC §3): the registry of capabilities.

A user holds (role, org node) assignments. Each role grants capabilities; a capability granted by an assignment
covers the whole subtree of its node. A capability is declared once, by the module that owns it, with
``register_capability(name, roles, self_too=…, superuser=…)``:

- ``roles``: the roles that grant it over the subtree of their node;
- ``self_too``: every person also holds it over rows about themselves (党员, 职工 see their own records);
- ``superuser=False``: need-to-know contents (the care file, 民情日记, petitions): a superuser reads nothing by that
  flag alone, only through a role that grants it;
- ``register_person_rule(name, rule)``: person-to-person grants on top of the subtree, e.g. the 帮教人 reads the care
  file of the people they help while the help lasts (``rule(user)`` → a queryset of the person ids).

``filter_for`` builds the ``Q`` every ``visible_to(user)`` uses, ``can`` answers yes/no, ``can_reach`` asks about one
person. The one subtree helper is ``subtree_q(paths, field)`` (rows whose org node lies in any of the subtrees: the
node ids are selected once from the small org table, the big table is filtered by its indexed foreign key);
``node_ids`` is the same as a list read once per request. Nothing else in the code builds path-prefix queries for
scope.
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


# capabilities a superuser does not hold by that flag alone (need-to-know contents)
NO_SUPERUSER = {"care_notes"}

# capability -> person-to-person rules: rule(user) -> queryset of the ids of the people the user reaches that way
PERSON_RULES = {}


def register_capability(name, roles, self_too=False, superuser=True):
    """Let a module declare a capability of its own (e.g. "hazards_verify": {"safety", "admin"}).

    Call it at import time of the module's ``scope`` use (e.g. in its models.py or apps.ready).
    ``self_too``: every person also holds it over rows about themselves. ``superuser=False``: no superuser shortcut.
    """
    existing = SUBTREE_CAPABILITIES.get(name)
    if existing is not None and existing != set(roles):
        raise ValueError(f"capability {name!r} already registered with other roles")
    SUBTREE_CAPABILITIES[name] = set(roles)
    if self_too:
        SELF_CAPABILITIES.add(name)
    if not superuser:
        NO_SUPERUSER.add(name)


def register_person_rule(capability, rule):
    """A person-to-person grant of ``capability``: ``rule(user)`` → a queryset of the ids of the people the user
    reaches besides their subtrees (the 帮教人 and the people they help). Used by ``filter_for`` (on ``self_field``)
    and ``can_reach``."""
    rules = PERSON_RULES.setdefault(capability, [])
    if rule not in rules:
        rules.append(rule)


def capabilities():
    """The registry as rows (name, roles, self_too, superuser, person rules): for the docs and the tests."""
    return [
        {
            "name": name,
            "roles": sorted(roles),
            "self_too": name in SELF_CAPABILITIES,
            "superuser": name not in NO_SUPERUSER,
            "person_rules": [r.__qualname__ for r in PERSON_RULES.get(name, ())],
        }
        for name, roles in sorted(SUBTREE_CAPABILITIES.items())
    ]


NOTHING = Q(pk__in=[])


def active(user):
    return user is not None and user.is_authenticated and user.is_active


def _shortcut(user, capability, superuser=None):
    """Whether the superuser flag alone grants ``capability`` (``superuser`` overrides the registry)."""
    if superuser is None:
        superuser = capability not in NO_SUPERUSER
    return superuser and user.is_superuser


# ---------------------------------------------------------------- the one subtree helper


def nodes_in(paths):
    """The org nodes in the union of the subtrees of ``paths`` (a queryset of ids, for ``__in``)."""
    from orgs.models import OrgNode

    q = Q(pk__in=[])
    for path in minimal_paths(paths):
        q |= Q(path__startswith=path)
    return OrgNode.objects.filter(q).order_by().values("pk")


def subtree_q(paths, field):
    """Rows whose org node (``field``: a foreign key to OrgNode, or its ``…__path``) lies in any subtree of
    ``paths``; nothing when there are none. ``field="pk"`` selects the nodes themselves."""
    if not paths:
        return NOTHING
    if field.endswith("__path"):
        field = field[: -len("__path")]
    return Q(**{f"{field}__in": nodes_in(paths)})


def paths(user, capability):
    """The user's subtrees of ``capability`` (none for an inactive user; never widened by the superuser flag)."""
    return subtree_paths(user, capability) if active(user) else []


def node_ids(user, capability):
    """Ids of the org nodes in the user's subtrees of ``capability``, read once per request (an IN list: cheaper to
    build and to run than a subquery per read where one page reads several tables)."""
    found = paths(user, capability)
    if not found:
        return []
    return memo(user, f"nodes:{capability}", lambda: list(nodes_in(found).values_list("pk", flat=True)))


def assignments_of(user):
    """The user's (role, path) pairs, read once per user object (i.e. once per request)."""
    cached = getattr(user, "_scope_assignments", None)
    if cached is None:
        from orgs.models import RoleAssignment

        cached = list(RoleAssignment.objects.filter(user=user).values_list("role", "org__path"))
        user._scope_assignments = cached
    return cached


def clear_cache(user):
    for attr in ("_scope_assignments", "_scope_own_path", "_scope_memo", "_home_generations"):
        user.__dict__.pop(attr, None)  # (kept in the object's own __dict__, also of a SimpleLazyObject: see memo)
        if hasattr(user, attr):
            delattr(user, attr)


def memo(user, key, compute):
    """``compute()`` once per user object (i.e. once per request) for what a module derives from the user's scope,
    e.g. the ids of the places under their units. ``clear_cache`` forgets it with the roles."""
    from common import homecache

    # (with the tables it read: a home part that uses it is kept only while they are unchanged)
    return homecache.remember(user.__dict__.setdefault("_scope_memo", {}), key, compute)


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
    if not active(user):
        return NOTHING
    if _shortcut(user, capability):
        return Q()
    paths = subtree_paths(user, capability)
    q = NOTHING
    if paths and path_field.endswith("__path"):
        # Rows that point at an org node: select the node ids of the subtrees once (an indexed prefix scan of the
        # small org table) and filter the big table by its indexed foreign key, instead of joining every row.
        q = subtree_q(paths, path_field)
    else:
        for path in paths:
            q |= Q(**{f"{path_field}__startswith": path})
    if self_field and user.person_id:
        for rule in PERSON_RULES.get(capability, ()):
            q |= Q(**{f"{self_field}__in": rule(user)})
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


def can(user, capability, node=None, superuser=None):
    """Whether ``user`` holds ``capability`` at ``node`` (or anywhere, when node is None). ``superuser=False``
    refuses the superuser shortcut for this question even where the registry allows it."""
    if not active(user):
        return False
    if _shortcut(user, capability, superuser):
        return True
    paths = subtree_paths(user, capability)
    if node is None:
        return bool(paths)
    return any(node.path.startswith(p) for p in paths)


def can_reach(user, capability, person):
    """Whether ``user`` holds ``capability`` over ``person``: at the person's org node, through a person rule (the
    帮教人), or over their own record when the capability is ``self_too``."""
    if can(user, capability, person.org):
        return True
    if not (active(user) and user.person_id):
        return False
    if capability in SELF_CAPABILITIES and person.pk == user.person_id:
        return True
    from orgs.models import Person

    return any(
        Person.objects.filter(pk=person.pk, pk__in=rule(user)).exists() for rule in PERSON_RULES.get(capability, ())
    )


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
