"""What a phone on a weak link downloads (issue 15): pages and JSON gzipped, static files hashed, compressed and
cached for good, ECharts cut down to what the page scripts draw and loaded only where charts are drawn, the icon
font cut down to the glyphs the project names, and no Bootstrap JS. (tests/test_weak_link.py measures the load
times in Chromium; the crawl checks every page for icons the font lacks and for htmx or Bootstrap attributes
without their script.)"""

import gzip
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import RequestFactory
from django.test.utils import override_settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
STATIC_JS = ROOT / "static" / "js"
ECHARTS_ENTRY = ROOT / "scripts" / "assets" / "echarts.js"
FULL_ECHARTS = ROOT / "node_modules" / "echarts" / "dist" / "echarts.min.js"


def _templates():
    for path in ROOT.glob("**/templates/**/*.html"):
        if not {".venv", "node_modules"} & set(path.parts):
            yield path, path.read_text()


# --- pages and JSON: gzip -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_are_gzipped_for_a_client_that_accepts_it(world, login):
    client = login(world.secretary)
    plain = client.get("/")
    zipped = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert plain.status_code == zipped.status_code == 200
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    page = gzip.decompress(zipped.content).decode()
    assert "<html" in page and "红领" in page
    assert len(zipped.content) < len(page.encode()) / 3, "the home page should shrink to under a third"


