"""Reading side of account administration and the audit pages (SPEC §3, §7.2).

State changes of accounts stay in ``orgs/services.py`` (create_account, reset_password, set_active,
assign_role, revoke_role); this module adds the scoped queries the admin pages need, and writes the
audit entries those services do not write themselves (a password reset changes no audited field).

Audit scope (decision): a superuser sees every entry. An admin holding ``audit`` at some nodes sees an
entry when its **object** lies in those subtrees (for every audited model that has ``visible_to``, plus
accounts linked to a person or holding a role there) **or** its **actor** belongs there (the actor's
person works there, or the actor holds a role there). Entries of deleted objects are therefore seen
through their actor only.
"""

import json
from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
from django.utils import timezone

from common.errors import NotFound
from orgs import scope
from orgs.models import SENSITIVE_FIELDS, OrgNode, Person, Role, RoleAssignment, SensitiveAccess, User

HIDDEN = "******"


# ---------------------------------------------------------------- accounts


def can_manage_accounts(user):
    return scope.can(user, "manage_accounts")


def can_audit(user):
    return scope.can(user, "audit")


def wholly_managed(actor, users):
    """Narrow ``services.manageable_users`` to accounts lying *wholly* inside the actor's subtrees.

    ``manageable_users`` lets a mine admin manage any account with one role or the person in the mine,
    so an admin of mine A could reset the password of someone who is also admin of mine B (and then log
    in as them). Here an account is managed by a non-superuser only when its person (if any) and every
    one of its roles lie inside the actor's ``manage_accounts`` subtrees; superuser accounts only by
    superusers. Accounts spanning two mines are managed from the level above (group admin, superuser).
    """
    if actor.is_superuser:
        return users
    paths = scope.subtree_paths(actor, "manage_accounts")
    inside_org = scope.subtree_q(paths, "org")
    inside_person = Q(person__isnull=True) | scope.subtree_q(paths, "person__org")
    roles_outside = RoleAssignment.objects.exclude(inside_org).values("user_id")
    return users.filter(inside_person).exclude(is_superuser=True).exclude(pk__in=roles_outside)


def search_accounts(actor, q="", role="", status=""):
    """Accounts the actor manages, filtered by 工号 / name / user name, role and status."""
    from orgs.services import manageable_users

    users = wholly_managed(actor, manageable_users(actor))
    q = (q or "").strip()
    if q:
        users = users.filter(
            Q(username__startswith=q)
            | Q(person__emp_no__startswith=q)
            | Q(person__name__contains=q)
            | Q(first_name__contains=q)
        )
    if role in Role.values:
        users = users.filter(pk__in=RoleAssignment.objects.filter(role=role).values("user_id"))
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "disabled":
        users = users.filter(is_active=False)
    elif status == "must_change":
        users = users.filter(must_change_password=True)
    return (
        users.select_related("person", "person__org")
        .prefetch_related(
            Prefetch(
                "role_assignments", queryset=RoleAssignment.objects.select_related("org").order_by("role", "org__path")
            )
        )
        .order_by("username", "pk")
    )


def get_account(actor, pk):
    """An account the actor manages wholly (see ``wholly_managed``), else NotFound."""
    from orgs.services import manageable_users

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound()
    target = (
        wholly_managed(actor, manageable_users(actor))
        .select_related("person", "person__org", "person__mine")
        .filter(pk=pk)
        .first()
    )
    if target is None:
        raise NotFound()
    return target


def assignments_of(target):
    return list(target.role_assignments.select_related("org").order_by("org__path", "role"))


def assignable_orgs(actor):
    """The nodes where the actor may assign roles: the subtrees where they hold ``manage_accounts``."""
    return OrgNode.objects.visible_to(actor, "manage_accounts").order_by("path")


def get_assignment(actor, target, pk):
    """A role assignment of ``target`` at a node the actor manages (404 otherwise)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound()
    qs = RoleAssignment.objects.visible_to(actor, "manage_accounts").select_related("org", "user")
    assignment = qs.filter(pk=pk, user=target).first()
    if assignment is None:
        raise NotFound()
    return assignment


def people_without_account(actor, q="", limit=30):
    """People in the actor's ``manage_accounts`` scope who have no account yet."""
    people = Person.objects.filter(scope.filter_for(actor, "manage_accounts", path_field="org__path", self_field=None))
    people = people.filter(user__isnull=True).search(q).select_related("org")
    return people.order_by("emp_no", "pk")[:limit]


