"""What a user sees, across every page and every role (issue 9): the crawler the page tests share.

``awkward_world()`` builds the small demo (every module's demo step) and then makes the data awkward the way real
entries are: on one row of every model the optional fields are emptied (text blank, optional dates, numbers and
links unset), and a 包保 worker gets two 三违 on one day, one with a place and one without.

``crawl(client, user)`` starts at the home page and the menu and follows every link the user is shown, as that user,
keeping a few pages per URL pattern (and query keys), so every kind of page is opened with real ids. Each page is
checked by ``page_problems``: a 5xx, a link that leads to an error, raw Python text; and (issue 15: a page loads only
what it uses) an icon the shipped icon font lacks, hx-* attributes on a page that does not load htmx, data-bs-*
attributes (Bootstrap's JS is not loaded).
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.db import models
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

PER_PATTERN = 2  # pages opened per (URL pattern, query keys) and user
MAX_PAGES = 400  # per user: a crawl that grows past this has found a loop

# Text a user must never read: a model's default __str__, None shown as text, a Python list or dict, a diff of raw
# values, a method object, an English model or field name left untranslated.
RAW_TEXT = [
    (re.compile(r"\bobject \(\d+\)"), "a model without __str__"),
    (re.compile(r"\.None\b"), "a related manager printed"),
    (re.compile(r"\[['\"]"), "a Python list printed"),
    (re.compile(r"\{['\"]\w+['\"]:"), "a Python dict printed"),
    (re.compile(r"\bNone\b"), "None printed"),
    (re.compile(r"<bound method|<function |<django\.|<QuerySet"), "a Python repr printed"),
    (re.compile(r"\b(True|False)\b"), "a Python bool printed"),
    (re.compile(r"\b[a-z]+_[a-z_]+\b"), "a field or code name printed"),
]
# Latin words that are fine on a Chinese page (units, formats, grades, product names).
LATIN_OK = {
    "A",
    "B",
    "C",
    "D",
    "PDF",
    "Excel",
    "API",
    "OpenAPI",
    "ID",
    "IP",
    "FSRS",
    "HTMX",
    "MP4",
    "JPG",
    "PNG",
    "xlsx",
    "docx",
    "admin",
    "KR",
    "kg",
    "km",
    "MB",
    "KB",
    "GB",
    "CH4",
    "CO",
    "CO2",
    "O2",
    "H2S",
    "NO2",
    "SO2",
    "ppm",
    "m",
    "mm",
    "cm",
    "kV",
    "V",
    "kW",
    "Pa",
    "MPa",
    "kPa",
    "min",
    "s",
    "h",
    "mA",
    "Ω",
    "AB",
    "ABC",
    "Token",
    "token",
}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.texts, self.forms, self._skip = [], [], [], 0
        self._raw = []  # open elements marked data-raw: stored data shown as typed (codes, user names), not labels
        self.charts = False
        self.document = False  # a whole page (not a partial htmx swaps in)
        self.icons, self.htmx_attrs, self.bootstrap_attrs, self.htmx = set(), set(), set(), False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-raw" in a:
            self._raw.append(tag)
        elif self._raw and tag == self._raw[-1]:
            self._raw.append(tag)
        if tag in ("script", "style", "template"):
            self._skip += 1
            if tag == "script" and "echarts" in (a.get("src") or ""):
                self.charts = True
            if tag == "script" and "htmx" in (a.get("src") or ""):
                self.htmx = True
        if tag == "body":
            self.document = True
        self.icons |= {c[3:] for c in (a.get("class") or "").split() if c.startswith("bi-")}
        self.htmx_attrs |= {k for k in a if k.startswith("hx-") and k != "hx-headers"}
        self.bootstrap_attrs |= {k for k in a if k.startswith("data-bs-")}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if a.get(
            "hx-get"
        ):  # a partial the page loads on a tap (e.g. 查看敏感信息) is a page the role must be able to open
            self.links.append(a["hx-get"])
        if tag == "form":
            self.forms.append({"method": (a.get("method") or "get").lower(), "action": a.get("action")})
        for key in ("title", "placeholder", "aria-label", "alt"):
            if a.get(key):
                self.texts.append(a[key])
        if tag in ("input",) and (a.get("type") in ("submit", "button")) and a.get("value"):
            self.texts.append(a["value"])

    def handle_endtag(self, tag):
        if self._raw and tag == self._raw[-1]:
            self._raw.pop()
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and not self._raw and data.strip():
            self.texts.append(data.strip())


_shipped_icons = None


def shipped_icons():
    """The glyph names of the icon stylesheet `make assets` built (scripts/copy_assets.py)."""
    global _shipped_icons
    if _shipped_icons is None:
        from django.contrib.staticfiles import finders

        css = finders.find("vendor/bootstrap-icons/bootstrap-icons.min.css")
        text = open(css, encoding="utf-8").read() if css else ""
        _shipped_icons = set(re.findall(r"\.bi-([a-z0-9-]+)::before", text))
    return _shipped_icons


def asset_problems(page):
    """What a page uses that it does not load."""
    found = [f"an icon the icon font lacks: bi-{name}" for name in sorted(page.icons - shipped_icons())]
    if page.document and page.htmx_attrs and not page.htmx:
        found.append(f"{'/'.join(sorted(page.htmx_attrs))} without htmx (fill the block htmx)")
    if page.bootstrap_attrs:
        found.append(f"{'/'.join(sorted(page.bootstrap_attrs))}: Bootstrap's JS is not loaded")
    return found


def parse(html):
    page = _Page()
    page.feed(html)
    return page


def url_patterns():
    """Every page route of the URL conf (not the API): {route: name}."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.name

    return {route: name for route, name in walk(get_resolver().url_patterns) if not route.startswith("api/")}


