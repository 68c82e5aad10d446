"""Benchmarks (SPEC §8): `python bench/run.py --size small|mine|group` (or `make bench SIZE=...`).

Builds, or reuses, a database of its own per size, filled by `manage.py demo --size <size>`:
    SQLite      $HONGLING_DATA_DIR/bench-<size>.sqlite3
    PostgreSQL  (DATABASE_URL set) the database <name>_bench_<size> on the same server, created if missing
then prints one line per figure: name, measured, target, ok|MISS, and the baseline beside it where
there is one. See docs/benchmarks.md.
"""

import argparse
import json
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
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic needed here
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"  # the site plus the bare baseline view


def discover_figures():
    """Import bench/figures*.py and every app's bench.py: each registers its figures."""
    import importlib

    from django.utils.module_loading import autodiscover_modules

    for path in sorted(Path(__file__).resolve().parent.glob("figures*.py")):
        importlib.import_module(f"bench.{path.stem}")
    autodiscover_modules("bench")


def prepare(size, sidecar, log=print):
    """Migrate, then build the demo data unless it is there. Returns (seconds or None, note)."""
    from django.core.management import call_command

    from orgs import demo

    call_command("migrate", verbosity=0, interactive=False)
    found = demo.existing_size()
    if found and found != size:
        raise SystemExit(f"bench database holds {found} data, expected {size}")
    if found:
        try:
            recorded = json.loads(sidecar.read_text())
            return recorded["seconds"], f"reused; built {recorded['date']}"
        except (OSError, ValueError, KeyError):
            return None, "database reused; generation time not recorded"
    log(f"building the {size} demo data ...")
    started = time.perf_counter()
    demo.generate(size, log=lambda msg: None)
    seconds = time.perf_counter() - started
    analyze()
    from django.utils import timezone

    sidecar.write_text(json.dumps({"seconds": round(seconds, 2), "date": timezone.localdate().isoformat()}))
    return seconds, "built now"


def analyze():
    """Refresh the planner statistics after the bulk load, as a live database would have them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main(argv=None):
    parser = argparse.ArgumentParser(description="红领 benchmarks (SPEC §8)")
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--requests", type=int, default=60, help="measured requests per figure (default 60)")
    parser.add_argument("--only", nargs="*", help="names of the figures to measure")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure misses its target")
    args = parser.parse_args(argv)

    label, sidecar = bench_database(args.size)
    setup_django()
    import django
    from django.db import connection

    from bench import harness

    print(f"# bench size={args.size}  database: {label}  ({connection.vendor})")
    print(f"# Python {sys.version.split()[0]}, Django {django.get_version()}, {os.cpu_count()} CPUs")
    seconds, note = prepare(args.size, sidecar)
    discover_figures()
    bench = harness.Bench(args.size, requests=args.requests, demo_seconds=seconds, demo_note=note)
    print(f"{'figure':<26}{'measured':>12}  {'target':>10}")
    results = harness.run(bench, names=args.only)
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
