"""The indicator library's mechanism: one function per indicator, registered like the home tiles.

    from scorecard.indicators import UP, register_indicator

    @register_indicator(code="H_ON_TIME", name="隐患按期整改率", responsibility=1, direction=UP, target=95, unit="%",
                        formula="…", sources=("hazards.Hazard",))
    def on_time(ctx):
        return {branch_pk: Value(...), ...}

A function receives a ``Context`` (the branches of one mine, the period and the day the data is read as of) and
returns a ``Value`` per branch: the figure, its numerator and denominator, the link to the records behind it and a
digest of exactly the record fields it was computed from. It reads results only — never log-ins, clicks, time online,
reading time, photos, points, or whether a meeting was held or a document issued as such (SPEC §6); ``sources``
names the models it reads and a test holds them against the forbidden ones.

The version of an indicator is a hash of its formula text and its function's code: changing either makes a new version.
"""

import hashlib
import inspect
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from urllib.parse import urlencode

from common.sqlids import id_list

UP, DOWN = "up", "down"
DIRECTIONS = {UP: "越高越好", DOWN: "越低越好"}


@dataclass(frozen=True)
class Value:
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    url: str = ""
    digest: str = ""


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    responsibility: int
    direction: str
    target: float
    unit: str
    formula: str
    sources: tuple
    fn: object = field(compare=False, repr=False)
    requires: str = ""  # an app that must be installed (responsibilities 5–6 come from other modules)

    @cached_property
    def version(self):
        text = self.formula + "\n" + inspect.getsource(self.fn)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    @property
    def available(self):
        if not self.requires:
            return True
        from django.apps import apps

        return apps.is_installed(self.requires)

    @property
    def direction_label(self):
        return DIRECTIONS[self.direction]

    def score(self, value, target=None):
        """0–100 against the target: up — value / target (capped at 100); down — 100 at or under the target, then
        target / value (100 − value × 10 when the target is 0)."""
        if value is None:
            return None
        target = self.target if target is None else target
        if self.direction == UP:
            return 100.0 if target <= 0 else round(min(100.0, value * 100 / target), 2)
        if value <= target:
            return 100.0
        if target <= 0:
            return round(max(0.0, 100 - value * 10), 2)
        return round(target * 100 / value, 2)


_registry = {}


def register_indicator(*, code, name, responsibility, direction, target, unit, formula, sources, requires=""):
    if responsibility not in range(1, 7) or direction not in DIRECTIONS:
        raise ValueError(f"indicator {code}: responsibility 1–6 and direction up/down")

    def decorator(fn):
        _registry[code] = Indicator(
            code=code,
            name=name,
            responsibility=responsibility,
            direction=direction,
            target=float(target),
            unit=unit,
            formula=formula,
            sources=tuple(sources),
            fn=fn,
            requires=requires,
        )
        return fn

    return decorator


def all_indicators():
    """Every registered indicator, installed or not, by responsibility then code."""
    from scorecard import library  # noqa: F401  (registers them)

    return sorted(_registry.values(), key=lambda i: (i.responsibility, i.code))


def available():
    return [i for i in all_indicators() if i.available]


def get(code):
    all_indicators()
    return _registry.get(code)


def digest(rows):
    """A stable digest of the record fields a figure was computed from."""
    text = repr(sorted(rows, key=repr))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def percent(num, den):
    return round(num * 100 / den, 1) if den else None


@dataclass
class Context:
    """What an indicator reads: the branches (of one mine), the period [start, end] and the day the data is read as
    of (``as_of`` = the period's end, or the day of the run for a period still running)."""

    branches: list
    start: date
    end: date
    as_of: date
    memo: dict = field(default_factory=dict)

    @property
    def last(self):
        return min(self.end, self.as_of)

    def moments(self):
        """[start 00:00, last day + 1 00:00) in Asia/Shanghai, for DateTimeFields."""
        from datetime import datetime, time

        from django.utils import timezone

        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=tz),
        )

    def cached(self, key, compute):
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    @property
    def branch_ids(self):
        return [b.pk for b in self.branches]

    def nodes(self):
        """{org node pk: branch pk} for every node under the branches."""

        def compute():
            from orgs.models import OrgNode

            if not self.branches:
                return {}
            ordered = sorted(self.branches, key=lambda b: -len(b.path))
            # one prefix scan of the org table: the common prefix of the branches (their mine), sorted out here
            common = ordered[-1].path
            for b in ordered:
                while not b.path.startswith(common):
                    common = common[: -OrgNode.steplen]
            out = {}
            for pk, path in OrgNode.objects.filter(path__startswith=common).values_list("pk", "path"):
                branch = next((b for b in ordered if path.startswith(b.path)), None)
                if branch is not None:
                    out[pk] = branch.pk
            return out

        return self.cached("nodes", compute)

    def node_ids(self):
        """The pks of ``nodes()`` for an ``__in`` filter (written into the SQL: ``common.sqlids``)."""
        return self.cached("node_ids", lambda: id_list(self.nodes()))

    def place_ids(self):
        return self.cached("place_ids", lambda: id_list(self.places()))

    def people(self):
        """{person pk: branch pk}: the branches' people on the roster on the reckoning day (hired by then, not gone)."""

        def compute():
            from orgs.models import Person, WorkStatus

            gone = (WorkStatus.LEFT, WorkStatus.RETIRED)
            rows = (
                Person.objects.filter(org_id__in=self.node_ids(), hire_date__lte=self.last)
                .exclude(work_status__in=gone)
                .values_list("pk", "org_id")
            )
            return {pk: self.nodes()[org] for pk, org in rows}

        return self.cached("people", compute)

    def places(self):
        """{location pk: branch pk}: the places of the branches' 区队."""

        def compute():
            from places.models import Location

            rows = Location.objects.filter(unit_id__in=self.node_ids()).values_list("pk", "unit_id")
            return {pk: self.nodes()[unit] for pk, unit in rows}

        return self.cached("places", compute)

    def link(self, path, branch_pk, **params):
        query = {"branch": branch_pk, **{k: v for k, v in params.items() if v is not None}}
        return f"{path}?{urlencode(query)}"

    def period_params(self):
        return {"from": self.start.isoformat(), "to": self.last.isoformat()}


def ratios(ctx, rows_by_branch, count, url):
    """{branch: Value} from {branch: [row]}: ``count(rows) -> (numerator, denominator)``; ``url(branch_pk)``."""
    out = {}
    for pk in ctx.branch_ids:
        rows = rows_by_branch.get(pk, [])
        num, den = count(rows)
        out[pk] = Value(percent(num, den), num, den, url(pk), digest(rows))
    return out
