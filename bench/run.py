"""Benchmarks (SPEC §8): `python bench/run.py --size small|mine|group` (or `make bench SIZE=...`).

Builds, or reuses, a database of its own per size, filled by `manage.py demo --size <size>` and then by every
registered fill (``@fill(name, version=N)``, bench/harness.py), all before the first figure:
    SQLite      $HONGLING_DATA_DIR/bench-<size>.sqlite3
    PostgreSQL  (DATABASE_URL set) the database <name>_bench_<size> on the same server, created if missing
The versions it was built with are kept in it (table ``bench_fill``); when one changed the database is flushed and
built again, otherwise it is reused and the output says so. Then one line per figure: name, measured, target,
ok|MISS, p50/p95/min–max/n of its samples, and the baseline measured beside it. See docs/benchmarks.md.
"""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SIZES = ("small", "mine", "group")


def data_dir():
    return Path(os.environ.get("HONGLING_DATA_DIR", ROOT / "data")).resolve()


def bench_database(size, environ=os.environ):
    """Point the settings at the bench database of ``size``; returns (label, sidecar path for the build time)."""
    url = environ.get("DATABASE_URL")
    if not url:
        path = data_dir() / f"bench-{size}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        environ["SQLITE_PATH"] = str(path)
        return f"SQLite {path}", path.with_suffix(".json")
    parts = urlsplit(url)
    base = parts.path.lstrip("/") or "hongling"
    name = f"{base}_bench_{size}"
    ensure_postgres_database(parts, name)
    environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + name))
    host = parts.hostname or "localhost"
    return f"PostgreSQL {host}:{parts.port or 5432}/{name}", data_dir() / f"bench-pg-{host}-{name}.json"


def ensure_postgres_database(parts, name):
    import psycopg
    from psycopg import sql

    kwargs = {
        "host": parts.hostname or "localhost",
        "port": parts.port or 5432,
        "user": parts.username or None,
        "password": parts.password or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**{k: v for k, v in kwargs.items() if v is not None}) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django():
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != here]
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hongling.settings")
    # Pages render {% static %} without a collectstatic manifest; the lookup cost is the same.
    os.environ.setdefault("HONGLING_MANIFEST_STATIC", "0")
    os.environ.setdefault("HONGLING_REQUEST_LOG", "0")  # one log line per timed request: noise, on both sides alike
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic needed here
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"  # the site plus the bare baseline view
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # a glyph warning per character of the PDF figures


def discover_figures():
    """Import bench/figures*.py and every app's bench.py: each registers its figures."""
    import importlib

    from django.utils.module_loading import autodiscover_modules

    for path in sorted(Path(__file__).resolve().parent.glob("figures*.py")):
        importlib.import_module(f"bench.{path.stem}")
    autodiscover_modules("bench")


DEMO_VERSION = 1  # raise when a bench database's demo data must be made again (like a fill's version)
FILL_TABLE = "bench_fill"


def ensure_fill_table():
    """The bench database's record of what built it: one row per fill (and "demo") with its version."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {FILL_TABLE} (name varchar(100) PRIMARY KEY, version integer NOT NULL, "
            "built_at varchar(40) NOT NULL, seconds real, note text)"
        )


def recorded_fills():
    """{name: (version, built_at, seconds, note)} read from the bench database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, version, built_at, seconds, note FROM {FILL_TABLE}")
        return {name: (version, built, seconds, note) for name, version, built, seconds, note in cursor.fetchall()}


def record_fill(name, version, seconds, note):
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FILL_TABLE} WHERE name = %s", [name])
        cursor.execute(
            f"INSERT INTO {FILL_TABLE} (name, version, built_at, seconds, note) VALUES (%s, %s, %s, %s, %s)",
            [name, version, timezone.localtime().strftime("%Y-%m-%d %H:%M"), round(seconds, 2), str(note or "")[:500]],
        )


