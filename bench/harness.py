"""The benchmark harness: registries of fills and figures, and the tools to measure them.

A module adds data and figures like this (in ``bench/figures_<module>.py`` or ``<app>/bench.py``; both are
discovered by ``bench/run.py``)::

    from bench.harness import fill, figure

    @fill("hazards.million", version=2, order=20)
    def million_hazards(b):
        ...                        # bulk-create what the figures read; returns a short note ("1000000 hazards")

    @figure("hazard_list_p95", target=100, unit="ms", order=40)
    def hazard_list(b):
        safety = b.client(b.accounts["safety"])
        return b.measure([(safety, "/hazards/"), (safety, "/hazards/?status=open")])

Every fill is built before any figure runs, in ``order``; its version is stored in the bench database
(``bench_fill``). A fill whose version changed makes ``bench/run.py`` flush the bench database and build it again
(demo and every fill), so no figure reads data made by older code.

``b`` is a :class:`Bench`: the size, the demo accounts, the first mine and helpers that time pages through
``django.test.Client`` (in process, no network). ``b.measure(pairs)`` times each page and the bare baseline view
``/__bench__/select1/`` of the same server interleaved, sample by sample, and returns a :class:`Measured` with the
p50 / p95 / min–max / n of both. Work that writes runs inside ``with b.rolled_back():`` and the output says so.
A figure returns a :class:`Measured`, a plain number, or ``skipped("reason")``. ``target`` is an upper bound
unless ``higher_is_better``.
"""

import math
import os
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

_registry = {}
_fills = {}

# measured samples per p95 figure: enough for a p95 at mine/group size; fewer at small size so CI stays quick
SAMPLES = {"small": 30, "mine": 200, "group": 200}
BUSY_LOAD = 0.75  # 1-minute load average per core above which a figure is marked as measured on a busy machine


@dataclass(frozen=True)
class Figure:
    name: str
    fn: object
    target: float = None
    unit: str = "ms"
    higher_is_better: bool = False
    order: int = 100
    sizes: tuple = None  # sizes the figure is measured at (None: all)
    doc: str = ""


@dataclass(frozen=True)
class Fill:
    name: str
    fn: object
    version: int = 1
    order: int = 100
    doc: str = ""


@dataclass(frozen=True)
class Stats:
    """What a set of timings says: n, p50, p95, min and max (ms, or the figure's unit)."""

    n: int
    p50: float
    p95: float
    min: float
    max: float

    @classmethod
    def of(cls, values):
        values = [v for v in values if v is not None]
        if not values:
            raise ValueError("no values")
        return cls(len(values), percentile(values, 50), percentile(values, 95), min(values), max(values))


@dataclass
class Measured:
    value: float = None  # None: skipped
    note: str = ""
    baseline: float = None
    baseline_name: str = ""
    extra: dict = field(default_factory=dict)
    stats: Stats = None  # the samples behind ``value`` (when it is a percentile of timings)
    baseline_stats: Stats = None
    rolled_back: bool = False  # measured inside a transaction that was rolled back
    busy: str = ""  # set when the machine was busy while the figure ran
    stability: str = ""  # the --quiet-check verdict


def skipped(reason):
    return Measured(None, note=reason)


def figure(name, target=None, unit="ms", higher_is_better=False, order=100, sizes=None):
    """Register ``fn(bench) -> Measured | float`` as the figure ``name``."""

    def decorator(fn):
        _registry[name] = Figure(
            name=name,
            fn=fn,
            target=target,
            unit=unit,
            higher_is_better=higher_is_better,
            order=order,
            sizes=tuple(sizes) if sizes else None,
            doc=(fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else "",
        )
        return fn

    return decorator


def fill(name, version=1, order=100):
    """Register ``fn(bench) -> note`` as the fill ``name``: data the figures read, built once before any figure.

    Raise ``version`` whenever what the fill makes changes: the bench database is then flushed and rebuilt."""

    def decorator(fn):
        if name in _fills and _fills[name].fn is not fn and _fills[name].fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"fill {name} registered twice")
        doc = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        _fills[name] = Fill(name=name, fn=fn, version=int(version), order=order, doc=doc)
        return fn

    return decorator


