"""The benchmark harness: a registry of figures and the tools to measure them.

A module adds a figure like this (in ``bench/figures_<module>.py`` or ``<app>/bench.py``; both are
discovered by ``bench/run.py``)::

    from bench.harness import figure, Measured

    @figure("hazard_list_p95", target=100, unit="ms", order=40)
    def hazard_list(b):
        clients = [b.client(b.accounts["secretary"])]
        ms = b.p95_of(clients, ["/hazards/", "/hazards/?status=open"])
        return Measured(ms, baseline=b.baseline_p95(clients), baseline_name="select1")

``b`` is a :class:`Bench`: the size, the demo accounts, the first mine and helpers that time pages
through ``django.test.Client`` (in process, no network). A figure returns a :class:`Measured`, a
plain number, or ``skipped("reason")``. ``target`` is an upper bound unless ``higher_is_better``.
"""

import math
import time
from dataclasses import dataclass, field

_registry = {}


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


@dataclass
class Measured:
    value: float = None  # None: skipped
    note: str = ""
    baseline: float = None
    baseline_name: str = ""
    extra: dict = field(default_factory=dict)


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


def figures(size=None, names=None):
    found = sorted(_registry.values(), key=lambda f: (f.order, f.name))
    if size:
        found = [f for f in found if f.sizes is None or size in f.sizes]
    if names:
        found = [f for f in found if f.name in names]
    return found


def p95(values):
    """Nearest-rank 95th percentile."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


class Bench:
    """What a figure receives."""

    BASELINE_URL = "/__bench__/select1/"

    def __init__(self, size, requests=60, demo_seconds=None, demo_note="", log=print):
        from orgs import demo
        from orgs.models import OrgKind, OrgNode, User

        self.size = size
        self.requests = requests  # measured requests per figure (after one warm-up pass)
        self.demo_seconds = demo_seconds
        self.demo_note = demo_note
        self.log = log
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

    def get_ms(self, client, url):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise AssertionError(f"GET {url} answered {response.status_code}")
        return elapsed

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
        """p95 (ms) of the bare view (one ``SELECT 1``) through the same clients, measured the same way."""
        key = (tuple(id(c) for c in clients), n or self.requests)
        if key not in self._baseline:
            self._baseline[key] = self.p95_of(clients, [self.BASELINE_URL], n)
        return self._baseline[key]


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


def verdict(fig, m):
    if m.value is None or fig.target is None:
        return ""
    ok = m.value >= fig.target if fig.higher_is_better else m.value <= fig.target
    return "ok" if ok else "MISS"


def format_line(fig, m):
    if m.value is None:
        word = "ERROR" if m.note.startswith("error:") else "skipped"
        return f"{fig.name:<26}{word} ({m.note})"
    target = "—"
    if fig.target is not None:
        target = ("≥ " if fig.higher_is_better else "≤ ") + f"{fig.target:g} {fig.unit}".strip()
    line = f"{fig.name:<26}{_fmt(m.value, fig.unit):>12}  {target:>10}  {verdict(fig, m):<4}"
    if m.baseline is not None:
        ratio = f", ×{m.value / m.baseline:.1f}" if m.baseline else ""
        line += f"  baseline {m.baseline_name or 'bare view'} {_fmt(m.baseline, fig.unit)}{ratio}"
    if m.note:
        line += f"  ({m.note})"
    return line.rstrip()


def run(bench, names=None, emit=print):
    """Measure every registered figure for ``bench.size``; print one line each. Returns [(Figure, Measured)]."""
    results = []
    for fig in figures(bench.size, names):
        try:
            m = fig.fn(bench)
        except Exception as exc:  # one broken figure must not hide the others
            m = Measured(None, note=f"error: {type(exc).__name__}: {exc}")
        if not isinstance(m, Measured):
            m = Measured(m)
        results.append((fig, m))
        emit(format_line(fig, m))
    return results