def get_person_for_account(actor, pk):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound()
    person = (
        Person.objects.filter(scope.filter_for(actor, "manage_accounts", path_field="org__path", self_field=None))
        .select_related("org", "mine")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise NotFound()
    return person


def take_reset_notice(user):
    """The first login after an admin reset the password: who reset it and when (shown once)."""
    if not user.password_reset_unseen:
        return ""
    User.objects.filter(pk=user.pk).update(password_reset_unseen=False)
    by = user.password_reset_by.display_name() if user.password_reset_by_id else "系统管理员"
    at = timezone.localtime(user.password_reset_at).strftime("%Y-%m-%d %H:%M") if user.password_reset_at else ""
    return f"您的密码已于 {at} 由 {by} 重置,您的接口令牌已全部作废。如果这不是您本人要求的,请立即联系党委组织部。"


def login_names(user):
    names = [user.username]
    if user.person_id:
        names.append(user.person.emp_no)
    return names


def log_account_event(target, what):
    """An audit entry for an account operation that changes no audited field (e.g. a password reset).

    Inside a request the audit middleware fills in the actor and the IP address.
    """
    from auditlog.models import LogEntry

    return LogEntry.objects.log_create(
        target,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={"password": [HIDDEN, what]},
    )


# ---------------------------------------------------------------- audit log


def audited_models():
    """(content type, label) of every model registered with auditlog, for the search form."""
    from auditlog.registry import auditlog

    models = sorted(auditlog.get_models(), key=lambda m: (m._meta.app_label, m._meta.model_name))
    cts = ContentType.objects.get_for_models(*models)
    return [(cts[m], str(m._meta.verbose_name)) for m in models]


def _users_in(paths):
    holders = RoleAssignment.objects.filter(scope.subtree_q(paths, "org")).values("user_id")
    return User.objects.filter(scope.subtree_q(paths, "person__org") | Q(pk__in=holders)).values("pk")


def _scoped_ids(model, actor, paths):
    """Subquery of the pks of ``model`` rows inside the actor's audit scope, or None if unknown."""
    if model is User:
        return _users_in(paths)
    qs = model._default_manager.all()
    visible_to = getattr(qs, "visible_to", None)
    if visible_to is None:
        return None
    for args in ((actor, "audit"), (actor,)):
        try:
            return visible_to(*args).values("pk")
        except TypeError:  # another app's visible_to with a different signature
            continue
    return None


def audit_scope(actor):
    """``Q`` over LogEntry: what the actor may read in the audit log."""
    if not actor.is_authenticated or not actor.is_active:
        return Q(pk__in=[])
    if actor.is_superuser:
        return Q()
    paths = scope.subtree_paths(actor, "audit")
    if not paths:
        return Q(pk__in=[])
    from auditlog.registry import auditlog

    q = Q(actor__in=_users_in(paths))
    models = list(auditlog.get_models())
    cts = ContentType.objects.get_for_models(*models)
    for model in models:
        ids = _scoped_ids(model, actor, paths)
        if ids is not None:
            q |= Q(content_type=cts[model], object_id__in=ids)
    return q


def _day_bounds(start, end):
    tz = timezone.get_current_timezone()
    lo = timezone.make_aware(datetime.combine(start, time.min), tz) if start else None
    hi = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz) if end else None
    return lo, hi


def _actor_q(text, prefix):
    text = (text or "").strip()
    if not text:
        return Q()
    return (
        Q(**{f"{prefix}username__startswith": text})
        | Q(**{f"{prefix}person__emp_no__startswith": text})
        | Q(**{f"{prefix}person__name__contains": text})
        | Q(**{f"{prefix}first_name__contains": text})
    )


def search_audit(actor, params):
    """LogEntry rows visible to the actor, filtered by actor text, object (type, id, text), action, dates."""
    from auditlog.models import LogEntry

    entries = LogEntry.objects.filter(audit_scope(actor))
    if params.get("actor"):
        entries = entries.filter(_actor_q(params["actor"], "actor__"))
    if params.get("content_type"):
        entries = entries.filter(content_type_id=params["content_type"])
    if params.get("object_id") is not None:
        entries = entries.filter(object_id=params["object_id"])
    if params.get("object_text"):
        entries = entries.filter(object_repr__contains=params["object_text"].strip())
    if params.get("action") not in (None, ""):
        entries = entries.filter(action=int(params["action"]))
    lo, hi = _day_bounds(params.get("date_from"), params.get("date_to"))
    if lo:
        entries = entries.filter(timestamp__gte=lo)
    if hi:
        entries = entries.filter(timestamp__lt=hi)
    return (
        entries.select_related("actor", "actor__person", "content_type")
        .defer("serialized_data")
        .order_by("-timestamp", "-pk")
    )


def _field_info(model):
    """{field name: (label, kind, extra)}; kind is "choice", "bool", "fk" or "plain"."""
    info = {}
    for field in model._meta.get_fields():
        if not getattr(field, "concrete", False) or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) or field.name in BOOKKEEPING:
            info[field.name] = None  # bookkeeping (timestamps, form tokens, versions, tree paths): not shown
            continue
        label = str(field.verbose_name)
        if field.is_relation and (field.many_to_one or field.one_to_one):
            info[field.name] = (label, "fk", field.related_model)
        elif field.choices:
            info[field.name] = (label, "choice", {str(k): v for k, v in field.choices})
        elif field.get_internal_type() == "BooleanField":
            info[field.name] = (label, "bool", None)
        else:
            info[field.name] = (label, "plain", None)
    return info


BOOKKEEPING = {"token", "version", "digest", "path", "depth", "numchild"}
EMPTY = (None, "", "None", "[]", "{}")