def figures(size=None, names=None):
    found = sorted(_registry.values(), key=lambda f: (f.order, f.name))
    if size:
        found = [f for f in found if f.sizes is None or size in f.sizes]
    if names:
        found = [f for f in found if f.name in names]
    return found


def fills():
    return sorted(_fills.values(), key=lambda f: (f.order, f.name))


# ---------------------------------------------------------------- statistics


def percentile(values, q):
    """Nearest-rank ``q``-th percentile (0 < q ≤ 100)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def p95(values):
    """Nearest-rank 95th percentile."""
    return percentile(values, 95)


def spread(values):
    """How far apart repeated figures are: (max − min) / median, e.g. 0.08 for 8 %. 0 for fewer than two."""
    values = [v for v in values if v is not None]
    if len(values) < 2:
        return 0.0
    middle = statistics.median(values)
    if not middle:
        return 0.0 if max(values) == min(values) else math.inf
    return (max(values) - min(values)) / abs(middle)


def interleaved(pairs, n, baseline_url):
    """The order of ``n`` page samples and ``n`` baseline samples: each page request next to a baseline request
    of the same client, page first on even samples and baseline first on odd ones (neither always gets the warm
    cache or the quiet moment). Yields (kind, client, url), kind "page" or "baseline"."""
    for i in range(n):
        client, url = pairs[i % len(pairs)]
        page, base = ("page", client, url), ("baseline", client, baseline_url)
        yield from ((page, base) if i % 2 == 0 else (base, page))


def fill_plan(recorded, current, has_data):
    """What to do with a bench database: ``(action, reasons)``.

    ``recorded`` {fill: version} read from the database (None: it has no record of fills), ``current`` {fill:
    version} of the code, ``has_data``: the demo data is there. Actions: "build" (an empty database: demo and every
    fill), "rebuild" (flush, then build: a fill's version changed, a fill went away, or the data's fills are of
    unknown version), "extend" (build only the fills that are new), "reuse"."""
    if not has_data:
        return "build", ["empty database"]
    if recorded is None:
        return "rebuild", ["the database records no fill versions (built before they existed)"]
    reasons = [
        f"{name} v{recorded[name]} → v{v}"
        for name, v in sorted(current.items())
        if name in recorded and recorded[name] != v
    ]
    reasons += [f"{name} (v{v}) no longer exists" for name, v in sorted(recorded.items()) if name not in current]
    if reasons:
        return "rebuild", reasons
    added = [f"{name} v{v} is new" for name, v in sorted(current.items()) if name not in recorded]
    if added:
        return "extend", added
    return "reuse", []


def machine_load():
    """(1-minute load average, cores), or (None, cores) where the system does not tell."""
    cores = os.cpu_count() or 1
    try:
        return os.getloadavg()[0], cores
    except (OSError, AttributeError):
        return None, cores


def busy_note(load, cores, threshold=BUSY_LOAD):
    """A mark for output measured while the machine was busy, or ""."""
    if load is None or load <= threshold * cores:
        return ""
    return f"BUSY: load {load:.1f} on {cores} cores"


class Bench:
    """What a figure (and a fill) receives."""

    BASELINE_URL = "/__bench__/select1/"

    def __init__(self, size, requests=None, demo_seconds=None, demo_note="", log=print):
        from orgs import demo
        from orgs.models import OrgKind, OrgNode, User

        self.size = size
        self.requests = requests or SAMPLES.get(size, 60)  # measured samples per p95 figure (after a warm-up)
        self.demo_seconds = demo_seconds
        self.demo_note = demo_note
        self.log = log
        self.cache = {}  # what a figure keeps for the next one; cleared between --quiet-check rounds
        self.rolled = False  # set by rolled_back(); read by run()
        self.mine = OrgNode.objects.filter(kind=OrgKind.MINE, code=demo.MINE_NAMES[0][1]).order_by("path").first()
        self.accounts = {}
        for key, _role, emp_no, username, _where in demo.ACCOUNTS:
            name = f"{self.mine.code}-{emp_no}" if emp_no else username
            user = User.objects.filter(username=name).first()
            if user is not None:
                self.accounts[key] = user
        self._baseline = {}

    def today(self):
        from django.utils import timezone

        return timezone.localdate()

    def client(self, user):
        from django.test import Client

        c = Client(HTTP_HOST="127.0.0.1")
        c.force_login(user)
        return c

    @contextmanager
    def rolled_back(self):
        """Run the block in a transaction that is rolled back afterwards; the figure's line says so."""
        from django.db import transaction

        self.rolled = True
        with transaction.atomic():
            yield
            transaction.set_rollback(True)

    def get_ms(self, client, url):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise AssertionError(f"GET {url} answered {response.status_code}")
        return elapsed

    def sample(self, pairs, n=None):
        """Time GETs of ``[(client, url)]`` round-robin, each next to a GET of the bare baseline view by the same
        client (``interleaved``), after one warm-up pass of both. Returns (page ms, baseline ms)."""
        n = max(n or self.requests, 1)
        for client, url in pairs:
            self.get_ms(client, url)
        for client in {id(c): c for c, _ in pairs}.values():
            self.get_ms(client, self.BASELINE_URL)
        page, base = [], []
        for kind, client, url in interleaved(pairs, n, self.BASELINE_URL):
            (page if kind == "page" else base).append(self.get_ms(client, url))
        return page, base

    def measure(self, pairs, n=None, note=""):
        """The p95 of ``pairs`` (see ``sample``) with its stats, next to the baseline's, as a :class:`Measured`."""
        page, base = self.sample(pairs, n)
        return Measured(
            p95(page),
            baseline=p95(base),
            baseline_name="select1",
            stats=Stats.of(page),
            baseline_stats=Stats.of(base),
            note=note,
        )

    # -- older helpers (the baseline measured after the page, not beside it); kept for figures not yet moved over

    def timings(self, pairs, n=None):
        """Time GETs of ``[(client, url)]`` round-robin: one warm-up pass, then ``n`` measured requests."""
        n = n or self.requests
        for client, url in pairs:
            self.get_ms(client, url)
        out = []
        while len(out) < n:
            for client, url in pairs:
                out.append(self.get_ms(client, url))
                if len(out) >= n:
                    break
        return out

    def p95_of(self, clients, urls, n=None):
        """p95 (ms) of GETs of every url by every client."""
        pairs = [(c, u) for c in clients for u in urls]
        return p95(self.timings(pairs, n))

    def baseline_p95(self, clients, n=None):
        """p95 (ms) of the bare view (one ``SELECT 1``) through the same clients, measured after the page."""
        key = (tuple(id(c) for c in clients), n or self.requests)
        if key not in self._baseline:
            self._baseline[key] = self.p95_of(clients, [self.BASELINE_URL], n)
        return self._baseline[key]


