"""The whole hazard loop on a 375-px phone, in real Chromium: a member reports with a photo, the secretary assigns 五定,
the 责任人 submits, the safety officer rejects once and then accepts; the hazard leaves everyone's 待办."""

import io

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from hazards import services
from hazards.models import Hazard, HazardStatus
from orgs.tests.factories import make_user
from places.models import Location

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page):
    page.context.clear_cookies()


def test_hazard_loop_on_a_phone(world, phone_page, tmp_path):
    from PIL import Image

    services.ensure_defaults(world.mine)
    Location.objects.create(mine=world.mine, unit=world.unit, name="1302工作面")
    make_user("resp-1", "worker", world.team2, person=world.colleague)
    photo = tmp_path / "hazard.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    page = phone_page

    # a party member reports with a photo
    browser_login(page, world.member.username)
    page.goto(page.base_url + "/hazards/new/")
    page.select_option("#id_location", label="综采一区 · 1302工作面")
    page.select_option("#id_category", label="顶板")
    page.select_option("#id_grade", index=3)
    page.fill("#id_description", "顶板离层,锚杆托盘松动")
    page.set_input_files("#id_photos", str(photo))
    page.click("#submit-hazard")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#status")).to_contain_text("待处理")
    hazard = Hazard.objects.get()
    assert hazard.finder_is_party_member and hazard.photos.count() == 1

    def as_user(username, todo=True):
        logout(page)
        browser_login(page, username)
        if todo:
            page.locator("#todos a", has_text="1302工作面").first.click()
        else:
            page.goto(f"{page.base_url}/hazards/{hazard.pk}/")
        page.wait_for_load_state("networkidle")

    # the secretary assigns 五定 from the 待办
    as_user(world.secretary.username)
    form = page.locator("#action-assign")
    form.locator("summary").click()
    form.locator("select[name=responsible_person]").select_option(label=f"同事乙({world.colleague.emp_no})")
    form.locator("textarea[name=measures]").fill("补打锚杆,更换托盘")
    form.locator("button").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#status")).to_contain_text("整改中")

    def submit_fix():
        as_user("resp-1")
        if not page.locator("#action-submit textarea[name=note]").is_visible():
            page.locator("#action-submit summary").click()
        page.locator("#action-submit textarea[name=note]").fill("已补打锚杆")
        page.locator("#action-submit button").click()
        page.wait_for_load_state("networkidle")
        expect(page.locator("#status")).to_contain_text("待验收")

    submit_fix()
    # the safety officer rejects once
    as_user(world.safety.username)
    if not page.locator("#action-verify_reject textarea[name=note]").is_visible():
        page.locator("#action-verify_reject summary").click()
    page.locator("#action-verify_reject textarea[name=note]").fill("锚杆间距不够")
    page.locator("#action-verify_reject button").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#status")).to_contain_text("整改中")
    submit_fix()
    as_user(world.safety.username)
    if not page.locator("#action-verify_pass button").is_visible():
        page.locator("#action-verify_pass summary").click()
    page.locator("#action-verify_pass button").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#status")).to_contain_text("已销号")
    assert Hazard.objects.get().status == HazardStatus.CLOSED
    for username in (world.secretary.username, "resp-1", world.safety.username):
        logout(page)
        browser_login(page, username)
        expect(page.locator("#todos")).not_to_contain_text("1302工作面")
    assert page.outside_requests == []
