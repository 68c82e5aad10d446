import pytest


@pytest.fixture
def world(db):
    """Two mines, branches, teams, people, and one account per role (see orgs/tests/factories.py)."""
    from orgs.tests.factories import build_world

    return build_world()


@pytest.fixture
def login(client):
    """login(user) -> a test client logged in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def exported(settings, tmp_path):
    """exported(client, url) -> the .xlsx bytes of a ledger made in the background, the way a user gets it: the
    export button (POST with the list's query), the file's page, its download."""
    settings.DATA_DIR = tmp_path

    def _exported(client, url):
        response = client.post(url)
        assert response.status_code == 302 and "/files/" in response.url, response
        assert "已生成" in client.get(response.url).content.decode()
        download = client.get(response.url + "download/")
        assert download.status_code == 200
        return b"".join(download.streaming_content)

    return _exported


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium through Playwright (never `playwright install`)."""
    import os

    from bench.weaklink import CHROMIUM, CHROMIUM_ARGS  # one launch line for the tests and the bench

    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium 不存在: apt-get install -y chromium")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(chromium, live_server):
    """A 375-px phone page; records every request host so tests can assert nothing leaves 127.0.0.1."""
    from urllib.parse import urlparse

    context = chromium.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.outside_requests = []

    def watch(request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:")):
            return
        if host not in ("127.0.0.1", "localhost"):
            page.outside_requests.append(request.url)

    page.on("request", watch)
    page.base_url = live_server.url
    yield page
    context.close()


def browser_login(page, username, password="Hl-test-pass1"):
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