# ---------------------------------------------------------------- output


def _fmt(value, unit):
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "%":
        return f"{value:.0f} %"
    return f"{value:g} {unit}".strip()


def _num(value, unit):
    if unit == "s":
        return f"{value:.2f}"
    if unit == "%":
        return f"{value:.0f}"
    return f"{value:.1f}"


def verdict(fig, m):
    if m.value is None or fig.target is None:
        return ""
    ok = m.value >= fig.target if fig.higher_is_better else m.value <= fig.target
    return "ok" if ok else "MISS"


def describe_stats(stats, unit):
    """``p50 9.1 p95 12.0 (8.0–30.2) n=200``"""
    return (
        f"p50 {_num(stats.p50, unit)} p95 {_num(stats.p95, unit)} "
        f"({_num(stats.min, unit)}–{_num(stats.max, unit)}) n={stats.n}"
    )


def format_line(fig, m):
    if m.value is None:
        word = "ERROR" if m.note.startswith("error:") else "skipped"
        return f"{fig.name:<30}{word} ({m.note})"
    target = "—"
    if fig.target is not None:
        target = ("≥ " if fig.higher_is_better else "≤ ") + f"{fig.target:g} {fig.unit}".strip()
    line = f"{fig.name:<30}{_fmt(m.value, fig.unit):>11}  {target:>10}  {verdict(fig, m):<4}"
    if m.stats is not None:
        line += f"  [{describe_stats(m.stats, fig.unit)}]"
    if m.baseline is not None:
        ratio = f" ×{m.value / m.baseline:.1f}" if m.baseline else ""
        line += f"  vs {m.baseline_name or 'bare view'}"
        if m.baseline_stats is not None:
            line += f" [{describe_stats(m.baseline_stats, fig.unit)}]"
        else:
            line += f" {_fmt(m.baseline, fig.unit)}"
        line += ratio
    if m.note:
        line += f"  ({m.note})"
    marks = [word for word in ("ROLLED BACK" if m.rolled_back else "", m.stability, m.busy) if word]
    if marks:
        line += "  {" + "; ".join(marks) + "}"
    return line.rstrip()


