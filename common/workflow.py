"""The workflow kernel: a state machine is a table of transitions (data), and ``Machine.apply`` does the rest once.

Each app keeps its table visible in its ``services.py``::

    MACHINE = workflow.Machine(
        name="隐患", model=Hazard, event_model=HazardEvent, event_fk="hazard",
        get=get, roles_of=_roles_on, after=tally_hook,
        table=[
            Transition("assign", "限时整改(五定)", source=[S.REGISTERED], target=S.RECTIFYING, who={"manage"},
                       effect=_assign),
            Transition("verify_reject", "验收驳回", source=[S.PENDING], target=_back_to, who={"verify"}, note=True),
            ...
        ],
    )
    MACHINE.apply(user, pk, "assign", version=..., note=..., params={...})

One ``apply`` does, in this order: the scoped get (``NotFound`` → 404 out of scope), the action known (else 404),
the optimistic version check (``Conflict`` → 409), the table lookup (409 with the state and the action), who may
act (``Forbidden`` → 403), the guard (409 with its reason), the note rule (a field error on ``note``), the effect
(validation and the fields it changes), then atomically: compare-and-set on (pk, version, status), the event row, the work
the effect queued, the audit log entry (``QuerySet.update`` sends no signal, so the kernel writes it),
the after-hook; and it answers with the re-read object.

A row's ``who`` is a set of role names (asked of the machine's ``roles_of(user, obj)``) or a callable
``who(user, obj) -> bool``. A row's ``target`` is a state, ``None`` (the state stays: a flag such as 挂牌督办), or a
callable ``target(obj) -> state``. Several rows may share an action when their source states differ (labels that
read differently per state).
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.audit import audit_update
from common.errors import Conflict, Forbidden, NotFound


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    source: tuple = ()
    target: Any = None  # a state, None = unchanged, or callable(obj) -> state
    who: Any = frozenset()  # set of role names, or callable(user, obj) -> bool
    note: Any = False  # False: optional; True: required (the machine's message); str: required, this message
    guard: Callable | None = None  # guard(ctx) -> reason (409) or None
    effect: Callable | None = None  # effect(ctx): validate, fill ctx.changes / ctx.data, queue ctx.then(fn)

    def __post_init__(self):
        object.__setattr__(self, "source", tuple(self.source))
        if not callable(self.who):
            object.__setattr__(self, "who", frozenset(self.who))


class Unchanged(Exception):
    """Raised by an effect when there is nothing to write (the same form sent twice): ``apply`` answers ``result``."""

    def __init__(self, result=None):
        super().__init__("unchanged")
        self.result = result


@dataclass
class Context:
    """What an effect, a guard and the after-hook see and may fill in."""

    machine: "Machine"
    user: Any
    obj: Any
    transition: Transition
    now: Any
    note: str = ""
    params: dict = field(default_factory=dict)
    target: Any = None
    changes: dict = field(default_factory=dict)  # fields written with the status in the compare-and-set
    data: dict = field(default_factory=dict)  # the event row's extra data (when its model has ``data``)
    after: Any = None  # the object as it is after the transition (for the after-hook)
    event: Any = None  # the event row written
    _then: list = field(default_factory=list)

    @property
    def action(self):
        return self.transition.action

    def then(self, fn):
        """Run ``fn(ctx)`` inside the transaction, after the compare-and-set and the event row (``ctx.event``)."""
        self._then.append(fn)


DEFAULT_MESSAGES = {
    "stale": "该{name}已被他人处理(现在是“{status}”),请刷新后再操作",
    "busy": "该{name}已被他人处理,请刷新后再操作",
    "state": "{name}当前状态为“{status}”,不能{label}",
    "forbidden": "您无权{label}",
    "note": "请填写原因或说明",
}


class Machine:
    def __init__(
        self,
        *,
        name,
        model,
        table,
        get,
        event_model=None,
        event_fk=None,
        roles_of=None,
        after=None,
        reread=None,
        labels=None,
        messages=None,
        status_field="status",
        version_field="version",
        note_max=1000,
        note_min=1,
    ):
        self.name, self.model, self.get = name, model, get
        self.table = list(table)
        self.event_model, self.event_fk = event_model, event_fk
        self.roles_of, self.after, self.reread = roles_of, after, reread
        self.status_field, self.version_field = status_field, version_field
        self.note_max, self.note_min = note_max, note_min
        self.messages = DEFAULT_MESSAGES | (messages or {})
        self._rows = {}
        for t in self.table:
            for state in t.source:
                key = (str(state), t.action)
                if key in self._rows:
                    raise ValueError(f"{name}: two rows for {key}")
                self._rows[key] = t
        self.actions = sorted({t.action for t in self.table})
        first = {}
        for t in self.table:
            first.setdefault(t.action, t.label)
        self.named = dict(labels or {})  # actions named once whatever the row (诉求's 办理 for 登记/补充办理情况)
        self.labels = first | self.named  # what each action is called (messages, timeline)
        self._event_fields = (
            {f.name for f in event_model._meta.concrete_fields} if event_model is not None else set()
        )  # fmt: skip

    # ---------------------------------------------------------------- reading the table

    def row(self, state, action):
        """The table's row for ``action`` in ``state``, or None."""
        return self._rows.get((str(state), action))

    def as_dict(self):
        """{(state, action): (target, who, label)}: the table read by (state, action), as tests walk it."""
        return {(state, action): (t.target, t.who, t.label) for (state, action), t in self._rows.items()}

    def target_of(self, transition, obj):
        target = transition.target
        if callable(target):
            return target(obj)
        return self.status_of(obj) if target is None else target

    def status_of(self, obj):
        return getattr(obj, self.status_field)

    def may(self, transition, user, obj, roles=None):
        if callable(transition.who):
            return bool(transition.who(user, obj))
        if roles is None:
            roles = set(self.roles_of(user, obj)) if self.roles_of else set()
        return bool(transition.who & roles)

    def allowed(self, user, obj, now=None, **params):
        """[(action, label)] the user may do on ``obj`` now: in the table for its state, their role, the guard passes."""
        state = str(self.status_of(obj))
        roles = set(self.roles_of(user, obj)) if self.roles_of else set()
        out = []
        for t in self.table:
            if state not in {str(s) for s in t.source} or not self.may(t, user, obj, roles):
                continue
            if t.guard:
                ctx = Context(self, user, obj, t, now or timezone.now(), params=params)
                if t.guard(ctx):
                    continue
            out.append((t.action, t.label))
        return out

    def status_label(self, obj):
        display = getattr(obj, f"get_{self.status_field}_display", None)
        return display() if display else str(self.status_of(obj))

    def _message(self, key, obj=None, **extra):
        status = self.status_label(obj) if obj is not None else ""
        return self.messages[key].format(name=self.name, status=status, **extra)

    # ---------------------------------------------------------------- doing it

    def apply(self, user, pk, action, *, version=None, note="", params=None, now=None, extra=None):
        """Do ``action`` on the object ``pk`` as ``user`` (see the module's docstring). ``params``: what the row's
        effect reads (typed input); ``extra(ctx)``: this call's own effect, run after the row's (e.g. photos)."""
        now = now or timezone.now()
        obj = self.get(user, pk)  # NotFound when missing or out of scope
        if action not in self.actions:
            raise NotFound()
        current = getattr(obj, self.version_field) if self.version_field else None
        if self.version_field and version not in (None, "") and str(version) != str(current):
            raise Conflict(self._message("stale", obj))
        t = self.row(self.status_of(obj), action)
        if t is None:
            raise Conflict(self._message("state", obj, label=self.labels[action]))
        if not self.may(t, user, obj):
            raise Forbidden(self._message("forbidden", obj, label=t.label))
        ctx = Context(self, user, obj, t, now, note=str(note or "").strip()[: self.note_max], params=params or {})
        if t.guard:
            reason = t.guard(ctx)
            if reason:
                raise Conflict(reason)
        if t.note and len(ctx.note) < self.note_min:
            raise ValidationError({"note": t.note if isinstance(t.note, str) else self.messages["note"]})
        ctx.target = self.target_of(t, obj)
        try:
            if t.effect:
                t.effect(ctx)
            if extra:
                extra(ctx)
        except Unchanged as done:
            return done.result if done.result is not None else self._reread(user, pk, obj)
        with transaction.atomic():
            self._compare_and_set(ctx)
            ctx.event = self._event(ctx)
            for fn in ctx._then:
                fn(ctx)
            audit_update(obj, ctx.after, actor=user)
            if self.after:
                self.after(ctx)
        return self._reread(user, pk, obj)

    def _compare_and_set(self, ctx):
        obj = ctx.obj
        where = {"pk": obj.pk, self.status_field: self.status_of(obj)}
        values = {self.status_field: ctx.target, **ctx.changes}
        if self.version_field:
            where[self.version_field] = getattr(obj, self.version_field)
            values[self.version_field] = getattr(obj, self.version_field) + 1
        if not self.model.objects.filter(**where).update(**values):
            raise Conflict(self._message("busy", obj))
        after = copy.copy(obj)
        for name, value in values.items():
            setattr(after, name, value)
        ctx.after = after

    def _event(self, ctx):
        if self.event_model is None:
            return None
        values = {
            self.event_fk: ctx.obj,
            "action": ctx.action,
            "from_status": self.status_of(ctx.obj),
            "to_status": ctx.target,
            "actor": ctx.user,
            "at": ctx.now,
            "note": ctx.note,
            "data": ctx.data,
        }
        return self.event_model.objects.create(**{k: v for k, v in values.items() if k in self._event_fields})

    def _reread(self, user, pk, obj):
        if self.reread:
            return self.reread(user, pk, obj)
        return self.get(user, pk)

    # ---------------------------------------------------------------- the timeline

    def timeline(self, events, extra_labels=None):
        """The event rows labelled for the timeline partial (``common/timeline.html``) and the API schema."""
        labels = self.labels | (extra_labels or {})
        choices = dict(self.model._meta.get_field(self.status_field).choices or [])
        events = list(events)
        for e in events:
            to_status = getattr(e, "to_status", "")
            from_status = getattr(e, "from_status", "")
            # the row the event went through names it (the first 上报 is not a 重新上报)
            row = self._rows.get((str(from_status), e.action)) if from_status else None
            if row is not None and e.action not in self.named:
                e.label = row.label
            else:
                e.label = labels.get(e.action, e.action)
            e.to_label = choices.get(to_status, "") if to_status else ""
            e.from_label = choices.get(from_status, "") if from_status and from_status != to_status else ""
        return events
