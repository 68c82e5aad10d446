"""A miner on a 375-px phone: one tap from the home page to today's question, answer, the explanation at once."""

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from training.tests.factories import make_point

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_answers_the_question_of_the_day_on_a_phone(world, phone_page):
    from orgs.models import JobType

    make_point("gas", "瓦斯", [JobType.objects.get(name="采煤工")], high_risk=True, questions=2)
    page = phone_page
    browser_login(page, world.worker.person.emp_no)
    page.locator("#todos a", has_text="今日一题").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#stem")).to_contain_text("瓦斯题")
    expect(page.locator("#explanation")).to_have_count(0)
    page.locator("label.answer-option", has_text="乙").click()
    page.click("#submit-answer")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#result")).to_contain_text("答对了")
    expect(page.locator("#explanation")).to_contain_text("瓦斯解析")
    page.goto(page.base_url + "/")
    expect(page.locator("#todos")).not_to_contain_text("今日一题")
    assert page.outside_requests == []
