"""A branch secretary on a 375-px phone: logs in, finds a person of their branch, cannot open
one of another branch, and the browser never asks anything of a host other than 127.0.0.1."""

import re

import pytest
from playwright.sync_api import expect

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_on_phone_finds_own_person_not_others(world, phone_page):
    page = phone_page
    world.secretary.must_change_password = True
    world.secretary.save()

    # First login by 工号 forces a password change.
    browser_login(page, world.secretary.person.emp_no)
    assert "/accounts/password/" in page.url
    page.fill("#id_old_password", "Hl-test-pass1")
    page.fill("#id_new_password1", "Meikuang#2026")
    page.fill("#id_new_password2", "Meikuang#2026")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/") == page.base_url

    # The phone layout: a bottom tab bar, no side menu.
    assert page.locator("nav.tab-bar").is_visible()
    assert not page.locator("aside.side-menu").is_visible()

    page.locator("nav.tab-bar a", has_text="人员").click()
    page.wait_for_load_state("networkidle")
    page.fill("#id_q", "wxe")  # pinyin initials of 王小二
    expect(page.locator("#results").get_by_text("同事乙")).to_have_count(0)  # the search has narrowed the list
    expect(page.locator("#results").get_by_text("共 1 人")).to_be_visible()
    # Leaving the box does not search again: a second search would replace the list under the finger that taps a
    # result, and the tap would be lost (it was, in one CI run in a hundred).
    searches = []
    page.on("request", lambda request: searches.append(request.url) if "/people/?" in request.url else None)
    page.locator("#id_q").blur()
    page.wait_for_timeout(600)
    assert searches == []
    page.locator("#results a", has_text="王小二").click()
    page.wait_for_load_state("networkidle")
    assert re.search(rf"/people/{world.worker_person.pk}/$", page.url)
    assert page.get_by_role("heading", name=re.compile("王小二")).is_visible()

    # Another branch's person: 404, and their name never shows.
    response = page.goto(f"{page.base_url}/people/{world.stranger.pk}/")
    assert response.status == 404
    assert "外支部丙" not in page.content()

    # The page fits the phone: nothing wider than the viewport.
    page.goto(f"{page.base_url}/people/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1

    # A filter's select still searches when it changes.
    with page.expect_request(re.compile(r"/people/\?.*political_status=\w")):
        page.locator("select[name=political_status]").select_option(index=1)

    assert page.outside_requests == []