@pytest.mark.django_db
def test_json_is_gzipped_and_downloads_and_small_answers_are_not(world, login):
    client = login(world.committee_user)
    schema = client.get("/api/openapi.json", HTTP_ACCEPT_ENCODING="gzip")
    assert schema.status_code == 200 and schema["Content-Encoding"] == "gzip"
    assert gzip.decompress(schema.content).startswith(b"{")
    sheet = client.get(reverse("import_template", args=["roster"]), HTTP_ACCEPT_ENCODING="gzip")
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "Content-Encoding" not in sheet, "an xlsx is a zip already"
    health = client.get("/healthz", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in health and health.content.startswith(b"{"), "under a packet: sent as it is"


# --- static files: hashed, compressed, cached for good -------------------------------------------------------


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic with the production storage, of the icon stylesheet and font and our own stylesheet (the
    whole tree takes minutes of brotli; tests/test_weak_link.py collects it all)."""
    source, root = tmp_path_factory.mktemp("static-source"), tmp_path_factory.mktemp("staticfiles")
    icons = Path(finders.find("vendor/bootstrap-icons/bootstrap-icons.min.css")).parent
    shutil.copytree(icons, source / "vendor" / "bootstrap-icons")
    shutil.copytree(ROOT / "static" / "css", source / "css")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    production = {
        "STATIC_ROOT": root,
        "STORAGES": storages,
        "DEBUG": False,
        "STATICFILES_DIRS": [source],
        "STATICFILES_FINDERS": ["django.contrib.staticfiles.finders.FileSystemFinder"],
    }
    with override_settings(**production):
        call_command("collectstatic", interactive=False, verbosity=0)
    return production


def _serve(url, **headers):
    from whitenoise.middleware import WhiteNoiseMiddleware

    middleware = WhiteNoiseMiddleware(get_response=lambda request: None)
    return middleware(RequestFactory().get(url, **headers))


@pytest.fixture
def production_static(collected):
    with override_settings(**collected):
        yield collected["STATIC_ROOT"]


def test_hashed_static_files_are_cached_for_good_and_sent_compressed(production_static):
    from django.templatetags.static import static

    css = static("vendor/bootstrap-icons/bootstrap-icons.min.css")
    assert re.search(r"\.[0-9a-f]{12}\.css$", css), css
    response = _serve(css, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1)) >= 365 * 24 * 3600
    assert response["Content-Encoding"] == "br"
    assert _serve(css, HTTP_ACCEPT_ENCODING="gzip")["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in _serve(css), "plain for a client that asks for no compression"
    # the stylesheet names the font by its hashed name, so the font is cached for good too
    hashed_font = re.search(r"fonts/bootstrap-icons\.[0-9a-f]{12}\.woff2", (production_static / css[8:]).read_text())
    assert hashed_font, "the font's URL in the stylesheet is not hashed"
    font = _serve("/static/vendor/bootstrap-icons/" + hashed_font.group(0), HTTP_ACCEPT_ENCODING="gzip, br")
    assert font.status_code == 200 and "immutable" in font["Cache-Control"]
    assert "Content-Encoding" not in font, "woff2 is compressed already"
    # an unhashed name may change under the same URL: cached for a minute only
    plain = _serve("/static/css/hongling.css")
    assert plain.status_code == 200 and "immutable" not in plain["Cache-Control"]


# --- ECharts: only what the page scripts draw, only on the pages that draw -------------------------------------

# option keys of the page scripts -> the ECharts component that draws them
COMPONENTS = {
    "title": "TitleComponent",
    "tooltip": "TooltipComponent",
    "legend": "LegendComponent",
    "grid": "GridComponent",
    "xAxis": "GridComponent",
    "yAxis": "GridComponent",
    "radar": "RadarComponent",
}


def test_the_echarts_bundle_registers_every_chart_type_and_component_the_page_scripts_use():
    entry = ECHARTS_ENTRY.read_text()
    registered = set(re.findall(r"\b([A-Z]\w+(?:Chart|Component|Renderer))\b", entry.split("use([")[1]))
    needed = {"CanvasRenderer"}
    for script in STATIC_JS.glob("*.js"):
        text = script.read_text()
        if "echarts.init" not in text:
            continue
        needed |= {t.capitalize() + "Chart" for t in re.findall(r"\btype:\s*\"(\w+)\"", text) if t != "value"}
        needed |= {c for key, c in COMPONENTS.items() if re.search(rf"\b{key}:\s*[{{\[]", text)}
    needed -= {"CategoryChart", "ScrollChart"}  # axis and legend types, not series
    assert needed <= registered, f"not in scripts/assets/echarts.js: {sorted(needed - registered)}"


def test_the_echarts_bundle_is_built_and_far_smaller_than_the_whole_library():
    bundle = finders.find("vendor/echarts/echarts.hongling.min.js")
    assert bundle, "run `make assets` (scripts/copy_assets.py builds the bundle)"
    size = Path(bundle).stat().st_size
    assert size < 650_000, f"the ECharts bundle is {size} bytes"
    if FULL_ECHARTS.exists():
        assert size < FULL_ECHARTS.stat().st_size * 0.6
    assert not finders.find("vendor/echarts/echarts.min.js"), "the whole library is not served"


def test_only_pages_that_draw_charts_load_echarts():
    loaders = [(p, t) for p, t in _templates() if "vendor/echarts/" in t]
    assert loaders, "some pages draw charts"
    for path, text in loaders:
        assert "echarts.hongling.min.js" in text, path
        assert re.search(r'<div id="(chart-[\w-]+|[\w-]+-chart)"', text), f"{path} loads ECharts but has no chart"
    base = (ROOT / "templates" / "base.html").read_text()
    assert "echarts" not in base


# --- icons and Bootstrap JS ------------------------------------------------------------------------------------


def test_the_icon_font_holds_a_glyph_for_every_icon_rule_and_few_more():
    from fontTools.ttLib import TTFont

    css = Path(finders.find("vendor/bootstrap-icons/bootstrap-icons.min.css")).read_text()
    rules = dict(re.findall(r"\.bi-([a-z0-9-]+)::before\{content:\"\\([0-9a-f]+)\"\}", css))
    assert {"flag-fill", "grid", "house"} <= set(rules), "the shell's own icons"
    assert len(rules) < 300, f"{len(rules)} icons shipped: the subset takes more than the project names"
    font = TTFont(finders.find("vendor/bootstrap-icons/fonts/bootstrap-icons.woff2"))
    cmap = font.getBestCmap()
    missing = [name for name, code in rules.items() if int(code, 16) not in cmap]
    assert not missing, f"icon rules without a glyph: {missing}"
    assert Path(finders.find("vendor/bootstrap-icons/fonts/bootstrap-icons.woff2")).stat().st_size < 40_000
    assert "woff2" in css and '.woff"' not in css, "woff2 only: every browser that runs Bootstrap 5 reads it"


def test_no_page_needs_bootstrap_js():
    base = (ROOT / "templates" / "base.html").read_text()
    assert "bootstrap.bundle" not in base
    users = [str(p.relative_to(ROOT)) for p, t in _templates() if "data-bs-" in t]
    assert users == [], "data-bs-* needs Bootstrap's JS, which is not loaded (static/js/hongling.js has data-dismiss)"
