"""Error pages (issue 9, defect 3): Chinese, inside the normal shell with a way back; JSON under /api/; a plain
Chinese 503 when the database is down."""

import pytest
from django.test import Client

from orgs.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.urls("common.tests.error_urls")]


@pytest.fixture
def user():
    return User.objects.create_user(username="tester", password="x", must_change_password=False)


def _client(user=None):
    client = Client(raise_request_exception=False)
    if user:
        client.force_login(user)
    return client


def test_404_is_a_chinese_page_in_the_shell_with_a_way_back(user):
    response = _client(user).get("/no-such-page/", HTTP_REFERER="http://testserver/hazards/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and "回到首页" in html
    assert 'name="viewport"' in html and 'href="http://testserver/hazards/"' in html  # 返回上一页
    assert "Not Found" not in html


def test_404_for_a_visitor_offers_the_login():
    response = _client().get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode() and "登录" in response.content.decode()


def test_500_is_chinese_and_says_what_to_do(user):
    response = _client(user).get("/__boom__/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in html and "Server Error" not in html and 'name="viewport"' in html


def test_the_api_answers_json_never_html(user):
    client = _client(user)
    missing = client.get("/api/no-such-endpoint")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")
    broken = client.get("/api/__boom__")
    assert broken.status_code == 500 and broken.json() == {"detail": "系统出错了"}


def test_database_down_is_a_plain_chinese_503(user):
    response = _client(user).get("/__dbdown__/")
    html = response.content.decode()
    assert response.status_code == 503
    assert "数据库暂时连接不上" in html and 'name="viewport"' in html


def test_the_favicon_is_there_for_every_page():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")
    assert Client().get(response["Location"]).status_code == 200
