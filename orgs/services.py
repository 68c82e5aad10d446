"""Domain operations on organisations, people and accounts.

Every state change, validation and permission check of this app lives here once; pages,
the API and the Excel import call these functions.
"""

import os.path
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.errors import Conflict, Forbidden, NotFound
from orgs import scope
from orgs.forms import PersonForm, TransferForm
from orgs.models import (
    ALLOWED_CHILDREN,
    SELF_VISIBLE_SENSITIVE,
    SENSITIVE_FIELDS,
    ApiToken,
    OrgKind,
    OrgNode,
    Person,
    Role,
    RoleAssignment,
    SensitiveAccess,
    Transfer,
    User,
)

# ---------------------------------------------------------------- reading


def get_person(user, pk):
    person = (
        Person.objects.visible_to(user).select_related("org", "job_type", "party_org", "mine").filter(pk=pk).first()
    )
    if person is None:
        raise NotFound()
    return person


def get_node(user, pk, capability="roster"):
    node = OrgNode.objects.visible_to(user, capability).filter(pk=pk).first()
    if node is None:
        raise NotFound()
    return node


def filter_people(user, params):
    """The roster list: ``visible_to`` plus the filters of ``PersonFilterForm`` (cleaned data)."""
    people = Person.objects.visible_to(user)
    org_id = params.get("org")
    if org_id:
        node = OrgNode.objects.visible_to(user).filter(pk=org_id).first() or OrgNode.objects.filter(pk=org_id).first()
        if node is None:
            return people.none()
        people = people.filter(org__in=OrgNode.objects.filter(path__startswith=node.path).values("pk"))
    if params.get("job_type"):
        people = people.filter(job_type_id=params["job_type"])
    if params.get("political_status"):
        people = people.filter(political_status=params["political_status"])
    if params.get("work_status"):
        people = people.filter(work_status=params["work_status"])
    if params.get("new_hire"):
        people = people.new_hires()
    if params.get("transferred"):
        people = people.recently_transferred()
    return people.search(params.get("q"))


CARE_NOTES = ("family_notes", "thoughts_notes")


def sensitive_fields_for(user, person):
    """Which sensitive fields of ``person`` this user may see. 家庭情况 and 思想动态 belong to the care file: only
    roles holding ``care_notes`` over the person read them (an administrator sees the contact data, not these)."""
    if scope.can(user, "sensitive", person.org):
        notes = user.is_active and any(person.org.path.startswith(p) for p in scope.subtree_paths(user, "care_notes"))
        return [f for f in SENSITIVE_FIELDS if notes or f not in CARE_NOTES]
    if user.is_authenticated and user.person_id == person.pk:
        return list(SELF_VISIBLE_SENSITIVE)
    return []


def mask_all(value):
    """The audit log's mask for sensitive fields: nothing of the value is kept."""
    return "******"


def mask(value):
    """What a list shows instead of a sensitive value: its shape, not its content."""
    if not value:
        return ""
    if len(value) >= 11 and value.isalnum():
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "******"


def reveal_sensitive(user, person, via, ip=None, fields=None):
    """Return {field: value} of the sensitive fields the user may see, and log that they were shown."""
    allowed = sensitive_fields_for(user, person)
    if fields is not None:
        allowed = [f for f in allowed if f in fields]
    shown = {f: getattr(person, f) for f in allowed if getattr(person, f)}
    if shown:
        SensitiveAccess.objects.create(user=user, person=person, fields=",".join(shown), via=via, ip=ip)
    return {f: getattr(person, f) for f in allowed}


def log_bulk_sensitive(user, people, fields, via, ip=None):
    """The one log of sensitive reads (SPEC §7.2): one row per person whose sensitive record was shown — roster
    fields, a care file, talk records, register entries, suggestions, screening findings, diary visits."""
    people = {p.pk: p for p in people if p is not None}
    if not people or not getattr(user, "is_authenticated", False):
        return
    now = timezone.now()
    SensitiveAccess.objects.bulk_create(
        [SensitiveAccess(user=user, person=p, fields=",".join(fields)[:200], via=via, ip=ip, at=now)
         for p in people.values()],
        batch_size=1000,
    )  # fmt: skip


