"""A 班组长 on a 375-px phone enters the temperatures of a 30-person team on one screen: the team is prefilled with
36.5, one value changed to a fever, one marked absent, saved at once; the fever is flagged and on the 待办 list."""

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from orgs.tests.factories import PersonFactory
from stability import services
from stability.models import Temperature

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_team_of_thirty_on_one_phone_screen(world, phone_page):
    cfg = services.settings_for(world.mine)
    cfg.health_enabled = True
    cfg.save()
    for i in range(30 - len(services.team_people(world.team))):
        PersonFactory(org=world.team, name=f"队员{i:02d}")
    team = services.team_people(world.team)
    assert len(team) == 30
    page = phone_page
    browser_login(page, world.team_leader.username)
    page.goto(page.base_url + "/stability/health/")
    inputs = page.locator("#sheet input[inputmode=decimal]")
    expect(inputs).to_have_count(30)
    # one screen: no sideways scrolling on the phone, every row's input inside the viewport's width
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    box = inputs.nth(29).bounding_box()
    assert box["x"] + box["width"] <= 375
    hot, absent = team[7], team[12]
    page.fill(f"#t{hot.pk}", "38.1")
    page.check(f"input[name=a{absent.pk}]")
    page.click("#save-sheet")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".alert-success")).to_contain_text("已保存 29 人体温,1 人体温异常")
    expect(page.locator("li.list-group-item-danger")).to_have_count(1)
    assert Temperature.objects.count() == 29
    page.goto(page.base_url + "/")
    expect(page.locator("body")).to_contain_text(f"体温异常跟进:{hot.name} 38.1℃")
    assert not page.outside_requests
