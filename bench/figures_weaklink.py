"""Figures of a phone on a weak link (issue 15): a worker's home with an empty and with a warm browser cache (≤ 3 s,
≤ 1 s) and the hazard statistics page (the heaviest, with charts; no target), on a 375-px Chromium whose traffic
goes through 400 kbit/s and 400 ms (``bench/weaklink.py``, the same piece ``tests/test_weak_link.py`` uses).

The site runs as production runs it: gunicorn on the bench database, static files collected with hashed names and
gzip/brotli copies, served by whitenoise. Beside each page load the bare view ``select1`` is loaded over the same
link (page first, then baseline first, alternately): the link's own floor, one round trip and a few hundred bytes.
The figure is the p95 of the loads (n per size below), with p50 and min–max. Without Chromium the figures are
skipped with a note.
"""

import atexit
import os
import shutil
import tempfile

from bench.harness import Measured, Stats, figure, p95, skipped

LOADS = {"small": 4, "mine": 20, "group": 20}  # page loads per figure (each beside a baseline load)

_session = {}


def _site(b):
    """(Link, base URL) of a running production-like site, started once per bench run; None without Chromium."""
    if "link" in _session:
        return _session
    from bench import weaklink

    if not os.path.exists(weaklink.CHROMIUM):
        return None
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    from playwright.sync_api import sync_playwright

    from bench.loadgen import Server, sessions

    root = tempfile.mkdtemp(prefix="hongling-weaklink-static-")
    _session["cleanup"] = [lambda: shutil.rmtree(root, ignore_errors=True)]
    atexit.register(_close)
    _served, seconds = weaklink.collect_static(root)
    server = Server(workers=2, threads=4, env={"STATIC_ROOT": root, "HONGLING_MANIFEST_STATIC": "1"}).__enter__()
    _session["cleanup"].insert(0, lambda: server.__exit__(None, None, None))
    playwright = sync_playwright().start()
    browser = weaklink.launch(playwright)
    _session["cleanup"][:0] = [browser.close, playwright.stop]
    _session["base"] = f"http://127.0.0.1:{server.port}"
    _session["cookies"] = {}
    _session["collect_seconds"] = seconds
    _session["link"] = lambda: weaklink.Link(browser, _session["base"])
    _session["sessions"] = sessions
    return _session


def _close():
    for step in _session.pop("cleanup", []):
        try:
            step()
        except Exception:  # noqa: BLE001 - closing down at exit; nothing left to report to
            pass
    _session.clear()


def _loads(b, account, path, *, cold):
    site = _site(b)
    if site is None:
        return skipped("Chromium 不存在 (apt-get install -y chromium): not measured")
    user = b.accounts.get(account)
    if user is None:
        return skipped(f"no {account} account in this database")
    if user.pk not in site["cookies"]:
        site["cookies"][user.pk] = site["sessions"]([user])[user.pk][0]
    link = site["link"]()
    try:
        link.use_cookies(site["cookies"][user.pk])
        link.load(path, cold=False)  # warm-up: the server's first render, and the warm cache's contents
        link.load(b.BASELINE_URL, cold=False)
        pages, bases, last = [], [], None
        for i in range(LOADS.get(b.size, 4)):
            order = [path, b.BASELINE_URL] if i % 2 == 0 else [b.BASELINE_URL, path]
            for url in order:
                got = link.load(url, cold=cold)
                if url == path:
                    pages.append(got["seconds"])
                    last = got
                else:
                    bases.append(got["seconds"])
        if path != "/" and not link.page.evaluate("document.querySelectorAll('[_echarts_instance_] canvas').length"):
            return skipped("error: the page drew no chart")
    finally:
        link.close()
    return Measured(
        p95(pages),
        baseline=p95(bases),
        baseline_name="select1 over the link",
        stats=Stats.of(pages),
        baseline_stats=Stats.of(bases),
        note=f"{'cold' if cold else 'warm'} cache; last load {last['bytes'] / 1000:.1f} KB over "
        f"{last['requests']} requests; collectstatic {site['collect_seconds']:.0f} s",
    )


@figure("weak_link_worker_home_cold", target=3.0, unit="s", order=95)
def worker_home_cold(b):
    """A worker's home on 400 kbit/s / 400 ms, empty browser cache (p95 of the loads)."""
    return _loads(b, "worker", "/", cold=True)


@figure("weak_link_worker_home_warm", target=1.0, unit="s", order=96)
def worker_home_warm(b):
    """A worker's home on 400 kbit/s / 400 ms, warm browser cache (p95 of the loads)."""
    return _loads(b, "worker", "/", cold=False)


@figure("weak_link_hazard_stats_cold", unit="s", order=97)
def hazard_stats_cold(b):
    """The hazard statistics page of a secretary on the same link, empty cache (no target: printed to follow it)."""
    return _loads(b, "secretary", "/hazards/stats/", cold=True)
