"""The hazard closed loop (SPEC §4.1): registering, the one table of allowed transitions, and who waits for what."""

from datetime import date, datetime, timedelta
from datetime import time as dt_time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from common import workflow
from common.errors import Conflict, Forbidden, NotFound
from common.parsing import as_id
from common.uploads import clean_photos
from common.workflow import Transition
from hazards import tally
from hazards.models import (
    DEFAULT_CATEGORIES,
    DEFAULT_GRADES,
    OPEN_STATUSES,
    Category,
    Grade,
    Hazard,
    HazardEvent,
    HazardPhoto,
    HazardStatus,
)
from orgs import scope
from orgs.models import OrgNode, Person
from orgs.scope import mine_of
from places.models import DEFAULT_SHIFTS, Location, Shift

S = HazardStatus

# ---------------------------------------------------------------- master data


def ensure_defaults(mine):
    """A mine starts with the default categories, grades and shifts (then edits them)."""
    if not Category.objects.filter(mine=mine).exists():
        Category.objects.bulk_create([Category(mine=mine, name=n, order=i) for i, n in enumerate(DEFAULT_CATEGORIES)])
    if not Grade.objects.filter(mine=mine).exists():
        Grade.objects.bulk_create(
            [
                Grade(mine=mine, name=n, deadline_days=d, supervision=s, major=m, order=i)
                for i, (n, d, s, m) in enumerate(DEFAULT_GRADES)
            ]
        )
    if not Shift.objects.filter(mine=mine).exists():
        Shift.objects.bulk_create([Shift(mine=mine, name=n, order=i) for i, n in enumerate(DEFAULT_SHIFTS)])


# ---------------------------------------------------------------- register


def _heif_opener():
    """Let Pillow read iPhone HEIC photos when the optional ``pillow_heif`` plugin is installed."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return
    register_heif_opener()


_heif_opener()


def register(
    user,
    *,
    location,
    category,
    grade,
    description,
    clause="",
    found_at=None,
    shift=None,
    token="",
    photos=(),
    now=None,
):
    """登记隐患 (input: ``forms.HazardForm``). The records must be of the user's mine (the place still worked);
    a second submit of the same form token answers with the first hazard."""
    now = now or timezone.now()
    mine = mine_of(user)
    if mine is None:
        raise Forbidden("您的账号不属于任何矿,不能登记隐患")
    ensure_defaults(mine)
    token = token or None
    if token:
        existing = _by_token(user, token)
        if existing is not None:  # a double submit of the same form
            return existing
    errors = {}
    for key, label, record in (("location", "地点", location), ("category", "专业", category),
                               ("grade", "等级", grade), ("shift", "班次", shift)):  # fmt: skip
        if record is not None and (record.mine_id != mine.pk or not getattr(record, "active", True)):
            errors[key] = f"{label}不存在或不属于本矿"
    images = []
    try:
        images = clean_photos(photos)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    person = Person.objects.filter(pk=user.person_id).first() if user.person_id else None
    try:
        with transaction.atomic():
            hazard = Hazard.objects.create(
                mine=mine, location=location, category=category, grade=grade, description=description,
                clause=clause, found_by=person, finder_is_party_member=bool(person and person.is_party_member),
                found_at=found_at or now, shift=shift, recorded_by=user, token=token,
            )  # fmt: skip
            for image in images:
                photo = HazardPhoto(hazard=hazard, stage="found")
                photo.image.save("photo.jpg", image, save=False)
                photo.save()
            HazardEvent.objects.create(
                hazard=hazard, action="register", to_status=S.REGISTERED, actor=user, at=now, note="登记"
            )
            tally.registered(hazard)
    except IntegrityError:
        existing = _by_token(user, token) if token else None
        if existing is None:
            raise
        return existing
    return hazard


def _by_token(user, token):
    """The hazard this user already registered with this form, if any. Another user's token is a stale form."""
    existing = Hazard.objects.filter(token=token).first()
    if existing is None:
        return None
    if existing.recorded_by_id != user.pk:
        raise Conflict("该表单已失效,请刷新页面后重新登记")
    return existing


# ---------------------------------------------------------------- reading


def get(user, pk):
    if not as_id(pk):
        raise NotFound()
    hazard = (
        Hazard.objects.visible_to(user)
        .filter(pk=pk)
        .select_related(
            "location",
            "location__unit",
            "category",
            "grade",
            "found_by",
            "responsible_unit",
            "responsible_person",
            "shift",
        )
        .first()
    )
    if hazard is None:
        raise NotFound()
    return hazard