def flush_database(log=print):
    """Empty the bench database before it is built again: SQLite drops the file, PostgreSQL truncates every table."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        call_command("flush", interactive=False, verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_insert")
            cursor.execute(f"DROP TABLE IF EXISTS {FILL_TABLE}")
    call_command("migrate", verbosity=0, interactive=False)
    ensure_fill_table()


def prepare(size, sidecar=None, log=print, rebuild=False):
    """Migrate; build the demo data and every fill, or reuse them when the database holds their current versions.

    Every fill is built here, before any figure. A fill whose version changed (or that went away, or a database
    that records none) flushes the database and builds all again. Returns (demo seconds or None, note)."""
    from django.core.management import call_command
    from django.db import transaction

    from bench import harness
    from orgs import demo

    discover_figures()
    call_command("migrate", verbosity=0, interactive=False)
    ensure_fill_table()
    found = demo.existing_size()
    if found and found != size:
        raise SystemExit(f"bench database holds {found} data, expected {size}")
    records = recorded_fills()
    current = {"demo": DEMO_VERSION, **{f.name: f.version for f in harness.fills()}}
    action, reasons = harness.fill_plan(
        {name: r[0] for name, r in records.items()} or None, current, has_data=bool(found)
    )
    if rebuild and action != "build":
        action, reasons = "rebuild", ["--rebuild"]
    if action == "rebuild":
        log(f"# rebuilding the bench database: {'; '.join(reasons)}")
        flush_database(log)
        records = {}
    if action in ("build", "rebuild"):
        log(f"# building the {size} demo data ...")
        started = time.perf_counter()
        demo.generate(size, log=lambda msg: None)
        seconds = time.perf_counter() - started
        record_fill("demo", DEMO_VERSION, seconds, f"manage.py demo --size {size}")
        log(f"# demo v{DEMO_VERSION}: built now in {seconds:.1f} s")
        records = recorded_fills()
    bench = harness.Bench(size, log=log)
    todo = [f for f in harness.fills() if f.name not in records]
    for f in todo:
        started = time.perf_counter()
        with transaction.atomic():  # a fill that fails leaves nothing behind, and is built again next time
            note = f.fn(bench)
            seconds = time.perf_counter() - started
            record_fill(f.name, f.version, seconds, note)
        log(f"# fill {f.name} v{f.version}: built now in {seconds:.1f} s ({note})")
    if todo or action in ("build", "rebuild"):
        analyze()
    records = recorded_fills()
    reused = [f for f in harness.fills() if f not in todo]
    if reused:
        log(
            "# fills reused (same versions as built): "
            + ", ".join(f"{f.name} v{f.version} ({records[f.name][1]})" for f in reused)
        )
    version, built, seconds, _note = records["demo"]
    if action in ("build", "rebuild"):
        return seconds, "built now"
    return seconds, f"reused; built {built}"


def fill_notes():
    """{fill: the note it returned when built}, for the figures' lines."""
    return {name: r[3] for name, r in recorded_fills().items()}


def analyze():
    """Refresh the planner statistics and, on PostgreSQL, the visibility map after the bulk load, as a live database
    has them (autovacuum visits a table after that many inserts; without it no index-only scan is possible)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def main(argv=None):
    parser = argparse.ArgumentParser(description="红领 benchmarks (SPEC §8)")
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument(
        "--requests", type=int, help="measured samples per p95 figure (default: 40 at size small, 200 at mine/group)"
    )
    parser.add_argument("--only", nargs="*", help="names of the figures to measure")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure misses its target")
    parser.add_argument(
        "--quiet-check",
        nargs="?",
        type=int,
        const=5,
        default=0,
        metavar="ROUNDS",
        help="repeat each figure until the last 3 rounds lie within --tolerance, at most ROUNDS (default 5) rounds",
    )
    parser.add_argument("--tolerance", type=float, default=10.0, help="spread allowed by --quiet-check, in %% (10)")
    parser.add_argument("--rebuild", action="store_true", help="flush the bench database and build it again")
    args = parser.parse_args(argv)

    label, sidecar = bench_database(args.size)
    setup_django()
    import django
    from django.db import connection

    from bench import harness

    started = time.perf_counter()
    print(f"# bench size={args.size}  database: {label}  ({connection.vendor})")
    load, cores = harness.machine_load()
    print(
        f"# Python {sys.version.split()[0]}, Django {django.get_version()}, {cores} CPUs, load {load or 0:.1f}"
        + (f"  {harness.busy_note(load, cores)}" if harness.busy_note(load, cores) else "")
    )
    seconds, note = prepare(args.size, sidecar, rebuild=args.rebuild)
    bench = harness.Bench(args.size, requests=args.requests, demo_seconds=seconds, demo_note=note)
    bench.fill_notes = fill_notes()
    print(
        f"# {bench.requests} samples per p95, each page request next to one of the bare view select1 by the same"
        " client (page first, then baseline first, alternately)"
        + (
            f"; --quiet-check: up to {args.quiet_check} rounds, spread ≤ {args.tolerance:g} %"
            if args.quiet_check
            else ""
        )
    )
    print(harness.header())
    results = harness.run(bench, names=args.only, quiet_check=args.quiet_check, tolerance=args.tolerance / 100)
    print(f"# {len(results)} figures in {time.perf_counter() - started:.0f} s")
    # --- the home pages: time and queries per tile and 待办 provider (bench/figures_home.py, issue 15) ---
    if not args.only or any(name.startswith("home_") for name in args.only):
        from bench import figures_home

        figures_home.breakdown(bench)
    # ---
    missed = [fig.name for fig, m in results if harness.verdict(fig, m) == "MISS"]
    errors = [fig.name for fig, m in results if m.value is None and m.note.startswith("error:")]
    if errors:
        return 2
    return 1 if (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