# ---------------------------------------------------------------- people


def manageable_orgs(user):
    return OrgNode.objects.visible_to(user, "manage_people")


def _require_manage(user, node):
    if not scope.can(user, "manage_people", node):
        raise Forbidden("您无权管理该组织的人员")


def validate_person(user, data, instance=None):
    """Return a bound, validated PersonForm or raise ValidationError with field messages."""
    form = PersonForm(data, instance=instance, org_choices=manageable_orgs(user))
    if not form.is_valid():
        raise ValidationError(_messages(form))
    return form


def _messages(form):
    return {field: [e["message"] for e in errors] for field, errors in form.errors.get_json_data().items()}


@transaction.atomic
def create_person(user, data):
    if not scope.can(user, "manage_people"):
        raise Forbidden("您无权新增人员")
    form = validate_person(user, data)
    person = form.save(commit=False)
    person.mine = person.org.mine
    person.save()
    return person


@transaction.atomic
def update_person(user, person, data):
    """Update fields of a person. Changing 工种 or 班组 goes through ``transfer_person``."""
    _require_manage(user, person.org)
    merged = person_as_data(person)
    merged.update({k: v for k, v in data.items() if k not in ("job_type", "org")})
    form = validate_person(user, merged, instance=person)
    person = form.save(commit=False)
    person.save()
    return person


def person_as_data(person):
    data = {}
    for name in PersonForm.Meta.fields:
        value = getattr(person, f"{name}_id" if name in ("job_type", "org", "party_org") else name)
        data[name] = "" if value is None else value
    return data


