"""Figures of the home pages (issue 15): each role's home next to the bare view, and where the time of a home goes.

``home_<role>_after_hazard_p95`` figures time ``GET /`` for the secretary, the mine's 党委, the 安监员 and a worker
right after a hazard is registered in the mine (before each request the generations of the tables a registration
writes are raised, as its commit raises them: the parts that read those tables are computed, the others kept),
interleaved with the bare ``select1`` view through the same client. The tables are found by registering one hazard
through the service in a transaction that is rolled back. ``home_<role>_cold_p95``: the same with nothing kept (the
cache emptied before each request: every part computed, as for the first home of the day or after a change to the
people or the org tree, which every part reads). The notes give the query counts and the home with all its parts
kept. (The homes with their kept parts are also ``secretary_home_p95`` / ``home_<role>_p95``.)

``breakdown(bench)`` (called by ``bench/run.py`` after the figures) prints, per role, the time (median and p95) and
the query count of every part of the home: the scope read, each card, each notice provider, each tile provider,
each 待办 provider, the roster summary and the menu, then the whole view and the bare view. Each part runs on the
same user object in the order the view runs them, so what one part memoises for the next (the user's roles, their
mine) is counted where it is first read, as in a request.
"""

import statistics
import time

from bench.harness import Measured, figure, p95

ROLES = (
    ("secretary", "支部书记"),
    ("committee", "矿党委"),
    ("safety", "安监员"),
    ("worker", "职工"),
)
TARGETS = {"secretary": 75, "committee": 100, "safety": 100, "worker": 30}
ROUNDS = 20  # per part in the breakdown


def _name(fn):
    return f"{fn.__module__.split('.')[0]}.{fn.__name__}"


def _fresh_user(user):
    """The same account as a new request would load it (no memoised roles)."""
    from orgs.models import User

    return User.objects.select_related("person").get(pk=user.pk)


def _parts():
    """[(group, name, fn(user, request))] in the order the home view runs them."""
    from common import modules, todos
    from common.context_processors import navigation
    from orgs import scope
    from orgs.services import roster_summary

    parts = [("scope", "orgs.roles", lambda u, r: scope.roles_of(u))]
    parts += [("card", _name(p), (lambda p: lambda u, r: p(u, r))(p)) for p in modules._cards]
    parts += [("notice", _name(p), (lambda p: lambda u, r: list(p(u, _since())))(p)) for p in modules._notices]
    parts += [("actions", "common.actions_for", lambda u, r: modules.actions_for(u))]
    for number in sorted(modules._tiles):
        parts += [(f"tile {number}", _name(p), (lambda p: lambda u, r: list(p(u)))(p)) for p in modules._tiles[number]]
    parts += [("待办", _name(p), (lambda p: lambda u, r: list(p(u)))(p)) for p in todos._providers]
    parts += [("summary", "orgs.roster_summary", lambda u, r: roster_summary(u) if scope.can(u, "roster") else None)]
    parts += [("menu", "common.navigation", lambda u, r: navigation(r))]
    return parts


def _since():
    from datetime import timedelta

    from django.utils import timezone

    from common.modules import NOTICE_DAYS

    return timezone.now() - timedelta(days=NOTICE_DAYS)


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1")
    request.user = user
    return request


def _measure_parts(account, rounds=ROUNDS):
    """{name: (group, [ms], queries)} for ``account``'s home, ``rounds`` times over fresh user objects."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    parts = _parts()
    out = {name: (group, [], 0) for group, name, _ in parts}
    for _round in range(rounds + 1):  # the first round warms up and is dropped
        user = _fresh_user(account)
        request = _request_for(user)
        for group, name, fn in parts:
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                fn(user, request)
                elapsed = (time.perf_counter() - started) * 1000
            if _round:
                out[name][1].append(elapsed)
                out[name] = (group, out[name][1], len(queries))
    return out


class _Count:
    """Counts the statements run while it is installed (a request resets ``connection.queries``)."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def _queries_of(b, client, url, before):
    from django.db import connection

    before()
    counter = _Count()
    with connection.execute_wrapper(counter):
        b.get_ms(client, url)
    return counter.n


def _nothing():
    return None


