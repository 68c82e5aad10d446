"""基层班子建设 in real Chromium on a 375-px phone: a 支委会 with one member on leave records a decision that becomes
the owner's 待办; a criticism at the 组织生活会 becomes a rectification item that closes; a notice's unread list."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from leadership import services
from leadership.models import Decision, LifeMeeting, Rectification
from leadership.tests.helpers import life_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _go(page, path):
    page.goto(page.base_url + path)
    page.wait_for_load_state("networkidle")


def _submit(page, form):
    page.locator(f"{form} button").first.click()
    page.wait_for_load_state("networkidle")


def test_meeting_decision_criticism_rectification_and_notice_on_a_phone(lead, phone_page):
    page = phone_page
    browser_login(page, lead.secretary.username)

    # a 支委会 with one member on leave: valid (3 of 4), a decision for 党员丙
    _go(page, "/leadership/meetings/new/")
    page.fill("#id_topic", "研究三违帮教")
    page.fill("#id_agenda", "通报三违\n研究帮教")
    _submit(page, "#meeting-form")
    page.select_option(f"select[name=status_{lead.p4.pk}]", "leave")
    page.fill(f"input[name=reason_{lead.p4.pk}]", "下井带班")
    page.fill("#id_minutes", "丁请假;会议研究了三违人员帮教。")
    _submit(page, "#attendance-form")
    expect(page.locator("#validity")).to_contain_text("应到 4 人,实到 3 人:超过半数,会议有效")
    page.locator("details summary", has_text="记录决议").click()
    page.fill("#id_text", "三违人员逐一帮教")
    page.select_option("#id_mode", "delegated")
    page.select_option("#id_owner", str(lead.p3.pk))
    page.fill("#id_deadline", (lead.today + timedelta(days=7)).isoformat())
    _submit(page, "#decision-form")
    expect(page.locator("#decisions")).to_contain_text("分工负责")
    assert Decision.objects.get(text="三违人员逐一帮教").owner == lead.p3

    # the 组织生活会 at its meeting step: a criticism becomes a rectification item
    life = life_at(lead, "meeting")
    services.update_life(lead.secretary, life=life, date=lead.today)
    _go(page, f"/leadership/life/{life.pk}/")
    page.select_option("#id_target", str(lead.p3.pk))
    page.select_option("#id_ckind", "received")
    page.select_option("#id_giver", str(lead.p4.pk))
    page.fill("#id_ctext", "对三违人员帮教跟进不够")
    _submit(page, "#criticism-form")
    expect(page.locator("#criticisms")).to_contain_text("对三违人员帮教跟进不够")
    page.locator("#act-form button", has_text="会议结束,转入整改").click()
    page.wait_for_load_state("networkidle")
    page.locator("#id_criticism").select_option(index=1)
    page.fill("#id_problem", "帮教跟进不够")
    page.fill("#id_measure", "建立帮教台账,每周回访")
    page.select_option("#id_rowner", str(lead.p3.pk))
    page.fill("#id_rdeadline", (lead.today + timedelta(days=14)).isoformat())
    _submit(page, "#rect-form")
    item = Rectification.objects.get(problem="帮教跟进不够")
    assert item.criticism.text == "对三违人员帮教跟进不够"

    # its owner (a 支部委员) sees both 待办 at home and reports the item done; the secretary checks it; the loop closes
    page.context.clear_cookies()
    browser_login(page, lead.bc_user.username)
    expect(page.locator("body")).to_contain_text("会议决议:三违人员逐一帮教")
    expect(page.locator("body")).to_contain_text("整改事项:帮教跟进不够")
    _go(page, f"/leadership/rectifications/{item.pk}/")
    page.fill("#id_evidence", "台账已建立,回访 4 次")
    _submit(page, "#done-form")
    page.context.clear_cookies()
    browser_login(page, lead.secretary.username)
    _go(page, f"/leadership/rectifications/{item.pk}/")
    _submit(page, "#check-form")
    expect(page.locator("h1")).to_contain_text("已销号")
    _go(page, f"/leadership/life/{life.pk}/")
    page.locator("#act-form button", has_text="闭环").click()
    page.wait_for_load_state("networkidle")
    assert LifeMeeting.objects.get(pk=life.pk).state == "closed"

    # the committee sends a notice to two branches: both unread until the secretary opens it
    page.context.clear_cookies()
    browser_login(page, lead.committee_user.username)
    _go(page, "/leadership/notices/new/")
    page.select_option("#id_org", str(lead.committee.pk))
    page.fill("#id_title", "安全生产月通知")
    page.fill("#id_body", "各支部按时组织")
    page.check(f"input[name=targets][value='{lead.branch.pk}']")
    page.check(f"input[name=targets][value='{lead.other_branch.pk}']")
    _submit(page, "#notice-form")
    expect(page.locator("#receipts li", has_text="未读")).to_have_count(2)
    url = page.url
    page.context.clear_cookies()
    browser_login(page, lead.secretary.username)
    page.goto(url)
    page.context.clear_cookies()
    browser_login(page, lead.committee_user.username)
    page.goto(url)
    expect(page.locator("#receipts li", has_text="未读")).to_have_count(1)
    expect(page.locator("#receipts")).to_contain_text("已读")
    assert page.outside_requests == []