@transaction.atomic
def transfer_person(user, person, data):
    """转岗: records date, from/to 工种 and 班组, and moves the person."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require_manage(user, person.org)
    form = TransferForm(data, person=person, org_choices=manageable_orgs(user))
    if not form.is_valid():
        raise ValidationError(_messages(form))
    d = form.cleaned_data
    transfer = Transfer.objects.create(
        person=person,
        date=d["date"],
        from_job=person.job_type,
        to_job=d["to_job"],
        from_org=person.org,
        to_org=d["to_org"],
        note=d.get("note", ""),
        recorded_by=user,
    )
    person.job_type = d["to_job"]
    person.org = d["to_org"]
    person.save(update_fields=["job_type", "org", "updated_at", "name_initials"])
    return transfer


# ---------------------------------------------------------------- organisation tree


def _check_kind(parent_kind, kind):
    if kind not in OrgKind.values:
        raise ValidationError({"kind": ["未知的组织类型"]})
    if kind not in ALLOWED_CHILDREN.get(parent_kind, set()):
        parent_label = OrgKind(parent_kind).label if parent_kind else "顶层"
        raise ValidationError({"kind": [f"{parent_label}下不能设立{OrgKind(kind).label}"]})


def _clean_name(name):
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["名称不能为空"]})
    if len(name) > 60:
        raise ValidationError({"name": ["名称不能超过60个字"]})
    return name


def _clean_code(code):
    code = (code or "").strip()
    if len(code) > 30:
        raise ValidationError({"code": ["编码不能超过30个字符"]})
    return code


@transaction.atomic
def add_child(user, parent, name, kind, code=""):
    if not scope.can(user, "manage_org", parent):
        raise NotFound() if not scope.can(user, "roster", parent) else Forbidden("您无权修改该组织")
    name = _clean_name(name)
    _check_kind(parent.kind, kind)
    if parent.get_children().filter(name=name).exists():
        raise ValidationError({"name": [f"{parent.name}下已有同名组织"]})
    return parent.add_child(name=name, kind=kind, code=_clean_code(code))


@transaction.atomic
def add_root(user, name, kind, code=""):
    if not user.is_superuser:
        raise Forbidden("只有超级管理员可以建立顶层组织")
    name = _clean_name(name)
    _check_kind(None, kind)
    return OrgNode.add_root(name=name, kind=kind, code=_clean_code(code))


@transaction.atomic
def rename_node(user, node, name, code=None):
    if not scope.can(user, "manage_org", node):
        raise Forbidden("您无权修改该组织")
    node.name = _clean_name(name)
    if code is not None:
        node.code = _clean_code(code)
    node.save()
    return node


def check_move(user, node, new_parent):
    """Refuse a move that cannot be made (before asking whether the people should move with it)."""
    if not scope.can(user, "manage_org", node) or not scope.can(user, "manage_org", new_parent):
        raise Forbidden("您无权移动该组织")
    if new_parent.path.startswith(node.path):
        raise Conflict("不能把组织移到它自己或它的下级之下")
    _check_kind(new_parent.kind, node.kind)
    if node.mine is not None and new_parent.ancestor_of_kind(OrgKind.MINE) != node.mine and node.kind != OrgKind.MINE:
        raise Conflict("不能把组织移到另一个矿;跨矿调整请先迁移人员")


@transaction.atomic
def move_node(user, node, new_parent):
    check_move(user, node, new_parent)
    node.move(new_parent, pos="last-child")
    node.refresh_from_db()
    return node


@transaction.atomic
def delete_node(user, node):
    if not scope.can(user, "manage_org", node):
        raise Forbidden("您无权删除该组织")
    subtree = OrgNode.objects.filter(path__startswith=node.path)
    if Person.objects.filter(org__in=subtree).exists() or Person.objects.filter(party_org__in=subtree).exists():
        raise Conflict("该组织或其下级仍有人员,不能删除")
    node.delete()


def head_counts(nodes):
    """{node.pk: number of people on the roll (在册, whatever their work status) in the node's subtree; for a 党小组,
    its members}. One query (two with 党小组) whatever the tree size."""
    from django.db.models import Count

    if not nodes:
        return {}
    steplen = OrgNode.steplen
    prefix = os.path.commonprefix([n.path for n in nodes])
    prefix = prefix[: len(prefix) // steplen * steplen]
    people = Person.objects.filter(org__in=OrgNode.objects.filter(path__startswith=prefix).values("pk"))
    direct = people.values("org__path").annotate(n=Count("id")).values_list("org__path", "n")
    per_path = {}
    for path, count in direct:
        for depth in range(1, len(path) // steplen + 1):
            key = path[: depth * steplen]
            per_path[key] = per_path.get(key, 0) + count
    counts = {n.pk: per_path.get(n.path, 0) for n in nodes}
    # a 党小组 holds no one's 所属单位: its people are the members whose 党组织 it is
    groups = [n.pk for n in nodes if n.kind == OrgKind.PARTY_GROUP]
    if groups:
        members = Person.objects.filter(party_org__in=groups).values("party_org").annotate(n=Count("id"))
        counts.update({row["party_org"]: row["n"] for row in members})
    return counts


# ---------------------------------------------------------------- accounts and roles


def manageable_users(user):
    """Accounts an admin may manage: those lying *wholly* inside the admin's ``manage_accounts`` subtrees
    (the person, if any, and every role). Superuser accounts only by superusers; accounts spanning two
    mines are managed from the level above."""
    from django.db.models import Q

    if user.is_superuser:
        return User.objects.all()
    paths = scope.subtree_paths(user, "manage_accounts")
    if not paths:
        return User.objects.none()
    inside_org = scope.subtree_q(paths, "org")
    in_person = scope.subtree_q(paths, "person__org")
    inside_person = Q(person__isnull=True) | in_person
    touches = in_person | scope.subtree_q(paths, "role_assignments__org")
    roles_outside = RoleAssignment.objects.exclude(inside_org).values("user_id")
    candidates = User.objects.filter(touches).values("pk")
    return (
        User.objects.filter(pk__in=candidates)
        .filter(inside_person)
        .exclude(is_superuser=True)
        .exclude(pk__in=roles_outside)
    )


def get_managed_user(actor, pk):
    target = manageable_users(actor).filter(pk=pk).first()
    if target is None:
        raise NotFound()
    return target


def temporary_password():
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


@transaction.atomic
def reset_password(actor, target):
    target = get_managed_user(actor, target.pk)
    if target.is_superuser and not actor.is_superuser:
        raise Forbidden("不能重置超级管理员的密码")
    password = temporary_password()
    target.set_password(password)
    target.must_change_password = True
    # the code only lets its holder choose a new password (ForcePasswordChangeMiddleware, the API refused too);
    # the user is told at the next login who reset it and when
    target.password_reset_by = actor
    target.password_reset_at = timezone.now()
    target.password_reset_unseen = True
    target.save(
        update_fields=[
            "password",
            "must_change_password",
            "password_reset_by",
            "password_reset_at",
            "password_reset_unseen",
        ]
    )
    ApiToken.objects.filter(user=target, revoked=False).update(revoked=True)
    from orgs.lockout import unlock

    unlock(target)
    from orgs.account_services import log_account_event

    log_account_event(target, "已重置(临时密码)")
    return password


@transaction.atomic
def set_active(actor, target, active):
    target = get_managed_user(actor, target.pk)
    if target == actor and not active:
        raise Conflict("不能停用自己的账号")
    target.is_active = active
    target.save(update_fields=["is_active"])
    return target


@transaction.atomic
def create_account(actor, person):
    if not scope.can(actor, "manage_accounts", person.org):
        raise NotFound()
    if hasattr(person, "user") and User.objects.filter(person=person).exists():
        raise Conflict("该职工已有账号")
    password = temporary_password()
    username = f"{person.mine.code or person.mine_id}-{person.emp_no}"
    if User.objects.filter(username=username).exists():
        raise Conflict(f"无法为 {person.name} 开通账号:登录名已被其他账号占用,请联系系统管理员。")
    user = User(username=username, person=person, first_name=person.name)
    user.set_password(password)
    user.must_change_password = True
    user.save()
    RoleAssignment.objects.create(user=user, role=Role.WORKER, org=person.org)
    return user, password


@transaction.atomic
def assign_role(actor, target, role, org):
    if not scope.can(actor, "manage_accounts", org):
        raise NotFound()
    target = get_managed_user(actor, target.pk)
    if role not in Role.values:
        raise ValidationError({"role": ["未知角色"]})
    from orgs.grant_services import roles_needing_confirmation

    if target.pk == actor.pk:
        raise Conflict("不能给自己授予角色;请由另一位管理员办理")
    if role in roles_needing_confirmation():
        raise Conflict("该角色可查看帮教、谈心或民情内容,须经本矿党委另一位成员确认(orgs.grant_services.request_grant)")
    # An admin of a level may delegate any other role, admin included, inside their own subtree.
    assignment, _ = RoleAssignment.objects.get_or_create(user=target, role=role, org=org)
    scope.clear_cache(target)
    return assignment


@transaction.atomic
def revoke_role(actor, assignment):
    if not scope.can(actor, "manage_accounts", assignment.org):
        raise NotFound()
    if assignment.user_id == actor.pk and assignment.role == Role.ADMIN:
        raise Conflict("不能撤销自己的管理员角色")
    assignment.delete()


def roster_summary(user):
    """Head counts of what the user may see: for the home page."""
    from django.db.models import Count, Q

    people = Person.objects.visible_to(user)
    from django.conf import settings

    from orgs.models import PARTY_STATUSES, window_start

    figures = people.aggregate(
        total=Count("id"),
        party=Count("id", filter=Q(political_status__in=PARTY_STATUSES)),
        new=Count("id", filter=Q(hire_date__gte=window_start(settings.HONGLING_NEW_HIRE_DAYS))),
    )
    figures["transferred"] = people.recently_transferred().count()
    return figures


def person_history(user, person):
    """Changes to the person's record from the audit log (sensitive values are masked there)."""
    from auditlog.models import LogEntry

    return list(LogEntry.objects.get_for_object(person).select_related("actor").order_by("-timestamp")[:50])