def _view_figures(b, account, n, before=_nothing):
    """(p95 ms of GET /, p95 ms of the bare view, queries of one GET /), the two interleaved on one client;
    ``before()`` runs before each GET / (outside its time)."""
    client = b.client(account)
    b.get_ms(client, "/")
    b.get_ms(client, b.BASELINE_URL)
    queries = _queries_of(b, client, "/", before)
    home, bare = [], []
    for _i in range(n):
        before()
        home.append(b.get_ms(client, "/"))
        bare.append(b.get_ms(client, b.BASELINE_URL))
    return p95(home), p95(bare), queries


def _empty_cache():
    from common import homecache

    homecache.clear()


_registration_tables = []


def tables_a_registration_writes(b):
    """The tables ``hazards.services.register`` writes (found once, in a transaction that is rolled back)."""
    if not _registration_tables:
        from django.db import connection, transaction

        from common import homecache
        from hazards import services
        from hazards.models import Hazard

        reporter = b.accounts["worker"]
        like = Hazard.objects.visible_to(reporter).select_related("location").order_by("-pk").first()
        written = set()

        def note(execute, sql, params, many, context):
            table = homecache.written_table(sql) if isinstance(sql, str) else None
            if table:
                written.add(table)
            return execute(sql, params, many, context)

        with transaction.atomic(), connection.execute_wrapper(note):
            services.register(reporter, location=like.location, grade=like.grade, category=like.category,
                              description="巷道顶板有离层现象")  # fmt: skip
            transaction.set_rollback(True)
        _registration_tables.extend(sorted(written))
    return _registration_tables


def _home_figure(role, after):
    def measure(b):
        from common import homecache

        account = b.accounts.get(role)
        missing = [name for name in (role, "worker") if name not in b.accounts]  # (the worker registers the hazard)
        if missing:
            from bench.harness import skipped

            return skipped(f"no {' or '.join(missing)} account")
        if after == "cold":
            before, what = _empty_cache, "nothing kept"
        else:
            tables = tables_a_registration_writes(b)

            def before():
                homecache.bump(tables)

            what = f"raised before each: {', '.join(tables)}"
        measured, bare, measured_queries = _view_figures(b, account, max(b.requests, 50), before)
        home, _bare, queries = _view_figures(b, account, max(b.requests, 50))
        return Measured(
            measured,
            baseline=bare,
            baseline_name="select1",
            note=f"{measured_queries} queries ({what}); with all its parts kept p95 {home:.1f} ms, {queries} queries",
        )

    measure.__doc__ = (
        f"p95 of the {role}'s home (GET /) {'with nothing kept' if after == 'cold' else 'after a hazard registration'}"
        ", interleaved with the bare view; its query count, and the same home with all its parts kept."
    )
    return measure


for _order, (_role, _label) in enumerate(ROLES):
    figure(f"home_{_role}_after_hazard_p95", target=TARGETS[_role], order=43 + _order / 10)(
        _home_figure(_role, "hazard")
    )
    figure(f"home_{_role}_cold_p95", target=TARGETS[_role], order=43.05 + _order / 10)(_home_figure(_role, "cold"))


def breakdown(b, emit=print, rounds=ROUNDS):
    """Print where each role's home spends its time and its queries (see the module's docstring)."""
    emit("# home breakdown: median / p95 ms and queries of each part, in the view's order, per role")
    for role, label in ROLES:
        account = b.accounts.get(role)
        if account is None:
            continue
        parts = _measure_parts(account, rounds)
        home, bare, queries = _view_figures(b, account, rounds * 5)
        cold, _bare, cold_queries = _view_figures(b, account, rounds * 2, _empty_cache)
        emit(
            f"## {role} ({label}): GET / p95 {home:.1f} ms, {queries} queries (nothing kept: p95 {cold:.1f} ms, "
            f"{cold_queries} queries); select1 p95 {bare:.1f} ms"
        )
        total_ms = total_q = 0
        for name, (group, times, count) in parts.items():
            median = statistics.median(times)
            total_ms += median
            total_q += count
            if median < 0.05 and not count:
                continue
            emit(f"   {group:<9}{name:<38}{median:>7.2f} {p95(times):>7.2f} ms {count:>3} q")
        emit(f"   {'sum':<9}{'(parts, medians)':<38}{total_ms:>7.2f} {'':>7}    {total_q:>3} q")
