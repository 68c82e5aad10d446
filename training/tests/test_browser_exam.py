"""The exam in real Chromium: autosave survives a reload, the clock is the server's, time up hands the paper in."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from common import inputs
from conftest import browser_login
from training import exams
from training.forms import BlueprintForm
from training.models import ExamPaper, Question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_exam_autosave_reload_and_auto_submit(world, phone_page):
    from orgs.models import JobType
    from training.tests.factories import make_point

    gas = make_point("gas", "瓦斯", [JobType.objects.get(name="采煤工")], questions=3)
    now = timezone.now()
    blueprint = exams.create_blueprint(world.secretary, **inputs.parse(BlueprintForm, {
        "title": "月考", "org": world.branch.pk, "month": timezone.localdate().isoformat(), "time_limit": 30, "pass_mark": 60,
        "opens_at": (now - timedelta(hours=1)).isoformat(), "closes_at": (now + timedelta(days=1)).isoformat(),
        "rules": [{"point": gas.pk, "count": 3}],
    }, user=world.secretary))  # fmt: skip
    exams.generate(world.secretary, blueprint)
    paper = ExamPaper.objects.get(blueprint=blueprint, person=world.worker_person)
    page = phone_page
    browser_login(page, world.worker.person.emp_no)
    page.goto(f"{page.base_url}/training/papers/{paper.pk}/")
    page.click("#start-exam")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#exam-clock")).to_contain_text("29:")
    first = page.locator("fieldset").first
    first.locator("input").first.check()
    expect(page.locator("#saved-0")).to_contain_text("已保存")
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.locator("fieldset").first.locator("input").first).to_be_checked()
    expect(page.locator("#exam-clock")).to_contain_text("29:")  # the reload did not reset the time
    explanations = [q.explanation for q in Question.objects.filter(pk__in=[i["q"] for i in paper.items])]
    before = page.content()
    assert not any(e in before for e in explanations)  # no key, no explanation in the browser before grading
    # the server decides the end: bring the deadline close, reload, and let the clock run out
    ExamPaper.objects.filter(pk=paper.pk).update(deadline=timezone.now() + timedelta(seconds=3))
    page.reload()
    expect(page.locator("#exam-score")).to_be_visible(timeout=15000)
    expect(page.locator("#exam-score")).to_contain_text("分")
    paper.refresh_from_db()
    assert paper.submitted_at is not None
    assert any(e in page.content() for e in explanations)  # after grading, the explanations are shown
    assert page.outside_requests == []
