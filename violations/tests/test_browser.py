"""三违 on a 375-px phone, in real Chromium: the safety officer records one (a wrong 工号 first: the form keeps what
was typed), the 班组长 records a 帮教 step from the 待办, the worker appeals, the safety officer upholds the appeal —
and the party member who answers for the worker is 达标 again."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import browser_login
from places.models import Location
from vanguard import compliance
from vanguard import services as vanguard
from violations import services
from violations.models import Violation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_violation_help_and_appeal_on_a_phone(world, phone_page):
    services.ensure_defaults(world.mine)
    Location.objects.create(mine=world.mine, unit=world.unit, name="1302工作面")
    vanguard.assign(
        world.secretary,
        member=world.member_person,
        workers=[world.worker_person],
        starts_on=timezone.localdate().replace(day=1),
    )
    page = phone_page

    def as_user(username):
        page.context.clear_cookies()
        browser_login(page, username)

    as_user(world.safety.username)
    page.goto(page.base_url + "/violations/new/")
    page.fill("#id_emp_no", "999999")
    page.select_option("#id_kind", label="违章作业")
    page.select_option("#id_severity", index=1)
    page.fill("#id_description", "未执行敲帮问顶就进入工作面")
    page.click("#submit-violation")
    expect(page.locator(".invalid-feedback").first).to_contain_text("工号不存在")
    expect(page.locator("#id_description")).to_have_value("未执行敲帮问顶就进入工作面")
    page.fill("#id_emp_no", world.worker_person.emp_no)
    page.click("#submit-violation")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#status")).to_contain_text("有效")
    violation = Violation.objects.get()
    member = world.member_person.pk
    assert not compliance.member_months([member], timezone.localdate())[member].compliant

    # the 班组长 finds the 帮教 in the 待办 and records the first step
    as_user(world.team_leader.username)
    page.locator("#todos a", has_text="三违帮教").first.click()
    page.wait_for_load_state("networkidle")
    first = page.locator("#help-steps li").first
    first.locator("input[name=note]").fill("班前会上谈话,本人认识到错误")
    first.locator("button").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#help-steps li").first).to_contain_text("班前会上谈话")

    # the worker appeals from their own record
    as_user(world.worker.username)
    page.goto(f"{page.base_url}/violations/{violation.pk}/")
    page.locator("#action-appeal summary").click()
    page.fill("#id_note_appeal", "当时已停机,未进入工作面")
    page.locator("#action-appeal button").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#status")).to_contain_text("申诉中")

    # the safety officer decides it from the 待办: upheld, the violation no longer counts
    as_user(world.safety.username)
    page.locator("#todos a", has_text="三违裁决申诉").first.click()
    page.wait_for_load_state("networkidle")
    page.locator("#action-uphold summary").click()
    page.fill("#id_note_uphold", "经调阅视频属实")
    page.locator("#action-uphold button").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#status")).to_contain_text("已撤销")
    assert compliance.member_months([member], timezone.localdate())[member].compliant
    assert page.outside_requests == []
