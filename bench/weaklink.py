"""A phone on a weak link (issue 15): 400 kbit/s both ways and 400 ms round trip, emulated by Chromium (CDP
``Network.emulateNetworkConditions``), against static files served as production serves them (collectstatic with
hashed names and gzip/brotli copies, whitenoise).

One piece for both users of it: ``tests/test_weak_link.py`` (asserts the limits on the demo) and
``bench/figures_weaklink.py`` (prints the figures of ``make bench`` against the bench database, next to the bare
view loaded over the same link).

"Loaded" is the later of the load event and the end of the last response the page asked for.
"""

import os
import re
import time

from whitenoise.storage import CompressedManifestStaticFilesStorage

CHROMIUM = "/usr/bin/chromium"  # Debian's (apt-get install -y chromium); never `playwright install`
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]

LINK = {  # 400 kbit/s both ways, 400 ms from request to response headers
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
UNLIMITED = {**LINK, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}

LOADED = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const ends = performance.getEntriesByType('resource').map(r => r.responseEnd);
  return [Math.max(nav.loadEventEnd, ...ends) / 1000, (nav.responseStart - nav.requestStart) / 1000];
}"""

# what the pages load: the compressed copies of the rest (the API docs' swagger-ui, other htmx builds, source maps)
# are left out only to spare a few minutes of brotli
PAGE_FILES = re.compile(r"^(vendor|css|js|img)/|^django_htmx/htmx-2\.min\.")


class PageFilesCompressedStorage(CompressedManifestStaticFilesStorage):
    """The production storage (hashed names, gzip and brotli copies), compressing only the files pages load."""

    def compress_files(self, paths):
        yield from super().compress_files([p for p in paths if PAGE_FILES.match(p) and not p.endswith(".map")])


def collect_static(root):
    """collectstatic into ``root`` as `make serve` runs it (hashed names, compressed copies); returns the settings
    that serve from there and the seconds it took."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": f"{__name__}.PageFilesCompressedStorage"},
    }
    started = time.perf_counter()
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return {"STATIC_ROOT": root, "STORAGES": storages}, time.perf_counter() - started


def launch(playwright):
    """Chromium, or None when it is not installed."""
    if not os.path.exists(CHROMIUM):
        return None
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


class Link:
    """A 375-px phone page whose traffic goes through the emulated link; counts what crosses it."""

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

    def login(self, username, password):
        """Through the login page, as a person does."""
        self.page.goto(self.base + "/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def use_cookies(self, header):
        """Log in with a ready session: ``header`` is a Cookie header ("sessionid=…; csrftoken=…")."""
        pairs = [part.strip().split("=", 1) for part in header.split(";") if "=" in part]
        self.context.add_cookies([{"name": k, "value": v, "url": self.base} for k, v in pairs])

    def load(self, path, *, cold):
        """One load of ``path`` over the link (``cold``: the browser's cache emptied first)."""
        if cold:
            self.cdp.send("Network.clearBrowserCache")
        self.cdp.send("Network.emulateNetworkConditions", LINK)
        self.requests.clear()
        self.wire.clear()
        try:
            self.page.goto(self.base + path, wait_until="load")
            self.page.wait_for_load_state("networkidle")
            seconds, answer = self.page.evaluate(LOADED)
        finally:
            self.cdp.send("Network.emulateNetworkConditions", UNLIMITED)
        sent = {rid: n for rid, n in self.wire.items() if n > 0}  # 0: served from the browser's cache
        return {
            "seconds": seconds,
            "answer": answer,
            "bytes": sum(sent.values()),
            "requests": len(sent),
            "files": sorted((self.requests.get(rid, "?").replace(self.base, ""), n) for rid, n in sent.items()),
        }

    def best(self, path, *, cold, runs):
        """The fastest of ``runs`` loads, with every load's time (the tests' figure: a shared machine's noise is
        not what they check)."""
        loads = [self.load(path, cold=cold) for _ in range(runs)]
        best = min(loads, key=lambda f: f["seconds"])
        best["runs"] = [(f["seconds"], f["answer"]) for f in loads]
        return best

    def close(self):
        self.context.close()
