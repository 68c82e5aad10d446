"""六个反问: evidence from the records, measures tracked to the next period, the committee's review with history."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from common import inputs
from common.errors import Conflict, Forbidden
from scorecard.tests.helpers import hazard
from selfcheck import forms, services
from selfcheck.models import Inspection, Measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(site):
    return services.create_period(site.committee_user, mine=site.mine, kind="month", start=date(2026, 10, 1),
                                  end=date(2026, 10, 31), due=date(2026, 11, 5))  # fmt: skip


def fill(c, p, w):
    data = {f"narrative_{q}": f"第{q}问查摆情况" for q in range(1, 7)} | {f"rating_{q}": "fairly" for q in range(1, 7)}
    return c.post(f"/selfcheck/{p.pk}/{w.branch.pk}/", data)


def test_only_the_committee_sets_a_period(site):
    with pytest.raises(Forbidden):
        services.create_period(site.secretary, mine=site.mine, kind="month", start=date(2026, 10, 1),
                               end=date(2026, 10, 31), due=date(2026, 11, 5))  # fmt: skip
    with pytest.raises(ValidationError):  # read by the form of the page, before the service
        data = {"mine": site.mine.pk, "kind": "month", "start": "2026-10-31", "end": "2026-10-01", "due": "2026-11-05"}
        services.create_period(site.committee_user, **inputs.parse(forms.PeriodForm, data))


def test_the_evidence_is_already_there_with_links_to_the_records(site, period, login):
    w = site
    hazard(w, date(2026, 10, 2), deadline=date(2026, 10, 9), closed=date(2026, 10, 9))
    hazard(w, date(2026, 10, 3), deadline=date(2026, 10, 9))  # overdue
    page = login(w.secretary).get(f"/selfcheck/{period.pk}/{w.branch.pk}/").content.decode()
    assert "防止“两张皮”" in page and "防止“老好人”" in page
    assert "隐患按期整改率" in page and "50%(1 / 2)" in page
    assert f'href="/hazards/?branch={w.branch.pk}&amp;from=2026-10-01&amp;to=2026-10-31"' in page
    assert "截止日超期未整改隐患" in page


def test_secretary_fills_adds_measures_submits_committee_returns_then_accepts(site, period, login):
    w = site
    c = login(w.secretary)
    c.get(f"/selfcheck/{period.pk}/{w.branch.pk}/")
    i = Inspection.objects.get()
    missing = c.post(f"/selfcheck/i/{i.pk}/measures/", {"question": "2", "problem": "超期隐患", "goal": "", "task": "逐条销号",
                                                       "action": "每周调度", "due": "2026-11-20"})  # fmt: skip
    assert (
        missing.status_code == 422
        and "请填写目标" in missing.content.decode()
        and "逐条销号" in missing.content.decode()
    )
    c.post(f"/selfcheck/i/{i.pk}/measures/", {"question": "2", "problem": "超期隐患", "goal": "超期清零", "task": "逐条销号",
                                             "action": "每周调度", "due": "2026-11-20"})  # fmt: skip
    assert Measure.objects.get().goal == "超期清零"
    early = c.post(f"/selfcheck/i/{i.pk}/submit/")
    assert early.status_code == 422 and "还没有填写查摆情况" in early.content.decode()
    fill(c, period, w)
    c.post(f"/selfcheck/i/{i.pk}/submit/")
    i.refresh_from_db()
    assert i.status == "submitted" and "2" in i.evidence
    assert c.post(f"/selfcheck/{period.pk}/{w.branch.pk}/", {"narrative_1": "改"}).status_code == 409  # no edits now
    committee = login(w.committee_user)
    assert committee.post(f"/selfcheck/i/{i.pk}/return/", {"note": ""}).status_code == 422
    committee.post(f"/selfcheck/i/{i.pk}/return/", {"note": "第3问措施不具体"})
    i.refresh_from_db()
    assert i.status == "returned"
    c = login(w.secretary)
    fill(c, period, w)
    c.post(f"/selfcheck/i/{i.pk}/submit/")
    login(w.committee_user).post(f"/selfcheck/i/{i.pk}/accept/", {"note": "同意"})
    i.refresh_from_db()
    assert i.status == "accepted"
    assert [e.action for e in i.events.all()] == ["submit", "return", "submit", "accept"]
    page = login(w.secretary).get(f"/selfcheck/{period.pk}/{w.branch.pk}/").content.decode()
    assert "第3问措施不具体" in page


def test_measures_are_todos_and_shown_next_period_as_met_or_not(site, period, login):
    from common.todos import todos_for

    w = site
    i = Inspection.objects.create(period=period, branch=w.branch)
    m1 = services.add_measure(w.secretary, inspection_pk=i.pk, question=2, problem="超期", goal="超期清零", task="销号",
                              action="调度", due=date(2026, 11, 10))  # fmt: skip
    services.add_measure(w.secretary, inspection_pk=i.pk, question=6, problem="班子", goal="开好组织生活会", task="谈心",
                         action="逐一谈", due=date(2026, 11, 20))  # fmt: skip
    assert any("超期清零" in t.title for t in todos_for(w.secretary))
    services.complete_measure(w.secretary, measure_pk=m1.pk, done_on=date(2026, 11, 9), result="已清零")
    with pytest.raises(Conflict):
        services.complete_measure(w.secretary, measure_pk=m1.pk, done_on=date(2026, 11, 9), result="再次")
    nov = services.create_period(w.committee_user, mine=w.mine, kind="month", start=date(2026, 11, 1),
                                 end=date(2026, 11, 30), due=date(2026, 12, 5))  # fmt: skip
    met, missed = services.previous_measures(w.branch, nov)
    assert [m.goal for m in met] == ["超期清零"] and [m.goal for m in missed] == ["开好组织生活会"]
    page = login(w.secretary).get(f"/selfcheck/{nov.pk}/{w.branch.pk}/").content.decode()
    assert "已按期完成</span> 超期清零" in page and "未按期完成</span> 开好组织生活会" in page


def test_scope_other_branch_and_worker(site, period, login):
    w = site
    assert login(w.other_secretary).get(f"/selfcheck/{period.pk}/{w.branch.pk}/").status_code == 404
    assert login(w.worker).get("/selfcheck/").status_code == 404
    i = Inspection.objects.create(period=period, branch=w.branch)
    assert login(w.other_secretary).post(f"/selfcheck/i/{i.pk}/submit/").status_code == 404
    # the committee reads but does not write the secretary's answers
    assert login(w.committee_user).post(f"/selfcheck/i/{i.pk}/submit/").status_code == 403


def test_index_and_measures_pages(site, period, login, django_assert_max_num_queries):
    w = site
    i = Inspection.objects.create(period=period, branch=w.branch)
    for n in range(5):
        services.add_measure(w.secretary, inspection_pk=i.pk, question=2, problem="p", goal=f"目标{n}", task="t",
                             action="a", due=date(2026, 11, 10))  # fmt: skip
    c = login(w.committee_user)
    with django_assert_max_num_queries(25):
        page = c.get("/selfcheck/").content.decode()
    assert "2026年10月" in page and "综采一区党支部" in page
    with django_assert_max_num_queries(25):
        page = c.get(f"/selfcheck/measures/?branch={w.branch.pk}").content.decode()
    assert "目标4" in page


def test_the_api_list_shows_each_drafts_own_evidence_in_queries_that_do_not_grow_with_the_drafts(
    site, period, login, django_assert_max_num_queries
):
    w = site
    hazard(w, date(2026, 10, 3), deadline=date(2026, 10, 9))  # overdue in the first branch
    for day in (4, 5):
        hazard(w, date(2026, 10, day), place=w.other_place, deadline=date(2026, 10, 9))  # two in the other
    Inspection.objects.create(period=period, branch=w.branch)
    c = login(w.committee_user)
    with django_assert_max_num_queries(40) as one:
        assert c.get("/api/selfcheck/inspections").status_code == 200
    Inspection.objects.create(period=period, branch=w.other_branch)
    with django_assert_max_num_queries(len(one.captured_queries)):
        rows = {r["branch_id"]: r for r in c.get("/api/selfcheck/inspections").json()}

    def overdue(row):
        return next(e["value"] for a in row["answers"] for e in a["evidence"] if e["label"] == "截止日超期未整改隐患")

    assert overdue(rows[w.branch.pk]) == "1 条" and overdue(rows[w.other_branch.pk]) == "2 条"
    for branch in (w.branch, w.other_branch):  # the list's evidence is what the inspection's own page reckons
        alone = services.evidence(branch, period)
        listed = {
            a["question"]: [(e["label"], e["value"], e["url"]) for e in a["evidence"]]
            for a in rows[branch.pk]["answers"]
        }
        assert listed == alone
