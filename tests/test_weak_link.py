"""A worker's phone on a weak link (issue 15): 400 kbit/s and 400 ms round trip, emulated by Chromium
(CDP ``Network.emulateNetworkConditions``), with static files served the way production serves them (collectstatic
with hashed names and gzip/brotli copies, whitenoise in the app, no Django static handler).

The worker's home loads within 3 s with an empty cache and within 1 s with a warm one; the hazard statistics page
(the heaviest, with charts) is measured and printed. "Loaded" is the later of the load event and the end of the
last response the page asked for. Each figure is the best of a few loads, each printed with the time from the page's
request to its first byte (the server's rendering, and some of the link's delay): the machine the tests run on is
shared, and a busy server is not what this test measures (the bench times the pages themselves)."""

import pytest
from django.db import connections
from django.test.utils import override_settings

from bench.weaklink import Link, collect_static

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Hongling@2026"  # the demo's
WORKER, SECRETARY = "100005", "100001"  # 登录名 of the demo (README)
COLD_LIMIT, WARM_LIMIT = 3.0, 1.0  # seconds
COLD_BYTES_LIMIT = 100_000  # on the wire, headers included
WARM_BYTES_LIMIT = 15_000
COLD_RUNS, WARM_RUNS = 2, 3


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic as `make serve` runs it: hashed names, compressed copies (once for the module)."""
    served, seconds = collect_static(tmp_path_factory.mktemp("staticfiles"))
    print(f"\ncollectstatic (hashed, gzip + brotli): {seconds:.1f} s")
    return served


@pytest.fixture
def production_server(collected, transactional_db):
    """The app as gunicorn runs it (whitenoise serves /static/ from STATIC_ROOT), in a thread of this process so it
    shares the test database."""
    from django.test.testcases import LiveServerThread

    from orgs import demo as demo_data

    demo_data.generate("small", log=lambda message: None)
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["127.0.0.1", "localhost"], **collected):
        shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
        for conn in shared.values():
            conn.inc_thread_sharing()
        thread = LiveServerThread("127.0.0.1", static_handler=lambda handler: handler, connections_override=shared)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        try:
            yield f"http://127.0.0.1:{thread.port}"
        finally:
            thread.terminate()
            for conn in shared.values():
                conn.dec_thread_sharing()


def _show(label, figure):
    runs = ", ".join(f"{s:.2f} s (first byte {a:.2f} s)" for s, a in figure["runs"])
    print(f"{label}: {figure['seconds']:.2f} s, {figure['bytes'] / 1000:.1f} KB over {figure['requests']} requests")
    print(f"    loads: {runs}")
    for url, n in figure["files"]:
        print(f"    {n / 1000:7.1f} KB  {url}")


def test_workers_home_on_a_weak_link_and_the_hazard_statistics(chromium, production_server):
    link = Link(chromium, production_server)
    try:
        link.login(WORKER, PASSWORD)
        cold = link.best("/", cold=True, runs=COLD_RUNS)
        warm = link.best("/", cold=False, runs=WARM_RUNS)
        assert link.page.locator("nav.tab-bar").count() == 1, "not the logged-in home"
        link.context.clear_cookies()
        link.login(SECRETARY, PASSWORD)
        stats_cold = link.best("/hazards/stats/", cold=True, runs=1)
        stats_warm = link.best("/hazards/stats/", cold=False, runs=1)
        drawn = link.page.evaluate("document.querySelectorAll('[_echarts_instance_] canvas').length")
    finally:
        link.close()
    print()
    _show("worker home, cold cache", cold)
    _show("worker home, warm cache", warm)
    _show("hazard statistics, cold cache", stats_cold)
    _show("hazard statistics, warm cache", stats_warm)
    assert drawn >= 2, "the hazard statistics draw no charts"
    assert cold["seconds"] <= COLD_LIMIT, f"cold home {cold['seconds']:.2f} s > {COLD_LIMIT} s"
    assert warm["seconds"] <= WARM_LIMIT, f"warm home {warm['seconds']:.2f} s > {WARM_LIMIT} s"
    assert cold["bytes"] <= COLD_BYTES_LIMIT, f"cold home {cold['bytes']} bytes > {COLD_BYTES_LIMIT}"
    assert warm["bytes"] <= WARM_BYTES_LIMIT, f"warm home {warm['bytes']} bytes > {WARM_BYTES_LIMIT}"
