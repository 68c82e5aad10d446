"""Shift start on loopback (SPEC §8, issue 14 finding 13): many workers answer the 每日一题 within a window while the
branch secretaries open their home page and lists; p95 and errors per page, next to the bare baseline view
(``/__bench__/select1/``, one SELECT behind the same middleware and login) measured under the same load.

    python bench/shift_start.py                              # 5,000 workers within 15 minutes (size "mine")
    python bench/shift_start.py --quick                      # CI-like: 150 workers within 40 s (size "small")
    make bench-shift [QUICK=1]

Use PostgreSQL (``DATABASE_URL``; the bench database ``<name>_bench_<size>`` is built or reused like
``bench/run.py``); SQLite takes one writer at a time and measures that instead. gunicorn (gthread) serves on a free
loopback port; clients are processes (bench/loadgen.py) that pause 0.5–1.5 s between requests as people do. The
number of clients is what it takes for the workers to get through in the window: each one answers for one worker
after another.
"""

import argparse
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import bench_database, setup_django  # noqa: E402

SECRETARY_PAGES = [
    ("首页", "/"),
    ("人员", "/people/"),
    ("隐患", "/hazards/"),
    ("三违", "/violations/"),
    ("党员无违章", "/vanguard/"),
    ("一课一案", "/training/lessons/"),
    ("薄弱人物", "/care/"),
]
BASELINE = ("基准 select1", "/__bench__/select1/")
THINK = (0.5, 1.5)


def secretaries(mine, count):
    """The mine's secretaries (one per branch), made for the branches that have none yet, up to ``count``."""
    from django.contrib.auth.hashers import make_password

    from orgs.models import OrgKind, OrgNode, Role, RoleAssignment, User

    branches = list(OrgNode.objects.filter(kind=OrgKind.BRANCH, path__startswith=mine.path).order_by("path")[:count])
    users = []
    for branch in branches:
        held = RoleAssignment.objects.filter(role=Role.SECRETARY, org=branch).select_related("user").first()
        if held is None:
            user, _ = User.objects.get_or_create(
                username=f"bench-sec-{branch.pk}",
                defaults={"password": make_password(None), "must_change_password": False},
            )
            RoleAssignment.objects.get_or_create(user=user, role=Role.SECRETARY, org=branch)
            users.append(user)
        else:
            users.append(held.user)
    return users


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)] if ordered else None


def run(workers=5000, window=900.0, secretary_count=25, size="mine", rounds=None, log=print):
    label, sidecar = bench_database(size)
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from bench import harness, loadgen
    from training.bench import answer_for, prepare
    from training.models import DailyQuestion

    log(f"# shift start: {workers} workers within {window:.0f} s, {secretary_count} secretaries; {label}")
    prepare(size, sidecar, log=log)
    bench = harness.Bench(size, log=log)
    people = prepare(bench, workers)
    if len(people) < workers:
        log(f"# only {len(people)} on-duty workers in the first mine")
    heads = secretaries(bench.mine, secretary_count)
    cookies = loadgen.sessions(people + heads)

    # each worker: open the question, answer it; a client goes from one worker to the next
    per_worker = 2 * (sum(THINK) / 2) + 0.15
    clients_workers = max(2, math.ceil(len(people) * per_worker / window))
    # each secretary: every page and the baseline in turn, for the whole window
    page_round = len(SECRETARY_PAGES) + 1
    rounds = rounds or max(1, int(window / (page_round * (sum(THINK) / 2 + 0.2))))

    def worker_job(user):
        cookie, csrf = cookies[user.pk]
        return (cookie, csrf, [
            ("GET", "/api/training/daily", None, "每日一题 取题"),
            ("POST", lambda d: f"/api/training/daily/{d['id']}/answer", lambda d: {"answer": answer_for(d)},
             "每日一题 作答"),
        ])  # fmt: skip

    def secretary_job(user):
        cookie, csrf = cookies[user.pk]
        steps = []
        for _ in range(rounds):
            steps += [("GET", path, None, name) for name, path in SECRETARY_PAGES]
            steps.append(("GET", BASELINE[1], None, BASELINE[0]))
        return (cookie, csrf, steps)

    clients = len(heads) + clients_workers
    # drive() gives job j to client j % clients: each secretary keeps a client of their own for the whole window
    # (an empty script fills the secretaries' places in later rounds), the workers share the others
    jobs = [secretary_job(u) for u in heads]
    waiting = [worker_job(u) for u in people]
    while waiting:
        jobs.append(("", "", []) if len(jobs) % clients < len(heads) else waiting.pop(0))
    by_label = {}
    with loadgen.Server() as server:
        # warm-up: every worker process connects and renders each page once
        warm = [(cookies[u.pk][0], cookies[u.pk][1], [("GET", p) for _, p in SECRETARY_PAGES]) for u in heads[:4]]
        loadgen.drive(server.port, warm, len(warm))
        started = time.perf_counter()
        # secretaries first in the job list: drive() deals jobs round-robin, so each secretary has a client
        _t, errors, seconds = loadgen.drive(server.port, jobs, clients, think=THINK, by_label=by_label)
    answered = DailyQuestion.objects.filter(
        person__in=[u.person_id for u in people], date=bench.today(), answered_at__isnull=False
    ).count()
    rows = []
    for name in ["每日一题 取题", "每日一题 作答"] + [n for n, _ in SECRETARY_PAGES] + [BASELINE[0]]:
        values = by_label.get(name, [])
        ok = [v for v in values if v is not None]
        rows.append((name, len(values), len(values) - len(ok), p95(ok)))
    result = {
        "date": timezone.localdate().isoformat(),
        "database": f"{label} ({connection.vendor})",
        "workers": len(people),
        "answered": answered,
        "secretaries": len(heads),
        "clients": clients,
        "window": window,
        "seconds": seconds,
        "wall": time.perf_counter() - started,
        "rows": rows,
        "errors": errors[:5],
        "cpus": os.cpu_count(),
    }
    log(format_result(result))
    return result


def format_result(r):
    base = next(p for name, _n, _e, p in r["rows"] if name == BASELINE[0])
    lines = [
        f"# {r['date']} {r['database']}, {r['cpus']} CPUs",
        f"# {r['workers']} workers answered {r['answered']} questions in {r['seconds']:.0f} s "
        f"(window {r['window']:.0f} s), {r['secretaries']} secretaries, {r['clients']} clients",
        "| page | requests | errors | p95 ms | × baseline |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, count, errors, value in r["rows"]:
        ratio = f"{value / base:.1f}" if value and base else "—"
        shown = f"{value:.0f}" if value is not None else "—"
        lines.append(f"| {name} | {count} | {errors} | {shown} | {ratio} |")
    for e in r["errors"]:
        lines.append(f"# error: {e}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="红领 shift-start load test (loopback gunicorn)")
    parser.add_argument("--workers", type=int, default=5000)
    parser.add_argument("--minutes", type=float, default=15)
    parser.add_argument("--secretaries", type=int, default=25)
    parser.add_argument("--size", choices=("small", "mine", "group"), default="mine")
    parser.add_argument("--quick", action="store_true", help="150 workers within 40 s on the small data (CI)")
    args = parser.parse_args(argv)
    if args.quick:
        args.workers, args.minutes, args.secretaries, args.size = 150, 40 / 60, 5, "small"
    result = run(args.workers, args.minutes * 60, args.secretaries, args.size)
    failed = sum(e for _n, _c, e, _p in result["rows"])
    return 1 if failed or result["answered"] < result["workers"] else 0


if __name__ == "__main__":
    sys.exit(main())
