"""The scorecard figures over a grown mine, in minutes instead of the hour of size mine:

    python bench/grow_scorecard.py [--branches 60] [--people 5000] [bench/run.py options …]

``bench/run.py --size small`` (its demo steps and fills at small size: 3,000 hazards, 600 petitions, a year of daily
answers for every worker) over a first mine rebuilt with ``--branches`` 党支部 (the 25 of a full mine, repeated with
a numbered name) and ``--people`` workers, in a database of its own (``$HONGLING_DATA_DIR/grown-<b>-<p>/``). Then
``--breakdown`` prints, per indicator of the mine's year, its time and its number of queries.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def grown_spec(full_mine, branches):
    """``branches`` branches: the full mine's, then its 区队 branches again with 二, 三 … in their names (the 机关
    offices are named once)."""
    numbers = "二三四五六七八九"
    out = list(full_mine[:branches])
    units = [spec for spec in full_mine if spec[1] is None]
    for n in range(branches - len(out)):
        rnd, (branch, general, optional, parts) = n // len(units), units[n % len(units)]
        tag = numbers[rnd % len(numbers)]
        parts = tuple((f"{name}{tag}", profile, weight) for name, profile, weight in parts)
        out.append((branch.replace("党支部", f"{tag}党支部"), general, optional, parts))
    return tuple(out)


def breakdown(branches_note=""):
    """Per indicator of the first mine's year: milliseconds (median of 3) and queries, on a fresh context each."""
    import time
    from datetime import date

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.harness import Bench
    from scorecard import access, indicators, services

    b = Bench("small", log=lambda *a: None)
    today = timezone.localdate()
    branches = access.branches_of(b.mine)
    print(f"# breakdown: {len(branches)} branches of {b.mine.name}, {date(today.year, 1, 1)} – {today}")
    total = 0.0
    for ind in indicators.available():
        times = []
        for _ in range(3):
            ctx = indicators.Context(branches=branches, start=date(today.year, 1, 1), end=today, as_of=today)
            with CaptureQueriesContext(connection) as q:
                t0 = time.perf_counter()
                ind.fn(ctx)
                times.append((time.perf_counter() - t0) * 1000)
        ms = sorted(times)[1]
        total += ms
        print(f"{ind.code:14} {ms:9.1f} ms  {len(q.captured_queries):5d} queries")
    with transaction.atomic():
        scheme = services.create_example_scheme(
            b.accounts["committee"], mine=b.mine, start=date(today.year, 1, 1), end=today
        )
        with CaptureQueriesContext(connection) as q:
            t0 = time.perf_counter()
            services.compute(scheme, today, branches)
            ms = (time.perf_counter() - t0) * 1000
        transaction.set_rollback(True)
    print(f"{'(indicators)':14} {total:9.1f} ms")
    print(f"{'compute()':14} {ms:9.1f} ms  {len(q.captured_queries):5d} queries (the whole year scorecard)")


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=60)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--breakdown", action="store_true", help="only the per-indicator breakdown (no figures)")
    args, rest = parser.parse_known_args(argv)
    base = Path(os.environ.get("HONGLING_DATA_DIR", ROOT / "data")).resolve()
    os.environ["HONGLING_DATA_DIR"] = str(base / f"grown-{args.branches}-{args.people}")
    sys.path.insert(0, str(ROOT))
    from bench import run

    setup = run.setup_django

    def grown_setup():
        setup()
        from orgs import demo

        plans = demo.mine_plans

        def mine_plans(size):
            found = plans(size)
            first = found[0]
            first.spec = grown_spec(demo.FULL_MINE, args.branches)
            first.people = args.people
            return found

        demo.mine_plans = mine_plans

    run.setup_django = grown_setup
    if args.breakdown:
        run.bench_database("small")
        grown_setup()
        run.prepare("small")
        breakdown()
        return 0
    return run.main(["--size", "small", *rest])


if __name__ == "__main__":
    sys.exit(main())
