"""A worker's phone on a weak link (issue 15): 400 kbit/s and 400 ms round trip, emulated by Chromium
(CDP ``Network.emulateNetworkConditions``), with static files served the way production serves them (collectstatic
with hashed names and gzip/brotli copies, whitenoise in the app, no Django static handler).

The worker's home loads within 3 s with an empty cache and within 1 s with a warm one; the hazard statistics page
(the heaviest, with charts) is measured and printed. "Loaded" is the later of the load event and the end of the
last response the page asked for."""

import re
import time

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import override_settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Hongling@2026"  # the demo's
WORKER, SECRETARY = "100005", "100001"  # 登录名 of the demo (README)
LINK = {  # 400 kbit/s both ways, 400 ms from request to response headers
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
COLD_LIMIT, WARM_LIMIT = 3.0, 1.0  # seconds
COLD_BYTES_LIMIT = 100_000  # on the wire, headers included
WARM_BYTES_LIMIT = 15_000

LOADED = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const ends = performance.getEntriesByType('resource').map(r => r.responseEnd);
  return Math.max(nav.loadEventEnd, ...ends) / 1000;
}"""


# what the pages load: the compressed copies of the rest (the API docs' swagger-ui, other htmx builds, source maps)
# are left out here only to spare the test a few minutes of brotli
PAGE_FILES = re.compile(r"^(vendor|css|js|img)/|^django_htmx/htmx-2\.min\.")


class PageFilesCompressedStorage(CompressedManifestStaticFilesStorage):
    """The production storage (hashed names, gzip and brotli copies), compressing only the files pages load."""

    def compress_files(self, paths):
        yield from super().compress_files([p for p in paths if PAGE_FILES.match(p) and not p.endswith(".map")])


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic as `make serve` runs it: hashed names, compressed copies (once for the module)."""
    root = tmp_path_factory.mktemp("staticfiles")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": f"{__name__}.PageFilesCompressedStorage"},
    }
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        started = time.perf_counter()
        call_command("collectstatic", interactive=False, verbosity=0)
        print(f"\ncollectstatic (hashed, gzip + brotli): {time.perf_counter() - started:.1f} s")
    return {"STATIC_ROOT": root, "STORAGES": storages}


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


class Link:
    """A phone page whose traffic goes through the emulated link; counts what crosses it."""

    def __init__(self, chromium, base):
        self.base = base
        self.context = chromium.new_context(
            viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        self.page = self.context.new_page()
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("Network.enable")
        self.requests, self.wire = {}, {}
        self.cdp.on(
            "Network.requestWillBeSent", lambda e: self.requests.setdefault(e["requestId"], e["request"]["url"])
        )
        self.cdp.on("Network.loadingFinished", lambda e: self.wire.__setitem__(e["requestId"], e["encodedDataLength"]))

    def login(self, username):
        self.page.goto(self.base + "/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def load(self, path, *, cold):
        if cold:
            self.cdp.send("Network.clearBrowserCache")
        self.cdp.send("Network.emulateNetworkConditions", LINK)
        self.requests.clear()
        self.wire.clear()
        try:
            self.page.goto(self.base + path, wait_until="load")
            self.page.wait_for_load_state("networkidle")
            seconds = self.page.evaluate(LOADED)
        finally:
            self.cdp.send(
                "Network.emulateNetworkConditions",
                {**LINK, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            )
        sent = {rid: n for rid, n in self.wire.items() if n > 0}  # 0: served from the browser's cache
        return {
            "seconds": seconds,
            "bytes": sum(sent.values()),
            "requests": len(sent),
            "files": sorted((self.requests.get(rid, "?").replace(self.base, ""), n) for rid, n in sent.items()),
        }

    def close(self):
        self.context.close()


def _show(label, figure):
    print(f"{label}: {figure['seconds']:.2f} s, {figure['bytes'] / 1000:.1f} KB over {figure['requests']} requests")
    for url, n in figure["files"]:
        print(f"    {n / 1000:7.1f} KB  {url}")


def test_workers_home_on_a_weak_link_and_the_hazard_statistics(chromium, production_server):
    link = Link(chromium, production_server)
    try:
        link.login(WORKER)
        cold = link.load("/", cold=True)
        warm = link.load("/", cold=False)
        assert link.page.locator("nav.tab-bar").count() == 1, "not the logged-in home"
        link.context.clear_cookies()
        link.login(SECRETARY)
        stats_cold = link.load("/hazards/stats/", cold=True)
        stats_warm = link.load("/hazards/stats/", cold=False)
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
