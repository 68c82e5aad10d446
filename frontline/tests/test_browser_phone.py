"""On a 375-px phone, in real Chromium: the secretary records a diary entry with a 诉求 from the home page, follows it
from the 待办 to its feedback, and reports the committee's 专项工作; nothing loads from outside the server."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import browser_login
from frontline.models import CampaignTask, DiaryEntry, RequestStatus, TaskStatus
from frontline.tests import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_diary_and_campaign_on_a_phone(world, phone_page):
    helpers.create_campaign(
        world.committee_user,
        {
            "title": "双化双提推进",
            "description": "报告推进情况",
            "deadline": (timezone.localdate() + timedelta(days=5)).isoformat(),
        },
    )
    page = phone_page
    browser_login(page, world.secretary.username)
    page.goto(page.base_url + "/frontline/diary/new/")
    page.fill("#id_place", "王小二家中")
    page.select_option("#id_people", label=f"王小二({world.worker_person.emp_no})")
    page.fill("#id_learned", "母亲住院,夜班多,情绪低落")
    page.locator("textarea[name=requests]").first.fill("希望调整到白班")
    page.check("input[name=concern]")
    page.click("#submit-diary")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#learned")).to_contain_text("母亲住院")
    entry = DiaryEntry.objects.get()
    assert entry.concern and list(entry.people.all()) == [world.worker_person]

    # the open 诉求 is on the home page's 待办; follow it to the feedback
    page.goto(page.base_url + "/")
    page.locator("#todos a", has_text="民情诉求").first.click()
    page.wait_for_load_state("networkidle")
    for label, note in (("办结", "已调到八点班"), ("反馈职工并销号", "本人满意")):
        box = page.locator("details", has=page.locator(f"summary:text-is('{label}')")).first
        box.locator("summary").click()
        box.locator("textarea[name=note]").fill(note)
        box.locator("button").click()
        page.wait_for_load_state("networkidle")
    assert entry.requests.get().status == RequestStatus.CLOSED
    page.goto(page.base_url + "/")
    expect(page.locator("#todos a", has_text="民情诉求")).to_have_count(0)

    # the 专项工作 from the 待办
    page.locator("#todos a", has_text="双化双提推进").first.click()
    page.wait_for_load_state("networkidle")
    page.fill("#id_report", "全体党员学习完毕,划片包保全覆盖")
    page.locator("#action-report button").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#status")).to_contain_text("待审核")
    assert CampaignTask.objects.get(branch=world.branch).status == TaskStatus.REPORTED
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.outside_requests == []