def _roles_on(user, hazard):
    """Which of the table's "who" the user is for this hazard."""
    roles = set()
    if user.person_id and hazard.found_by_id == user.person_id:
        roles.add("finder")
    if user.person_id and hazard.responsible_person_id == user.person_id:
        roles.add("responsible")
    unit = hazard.location.unit
    if scope.can(user, "hazards_manage", unit):
        roles.add("manage")
    if hazard.responsible_unit_id and scope.can(user, "hazards_manage", hazard.responsible_unit):
        roles.add("manage_unit")
    if scope.can(user, "hazards_verify", unit):
        roles.add("verify")
    if scope.can(user, "hazards_supervise", hazard.mine):
        roles.add("supervise")
    return roles


# ---------------------------------------------------------------- transitions


def _assign_fields(hazard, p):
    """The 五定 (typed by ``forms.AssignForm``): a unit and a person of this mine, the measures, a deadline not before
    the finding (empty: the grade's default)."""
    errors = {}
    unit, person = p.get("responsible_unit"), p.get("responsible_person")
    if unit is None or not unit.path.startswith(hazard.mine.path):
        errors["responsible_unit"] = "请选择本矿的责任单位(区队/班组)"
    if person is None or person.mine_id != hazard.mine_id:
        errors["responsible_person"] = "请选择本矿的责任人"
    measures = p.get("measures") or ""
    if not measures:
        errors["measures"] = "请填写整改措施"
    found_on = timezone.localdate(hazard.found_at)
    deadline = p.get("deadline") or found_on + timedelta(days=hazard.grade.deadline_days)
    if deadline < found_on:
        errors["deadline"] = "整改期限不能早于发现日期"
    if errors:
        raise ValidationError(errors)
    return {
        "responsible_unit": unit,
        "responsible_person": person,
        "measures": measures,
        "funds": p.get("funds"),
        "deadline": deadline,
        "plan": p.get("plan") or "",
    }


def _later_deadline(hazard, deadline):
    """A new deadline for an extension: after the current one."""
    if not deadline or deadline <= (hazard.deadline or timezone.localdate()):
        raise ValidationError({"deadline": "请填写晚于原期限的新期限"})
    return deadline


def requested_deadline(hazard):
    """The deadline asked for in the pending extension request, if the request named one."""
    if hazard.status != S.EXTENSION:
        return None
    event = hazard.events.filter(action="request_extension").order_by("-at", "-pk").first()
    return (event.data or {}).get("申请期限") if event else None


def _assign(ctx):
    fields = _assign_fields(ctx.obj, ctx.params)
    ctx.changes.update(fields)
    ctx.data = {
        "责任单位": fields["responsible_unit"].name,
        "责任人": fields["responsible_person"].name,
        "期限": fields["deadline"].isoformat(),
    }


def _request_extension(ctx):
    if ctx.params.get("deadline"):
        ctx.data = {"申请期限": _later_deadline(ctx.obj, ctx.params["deadline"]).isoformat()}


def _approve_extension(ctx):
    hazard = ctx.obj
    asked = requested_deadline(hazard)
    deadline = _later_deadline(hazard, ctx.params.get("deadline") or (date.fromisoformat(asked) if asked else None))
    ctx.changes["deadline"] = deadline
    ctx.data = {"原期限": hazard.deadline.isoformat() if hazard.deadline else "", "新期限": deadline.isoformat()}


def _supervisable(ctx):
    if not ctx.obj.grade.major:
        return "只有重大隐患需要挂牌督办"
    if ctx.obj.supervised:
        return "该隐患已挂牌督办"
    return None


def _rejected_to(hazard):
    """验收驳回: back to 整改 under its 五定, or, for an on-the-spot fix that failed, back to be handled with 五定."""
    return S.RECTIFYING if hazard.responsible_person_id else S.REGISTERED


def _set(**fields):
    def effect(ctx):
        ctx.changes.update({k: (ctx.now if v is _NOW else v) for k, v in fields.items()})

    return effect


_NOW = object()


def _tally(ctx):
    tally.status_changed(ctx.obj, ctx.after)


