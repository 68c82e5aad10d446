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


SHOTS = __import__("pathlib").Path(__file__).resolve().parents[2] / "test-results" / "phone"
SERIES = """() => [...document.querySelectorAll('[_echarts_instance_]')].map(el => {
  const series = echarts.getInstanceByDom(el).getOption().series || [];
  return {id: el.id, series: series.length,
          points: Math.max(0, ...series.map(s => (s.data || []).filter(v => Number(v) > 0).length))};
})"""


def test_the_dashboards_on_a_phone_draw_every_branch_and_tap_through(site, phone_page):
    """375 px: the group's dashboard and a mine's draw their bars, the page does not widen the screen, a tap on a
    mine opens its dashboard, a tap on a branch its page, whose figures lead to the records."""
    w = site
    hazard(w, date(2026, 10, 2), deadline=date(2026, 10, 9), closed=date(2026, 10, 9))
    hazard(w, date(2026, 10, 3), place=w.other_place, deadline=date(2026, 10, 9))
    scheme = services.create_example_scheme(w.committee_user, mine=w.mine, start=START, end=END)
    services.run(w.committee_user, scheme=scheme, today=date(2026, 11, 15))
    make_user("group-c", "committee", w.group)
    page = phone_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser_login(page, "group-c")
    page.goto(page.base_url + "/scorecard/dashboard/")
    expect(page.locator("#chart-sides canvas")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SHOTS / "scorecard-dashboard-group.png"), full_page=True)
    charts = page.evaluate(SERIES)
    assert charts and charts[0]["series"] == 6 and charts[0]["points"] == 1, charts
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    page.click("#mines >> text=云杉煤矿")
    expect(page).to_have_url(f"{page.base_url}/scorecard/dashboard/mines/{w.mine.pk}/")
    expect(page.locator("#chart-sides canvas")).to_have_count(1)
    expect(page.locator("#unchanged, #changed")).to_have_count(1)  # the data-changed check answered
    page.screenshot(path=str(SHOTS / "scorecard-dashboard-mine.png"), full_page=True)
    charts = page.evaluate(SERIES)
    assert charts[0]["series"] == 6 and charts[0]["points"] == 2, charts
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    page.click("#branches >> text=综采一区党支部")
    expect(page.locator("#figures")).to_be_visible()
    page.locator("#figures a").first.click()
    expect(page).to_have_url(f"{page.base_url}/hazards/?branch={w.branch.pk}&from=2026-10-01&to=2026-10-31")
    assert not errors and not page.outside_requests