def route_of(path):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


def raw_text_problems(texts, allowed=()):
    found = []
    for text in texts:
        if any(ok in text for ok in allowed):
            continue
        for pattern, why in RAW_TEXT:
            m = pattern.search(text)
            if m:
                found.append(f"{why}: “{text[:80]}”")
        for word in re.findall(r"(?<![A-Za-z0-9@._/-])[A-Za-z][A-Za-z ]{2,}[A-Za-z](?![A-Za-z0-9@._/-])", text):
            if not re.search(r"[\u4e00-\u9fff0-9]", text) and all(w not in LATIN_OK for w in word.split()):
                found.append(f"an English label: “{text[:80]}”")
                break
    return found


@dataclass
class Visit:
    url: str
    status: int
    route: str | None
    source: str
    charts: bool = False
    forms: list = field(default_factory=list)


def _key(url):
    parts = urlsplit(url)
    route = route_of(parts.path)
    keys = tuple(sorted({k for k, _ in parse_qsl(parts.query) if k not in ("page",)}))
    return route, keys


def _internal(href, current):
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path
    if not path.startswith("/"):
        base = current.rsplit("/", 1)[0]
        path = base + "/" + path
    if path.startswith(("/static/", "/media/", "/api/")):
        return None
    query = urlencode(sorted(parse_qsl(parts.query)))
    return path + ("?" + query if query else "")


def crawl(client, *, start=("/", "/menu/"), skip=()):
    """Follow every link the logged-in user is shown. Returns (visits, problems)."""
    seen, per_key, visits, problems = set(), defaultdict(int), [], []
    queue = [(url, "(start)") for url in start]
    while queue and len(visits) < MAX_PAGES:
        url, source = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        key = _key(url)
        if key[0] is None:
            problems.append(f"{url} (linked from {source}): no such page")
            continue
        if per_key[key] >= PER_PATTERN or any(url.startswith(s) for s in skip):
            continue
        per_key[key] += 1
        response = client.get(url)
        visit = Visit(url=url, status=response.status_code, route=key[0], source=source)
        visits.append(visit)
        if response.status_code >= 500:
            problems.append(f"{url} (linked from {source}): {response.status_code}")
            continue
        if response.status_code in (403, 404, 405, 409):
            problems.append(f"{url} (linked from {source}): {response.status_code} — a link the user cannot open")
            continue
        if response.status_code in (301, 302):
            continue
        ctype = response.get("Content-Type", "")
        if not ctype.startswith("text/html"):
            continue
        html = response.content.decode()
        page = parse(html)
        visit.charts, visit.forms = page.charts, page.forms
        for problem in raw_text_problems(page.texts) + asset_problems(page):
            problems.append(f"{url}: {problem}")
        for href in page.links:
            target = _internal(href, url)
            if target and target not in seen:
                queue.append((target, url))
    return visits, problems


def blank_optional_fields(model, instance):
    """Empty every optional field of one row, the way a user who leaves them blank would (not state fields)."""
    values = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or not f.editable or f.auto_created:
            continue
        if isinstance(f, (models.CharField, models.TextField)) and f.blank and not f.choices and not f.unique:
            if not f.null:
                values[f.name] = ""
        elif (
            f.null
            and f.blank
            and isinstance(
                f, (models.ForeignKey, models.DateField, models.DecimalField, models.IntegerField, models.FloatField)
            )
        ):
            values[f.name] = None
    if values:
        model._default_manager.filter(pk=instance.pk).update(**values)
    return values