# The lifecycle, once. Who: "finder" = the person who found it; "responsible" = the 责任人; "manage" =
# hazards_manage at the location's unit; "manage_unit" = hazards_manage at the responsible unit; "verify" =
# hazards_verify at the location's unit; "supervise" = hazards_supervise at the mine. A target of None keeps the
# state (挂牌督办 is a flag).
MACHINE = workflow.Machine(
    name="隐患",
    model=Hazard,
    event_model=HazardEvent,
    event_fk="hazard",
    get=lambda user, pk: get(user, pk),
    roles_of=lambda user, hazard: _roles_on(user, hazard),
    after=_tally,
    messages={"state": "隐患当前状态为“{status}”,不能{label}"},
    table=[
        Transition("fix_onsite", "现场处理完毕", [S.REGISTERED], S.PENDING, {"finder", "manage"}),
        Transition("assign", "限时整改(五定)", [S.REGISTERED], S.RECTIFYING, {"manage"}, effect=_assign),
        Transition("submit", "提交整改", [S.RECTIFYING], S.PENDING, {"responsible", "manage_unit"}),
        Transition("request_extension", "申请延期", [S.RECTIFYING], S.EXTENSION, {"responsible", "manage_unit"},
                   note=True, effect=_request_extension),
        Transition("approve_extension", "批准延期", [S.EXTENSION], S.RECTIFYING, {"verify"}, effect=_approve_extension),
        Transition("refuse_extension", "驳回延期", [S.EXTENSION], S.RECTIFYING, {"verify"}, note=True),
        Transition("verify_pass", "验收通过(销号)", [S.PENDING], S.CLOSED, {"verify"}, effect=_set(closed_at=_NOW)),
        Transition("verify_reject", "验收驳回", [S.PENDING], _rejected_to, {"verify"}, note=True),
        Transition("reopen", "重新打开", [S.CLOSED], S.REGISTERED, {"verify"}, note=True, effect=_set(closed_at=None)),
        Transition("supervise", "挂牌督办", OPEN_STATUSES, None, {"supervise"}, guard=_supervisable,
                   effect=_set(supervised=True)),
    ],
)  # fmt: skip
TRANSITIONS = MACHINE.as_dict()
ACTIONS = MACHINE.actions
ACTION_LABELS = MACHINE.labels | {"register": "登记", "import": "导入"}


def allowed_actions(user, hazard):
    return MACHINE.allowed(user, hazard)


def timeline(hazard):
    """The hazard's events, labelled for ``common/timeline.html`` and ``common.api_schemas.events_out``."""
    return MACHINE.timeline(hazard.events.select_related("actor", "actor__person"), ACTION_LABELS)


def act(user, pk, action, *, version=None, note="", photos=(), now=None, **params):
    """Apply one action of the table (``common.workflow``; input: ``forms.action_form(action)``, the row's typed
    ``params`` — the 五定, a deadline): invalid in this state or a stale form -> Conflict (409), not allowed ->
    Forbidden, out of scope -> NotFound; photos (of the fix) are checked before anything is written."""

    def with_photos(ctx):
        images = clean_photos(photos)

        def save(ctx):
            for image in images:
                photo = HazardPhoto(hazard=ctx.obj, stage="fixed")
                photo.image.save("photo.jpg", image, save=False)
                photo.save()

        ctx.then(save)

    return MACHINE.apply(
        user, pk, action, version=version, note=note, params=params, now=now, extra=with_photos,
    )  # fmt: skip


# ---------------------------------------------------------------- lists and 待办


def filter_list(
    user,
    *,
    status="",
    overdue=False,
    grade=None,
    category=None,
    location=None,
    branch=None,
    finder="",
    found_from=None,
    found_to=None,
):
    """The hazards the user may see, filtered (input: ``forms.list_filters``)."""
    qs = Hazard.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.overdue()
    for key, pk in (("grade", grade), ("category", category), ("location", location)):
        if pk:
            qs = qs.filter(**{f"{key}_id": pk})
    if branch:
        node = OrgNode.objects.filter(pk=branch).first()
        if node:
            units = OrgNode.objects.filter(path__startswith=node.path).values("pk")
            qs = qs.filter(location__unit__in=units)
    if finder:
        from django.db.models import Q

        qs = qs.filter(Q(found_by__name__contains=finder) | Q(found_by__emp_no=finder))
    # a half-open range of local midnights on the indexed column (a ``__date`` lookup converts every row's time
    # and no index can answer it)
    if found_from:
        qs = qs.filter(found_at__gte=local_midnight(found_from))
    if found_to:
        qs = qs.filter(found_at__lt=local_midnight(found_to + timedelta(days=1)))
    return qs


def local_midnight(day):
    """The aware moment a local day (Asia/Shanghai) starts."""
    return timezone.make_aware(datetime.combine(day, dt_time.min))


def _places_for(user, capability):
    """Ids of the places under the units where the user holds ``capability`` (read once per request)."""
    from places.models import Location as Place

    def compute():
        paths = scope.subtree_paths(user, capability)
        if not paths:
            return []
        return list(Place.objects.filter(scope.subtree_q(paths, "unit")).values_list("pk", flat=True))

    return scope.memo(user, f"hazards.places.{capability}", compute)