def header():
    return f"{'figure':<30}{'measured':>11}  {'target':>10}        [samples]  vs baseline [samples] ×ratio  (note)  {{marks}}"


def _measure_once(bench, fig):
    bench.rolled = False
    load_before, cores = machine_load()
    try:
        m = fig.fn(bench)
    except Exception as exc:  # one broken figure must not hide the others
        m = Measured(None, note=f"error: {type(exc).__name__}: {exc}")
    if not isinstance(m, Measured):
        m = Measured(m)
    load_after, _ = machine_load()
    loads = [x for x in (load_before, load_after) if x is not None]
    m.busy = busy_note(max(loads) if loads else None, cores)
    m.rolled_back = m.rolled_back or bench.rolled
    return m


def quiet_rounds(measure, rounds, tolerance, window=3):
    """Repeat ``measure() -> Measured`` until the last ``window`` values lie within ``tolerance`` (relative spread)
    or ``rounds`` are done. Returns (the Measured of the median value among the last window, verdict text)."""
    results = []
    for _ in range(max(rounds, 1)):
        m = measure()
        if m.value is None:
            return m, ""
        results.append(m)
        last = results[-window:]
        if len(last) >= min(window, rounds) and spread([r.value for r in last]) <= tolerance:
            break
    last = results[-window:]
    s = spread([r.value for r in last])
    chosen = sorted(last, key=lambda r: r.value)[len(last) // 2]
    values = ", ".join(f"{r.value:.3g}" for r in results)
    if s <= tolerance and len(last) >= min(window, rounds):
        verdict_text = f"stable: spread {s * 100:.0f} % over the last {len(last)} of {len(results)} rounds ({values})"
    else:
        verdict_text = f"NOT STABLE after {len(results)} rounds: spread {s * 100:.0f} % ({values})"
    return chosen, verdict_text


def run(bench, names=None, emit=print, quiet_check=0, tolerance=0.10):
    """Measure every registered figure for ``bench.size``; print one line each. Returns [(Figure, Measured)].

    ``quiet_check`` > 0: repeat each figure up to that many rounds until its spread is within ``tolerance``."""
    results = []
    for fig in figures(bench.size, names):
        if quiet_check:

            def once(fig=fig):
                bench.cache.clear()
                return _measure_once(bench, fig)

            m, verdict_text = quiet_rounds(once, quiet_check, tolerance)
            m.stability = verdict_text
        else:
            m = _measure_once(bench, fig)
        results.append((fig, m))
        emit(format_line(fig, m))
    rolled = [fig.name for fig, m in results if m.rolled_back]
    if rolled:
        emit(f"# measured in a transaction that was rolled back: {', '.join(rolled)}")
    busy = [fig.name for fig, m in results if m.busy]
    if busy:
        which = "every figure" if len(busy) == len(results) > 1 else ", ".join(busy)
        emit(f"# measured while the machine was busy (load > {BUSY_LOAD:g} per core), upper bounds: {which}")
    return results
