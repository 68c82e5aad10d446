"""In real Chromium: the committee drills from the ranking to a branch, the six-axis radar and the trend draw from the
page's data (ECharts served locally, nothing from outside), and a member votes on a phone."""

from datetime import date

import pytest
from playwright.sync_api import expect

from conftest import browser_login
from orgs.models import PoliticalStatus
from orgs.tests.factories import PersonFactory, make_user
from scorecard import evaluation, services
from scorecard.models import Ballot
from scorecard.tests.helpers import END, START, hazard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ranking_radar_and_drill_down_then_an_anonymous_vote(site, phone_page):
    w = site
    hazard(w, date(2026, 10, 2), deadline=date(2026, 10, 9), closed=date(2026, 10, 9))
    scheme = services.create_example_scheme(w.committee_user, mine=w.mine, start=START, end=END)
    the_run = services.run(w.committee_user, scheme=scheme, today=date(2026, 11, 15))
    page = phone_page
    page.set_viewport_size({"width": 1366, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_login(page, w.committee_user.username)
    page.goto(page.base_url + f"/scorecard/runs/{the_run.pk}/")
    expect(page.locator("#chart-radar canvas")).to_have_count(1)
    page.click("text=综采一区党支部")
    expect(page.locator("#chart-trend canvas")).to_have_count(1)
    page.locator("#figures a").first.click()
    expect(page).to_have_url(f"{page.base_url}/hazards/?branch={w.branch.pk}&from=2026-10-01&to=2026-10-31")
    assert not errors and not page.outside_requests

    voter = make_user(
        "voter-b", "member", w.team, person=PersonFactory(org=w.team, political_status=PoliticalStatus.MEMBER)
    )
    r = evaluation.open_round(w.committee_user, branch=w.branch, title="测评", opens_on=date(2026, 12, 1),
                              closes_on=date(2026, 12, 31))  # fmt: skip
    page.context.clear_cookies()
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(page, voter.username)
    page.goto(page.base_url + f"/scorecard/evaluation/{r.pk}/")
    for name in ("belief", "service", "diligence", "courage", "integrity", "overall"):
        page.check(f"input[name={name}][value='4']")
    page.click("text=匿名提交")
    expect(page.locator("#voted")).to_be_visible()
    assert Ballot.objects.filter(round=r).count() == 1