WAITING_STATUS = {
    "整改": "rectifying",
    "处理(五定或现场处理)": "registered",
    "验收": "pending",
    "审批延期": "extension",
}


def waiting_for(user, limit=50):
    """Hazards waiting for this user, as (hazard, what to do); at most ``limit`` of each kind."""
    out = []
    # no ORDER BY: the partial indexes of open hazards find the few (the 待办 list is sorted by deadline afterwards)
    base = Hazard.objects.visible_to(user).select_related("location", "grade").order_by()
    if user.person_id:
        for h in base.filter(status=S.RECTIFYING, responsible_person_id=user.person_id)[:limit]:
            out.append((h, "整改"))
    if user.is_superuser or scope.can(user, "hazards_triage"):
        # the branch secretary decides: fixed on the spot, or 限时整改 under 五定
        triaged = base if user.is_superuser else base.filter(location_id__in=_places_for(user, "hazards_triage"))
        for h in triaged.filter(status=S.REGISTERED)[:limit]:
            out.append((h, "处理(五定或现场处理)"))
    if user.is_superuser or scope.can(user, "hazards_verify"):
        verified = base if user.is_superuser else base.filter(location_id__in=_places_for(user, "hazards_verify"))
        for h in verified.filter(status__in=(S.PENDING, S.EXTENSION))[:limit]:
            out.append((h, "验收" if h.status == S.PENDING else "审批延期"))
    return out


# ---------------------------------------------------------------- master data pages


def can_edit_master(user, mine):
    """The safety office, or the system administrator (not the 党委, though it keeps the org tree)."""
    return scope.can(user, "hazards_verify", mine) or scope.can(user, "manage_accounts", mine)


def save_master(user, mine, what, **values):
    """Edit the mine's master data (for its admins and safety officers; input: ``forms.MASTER_FORMS[what]``): add or
    switch off a location, add or rename a 专业 or a 班次, set a grade's default deadline and supervising level. The
    record edited is read in the mine (another mine's or an unknown one: NotFound)."""
    if not can_edit_master(user, mine):
        raise Forbidden("只有本矿管理员和安监员可以维护基础数据")
    editors = {
        "location": _add_location,
        "location_active": _toggle_location,
        "category": lambda mine, name: _add_named(Category, mine, name, "专业"),
        "category_rename": lambda mine, pk, name: _rename(Category, mine, pk, name, "专业"),
        "shift": lambda mine, name: _add_named(Shift, mine, name, "班次"),
        "shift_rename": lambda mine, pk, name: _rename(Shift, mine, pk, name, "班次"),
        "grade": _edit_grade,
    }
    if what not in editors:
        raise NotFound()
    with transaction.atomic():
        return editors[what](mine, **values)


def _of_mine(model, mine, pk):
    obj = model.objects.filter(mine=mine, pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def _add_location(mine, *, unit, kind, name):
    errors = {}
    if not unit.path.startswith(mine.path):
        errors["unit"] = "请选择所属区队"
    if Location.objects.filter(mine=mine, name=name).exists():
        errors["name"] = f"地点“{name}”已存在"
    if errors:
        raise ValidationError(errors)
    return Location.objects.create(mine=mine, unit=unit, name=name, kind=kind)


def _toggle_location(mine, *, pk):
    """停用 a place no longer worked (it stays on its hazards, leaves the register form) or 启用 it again."""
    location = _of_mine(Location, mine, pk)
    location.active = not location.active
    location.save(update_fields=["active"])
    return location


def _add_named(model, mine, name, label):
    if model.objects.filter(mine=mine, name=name).exists():
        raise ValidationError({"name": f"{label}“{name}”已存在"})
    return model.objects.create(mine=mine, name=name, order=model.objects.filter(mine=mine).count())


def _rename(model, mine, pk, name, label):
    obj = _of_mine(model, mine, pk)
    if model.objects.filter(mine=mine, name=name).exclude(pk=obj.pk).exists():
        raise ValidationError({"name": f"{label}“{name}”已存在"})
    obj.name = name
    obj.save(update_fields=["name"])
    return obj


def _edit_grade(mine, *, grade, deadline_days, supervision=""):
    grade = _of_mine(Grade, mine, grade)
    grade.deadline_days, grade.supervision = deadline_days, supervision or grade.supervision
    grade.save(update_fields=["deadline_days", "supervision"])
    return grade


def similar_recent(user, since, *, location, description):
    """A hazard this user registered since ``since`` at the same place with the same description (a repeated
    submit), or None."""
    return (
        Hazard.objects.filter(recorded_by=user, created_at__gte=since, location=location, description=description)
        .order_by("-created_at")
        .first()
    )