def _plain(value):
    """A stored value as a person reads it: a JSON list joined with 、, a number or text as it is."""
    text = str(value)
    if text[:1] in "[{":
        try:
            data = json.loads(text)
        except ValueError:
            return text
        if isinstance(data, list):
            return "、".join(str(item) for item in data) or "—"
        if isinstance(data, dict):
            return "; ".join(f"{k}: {v}" for k, v in data.items()) or "—"
    return text


BOOL_LABELS = {"True": "是", "False": "否"}


def _pairs(values):
    if isinstance(values, (list, tuple)):
        values = list(values) + [None, None]
        return values[0], values[1]
    return None, values


def describe_changes(entries):
    """Attach ``diff``: [(label, old, new)] to each entry, in a fixed number of queries.

    Choices and booleans show their labels, foreign keys the related object's name (one query per
    related model for the whole page). Sensitive person fields show as ``******`` whatever auditlog
    stored (its default mask keeps half of the text readable).
    """
    person_ct = ContentType.objects.get_for_model(Person).pk
    info_by_ct = {}
    wanted = {}  # related model -> set of pks
    for entry in entries:
        model = entry.content_type.model_class()
        if entry.content_type_id not in info_by_ct:
            info_by_ct[entry.content_type_id] = _field_info(model) if model else {}
        info = info_by_ct[entry.content_type_id]
        for name, values in (entry.changes_dict or {}).items():
            label, kind, extra = info.get(name) or (name, "plain", None)
            if kind == "fk":
                for value in _pairs(values):
                    if value not in EMPTY:
                        wanted.setdefault(extra, set()).add(str(value))
    names = {}
    for related, pks in wanted.items():
        valid = []
        for pk in pks:
            try:
                valid.append(related._meta.pk.to_python(pk))
            except Exception:  # a legacy text value, shown as stored
                continue
        # with the rows their names read (a 帮教 record's 登记 is named after its person): no query per row shown
        joined = [f.name for f in related._meta.concrete_fields if f.many_to_one or f.one_to_one]
        rows = related._base_manager.filter(pk__in=valid).select_related(*joined)
        names[related] = {str(obj.pk): str(obj) for obj in rows}

    for entry in entries:
        model = entry.content_type.model_class()
        info = info_by_ct[entry.content_type_id]
        diff = []
        pk_name = model._meta.pk.name if model else "id"
        for name, values in (entry.changes_dict or {}).items():
            if name == pk_name or info.get(name, False) is None or (name not in info and name != "password"):
                continue  # bookkeeping, or a reverse relation auditlog printed as "app.Model.None"
            label, kind, extra = info.get(
                name, ("密码", "plain", None) if name == "password" else (name, "plain", None)
            )
            shown = []
            for value in _pairs(values):
                if value in EMPTY:
                    shown.append("—")
                elif entry.content_type_id == person_ct and name in SENSITIVE_FIELDS:
                    shown.append(HIDDEN)
                elif kind == "fk":
                    shown.append(names.get(extra, {}).get(str(value), f"已删除({value})"))
                elif kind == "choice":
                    shown.append(str(extra.get(str(value), value)))
                elif kind == "bool":
                    shown.append(BOOL_LABELS.get(str(value), str(value)))
                else:
                    shown.append(_plain(value))
            diff.append((label, shown[0], shown[1]))
        entry.diff = diff
        entry.type_label = str(model._meta.verbose_name) if model else entry.content_type.model
        entry.person_link = entry.object_id if entry.content_type_id == person_ct else None
    return entries


# ---------------------------------------------------------------- sensitive-field views


def sensitive_scope(actor):
    if not actor.is_authenticated or not actor.is_active:
        return Q(pk__in=[])
    if actor.is_superuser:
        return Q()
    return scope.filter_for(actor, "audit", path_field="person__org__path", self_field=None)


def search_sensitive(actor, params):
    rows = SensitiveAccess.objects.filter(sensitive_scope(actor))
    if params.get("person_id"):
        rows = rows.filter(person_id=params["person_id"])
    text = (params.get("person") or "").strip()
    if text:
        rows = rows.filter(Q(person__emp_no__startswith=text) | Q(person__name__contains=text))
    if params.get("reader"):
        rows = rows.filter(_actor_q(params["reader"], "user__"))
    if params.get("via"):
        rows = rows.filter(via=params["via"])
    lo, hi = _day_bounds(params.get("date_from"), params.get("date_to"))
    if lo:
        rows = rows.filter(at__gte=lo)
    if hi:
        rows = rows.filter(at__lt=hi)
    return rows.select_related("user", "user__person", "person", "person__org").order_by("-at", "-pk")


def field_labels(csv):
    from orgs.models import READ_LABELS

    return "、".join(READ_LABELS.get(f, f) for f in (csv or "").split(",") if f)


def get_audited_person(actor, pk):
    """The person whose sensitive-view log is asked for, if in the actor's audit scope."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound()
    try:
        return Person.objects.filter(scope.filter_for(actor, "audit", path_field="org__path", self_field=None)).get(
            pk=pk
        )
    except Person.DoesNotExist:
        raise NotFound()
