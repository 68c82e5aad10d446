"""Each indicator against records built by hand, at its boundaries."""

from datetime import date

import pytest

from scorecard import indicators, library
from scorecard.tests.helpers import END, START, ctx, hazard, value

pytestmark = pytest.mark.django_db


def test_on_time_counts_closed_by_the_deadline_and_overdue_ones_but_not_those_still_running(site):
    w = site
    hazard(w, date(2026, 10, 2), deadline=date(2026, 10, 10), closed=date(2026, 10, 10))  # on the day: on time
    hazard(w, date(2026, 10, 3), deadline=date(2026, 10, 10), closed=date(2026, 10, 11))  # a day late
    hazard(w, date(2026, 10, 4), deadline=date(2026, 10, 20))  # open, overdue on the reckoning day
    hazard(w, date(2026, 10, 5), deadline=date(2026, 11, 30))  # open, not yet due: not judged
    hazard(w, date(2026, 10, 6))  # fixed on the spot (no deadline): not a 限时整改
    hazard(w, date(2026, 9, 30), deadline=date(2026, 10, 3))  # found before the period
    hazard(w, date(2026, 10, 7), place=w.other_place, deadline=date(2026, 10, 8))  # the other branch's
    v = value(library.hazards_on_time, w)
    assert (v.numerator, v.denominator, v.value) == (1, 3, 33.3)
    assert v.url == f"/hazards/?branch={w.branch.pk}&from=2026-10-01&to=2026-10-31"
    other = library.hazards_on_time(ctx(w))[w.other_branch.pk]
    assert (other.numerator, other.denominator) == (0, 1)


def test_on_time_a_closing_after_the_reckoning_day_is_not_known_yet(site):
    w = site
    hazard(w, date(2026, 10, 2), deadline=date(2026, 10, 9), closed=date(2026, 10, 8))
    v = value(library.hazards_on_time, w, as_of=date(2026, 10, 7))
    assert (v.numerator, v.denominator) == (0, 0) and v.value is None  # not yet due, not yet closed on the 7th


def test_repeat_rate_counts_the_second_and_later_at_the_same_place_and_category(site):
    w = site
    hazard(w, date(2026, 10, 2))
    hazard(w, date(2026, 10, 9))  # repeat
    hazard(w, date(2026, 10, 20))  # repeat
    hazard(w, date(2026, 10, 21), category=w.gas)  # other 专业
    hazard(w, date(2026, 10, 22), place=w.place2)  # other place
    v = value(library.hazards_repeat, w)
    assert (v.numerator, v.denominator, v.value) == (2, 5, 40.0)
    assert indicators.get("H_REPEAT").score(v.value) == 25.0  # target 10 %, lower is better: 10/40


def test_party_share_of_the_hazards_found(site):
    w = site
    hazard(w, date(2026, 10, 2), party=True)
    hazard(w, date(2026, 10, 3))
    hazard(w, date(2026, 11, 1), party=True)  # after the period
    v = value(library.hazards_party, w)
    assert (v.numerator, v.denominator, v.value) == (1, 2, 50.0)


def test_no_records_no_value(site):
    for fn in (library.hazards_on_time, library.hazards_repeat, library.hazards_party, library.diary_resolved):
        v = value(fn, site)
        assert v.value is None and v.denominator == 0


def test_violation_rate_per_hundred_people_on_the_roster(site):
    from violations import services as violation_services
    from violations.models import Severity, Violation

    w = site
    violation_services.ensure_defaults(w.mine)
    general = Severity.objects.get(mine=w.mine, name="一般")

    def violation(day, person, status="recorded"):
        Violation.objects.create(mine=w.mine, person=person, org=person.org, occurred_on=day, kind="operation",
                                 severity=general, description="违章", recorded_by=w.safety, status=status)  # fmt: skip

    violation(date(2026, 10, 1), w.worker_person)
    violation(date(2026, 10, 31), w.colleague)
    violation(date(2026, 10, 15), w.colleague, status="revoked")  # revoked on appeal: not counted
    violation(date(2026, 11, 1), w.colleague)  # after
    v = value(library.violation_rate, w)
    # the branch's people: 王小二, 党员甲, 同事乙, 书记甲 = 4
    assert (v.numerator, v.denominator, v.value) == (2, 4, 50.0)
    assert indicators.get("V_RATE").score(v.value) == 6.0  # target 3 per 100


def test_members_clean_by_member_month(site):
    from vanguard.models import Assignment
    from violations import services as violation_services
    from violations.models import Severity, Violation

    w = site
    violation_services.ensure_defaults(w.mine)
    a = Assignment.objects.create(mine=w.mine, member=w.member_person, org=w.team, starts_on=date(2026, 9, 1),
                                  created_by=w.secretary)  # fmt: skip
    a.workers.add(w.worker_person)
    general = Severity.objects.get(mine=w.mine, name="一般")
    Violation.objects.create(mine=w.mine, person=w.worker_person, org=w.team, occurred_on=date(2026, 10, 5),
                             kind="operation", severity=general, description="违章", recorded_by=w.safety)  # fmt: skip
    v = value(library.members_clean, w, start=date(2026, 9, 1), end=date(2026, 11, 30), as_of=date(2026, 11, 30))
    # September and November 达标, October not
    assert (v.numerator, v.denominator) == (2, 3)


def test_diary_requests_resolved(site):
    from frontline.models import DiaryEntry, DiaryRequest

    w = site
    e = DiaryEntry.objects.create(
        branch=w.branch, author=w.secretary, date=date(2026, 10, 3), place="井口", learned="通勤车少"
    )
    for status in ("open", "handling", "resolved", "closed"):
        DiaryRequest.objects.create(entry=e, problem="加开通勤车", status=status)
    later = DiaryEntry.objects.create(
        branch=w.branch, author=w.secretary, date=date(2026, 11, 3), place="井口", learned="…"
    )
    DiaryRequest.objects.create(entry=later, problem="…", status="closed")
    v = value(library.diary_resolved, w)
    assert (v.numerator, v.denominator, v.value) == (2, 4, 50.0)


def test_exam_pass_counts_a_makeup_pass_once(site):
    from training.models import ExamBlueprint, ExamPaper

    w = site
    bp = ExamBlueprint.objects.create(title="十月月考", org=w.mine, month=date(2026, 10, 1), author=w.committee_user,
                                      opens_at=site_moment(date(2026, 10, 20)), closes_at=site_moment(date(2026, 10, 25)))  # fmt: skip
    ExamPaper.objects.create(blueprint=bp, person=w.worker_person, passed=False)
    ExamPaper.objects.create(blueprint=bp, person=w.worker_person, kind="makeup", passed=True)
    ExamPaper.objects.create(blueprint=bp, person=w.colleague, passed=False)
    ExamPaper.objects.create(blueprint=bp, person=w.member_person, passed=None)  # absent: failed
    v = value(library.exam_pass, w)
    assert (v.numerator, v.denominator) == (1, 3)
    running = value(library.exam_pass, w, as_of=date(2026, 10, 22))
    assert running.denominator == 0  # the exam has not closed yet


def site_moment(day):
    from scorecard.tests.helpers import moment

    return moment(day)


def test_at_risk_released_in_the_period(site):
    from care.models import Entry

    w = site

    def entry(person, entered, released=None):
        Entry.objects.create(person=person, mine=w.mine, tier="B", entered_on=entered, released_on=released,
                             status="released" if released else "active", eval_days=30, created_by=w.secretary)  # fmt: skip

    entry(w.worker_person, date(2026, 8, 1), released=date(2026, 10, 31))  # released on the last day
    entry(w.colleague, date(2026, 9, 1))  # still helped
    entry(w.member_person, date(2026, 6, 1), released=date(2026, 9, 30))  # released before: not in the period
    v = value(library.at_risk_released, w)
    assert (v.numerator, v.denominator, v.value) == (1, 2, 50.0)


def test_talk_coverage_is_yearly(site):
    from care.models import Talk, TalkPerson

    w = site
    talk = Talk.objects.create(org=w.branch, talker=w.secretary.person, date=date(2026, 3, 1), form="face",
                               topics="家庭情况", recorded_by=w.secretary)  # fmt: skip
    TalkPerson.objects.create(talk=talk, person=w.worker_person, date=date(2026, 3, 1))
    old = Talk.objects.create(org=w.branch, talker=w.secretary.person, date=date(2025, 12, 31), form="face",
                              topics="…", recorded_by=w.secretary)  # fmt: skip
    TalkPerson.objects.create(talk=old, person=w.colleague, date=date(2025, 12, 31))  # last year: not this year's
    v = value(library.talk_coverage, w)
    assert (v.numerator, v.denominator, v.value) == (1, 4, 25.0)


def test_measures_met_by_their_deadline(site):
    from selfcheck.models import Inspection, Measure, Period

    w = site
    p = Period.objects.create(mine=w.mine, name="2026年9月", start=date(2026, 9, 1), end=date(2026, 9, 30),
                              due=date(2026, 10, 5), created_by=w.committee_user)  # fmt: skip
    i = Inspection.objects.create(period=p, branch=w.branch)

    def measure(due, done=None):
        Measure.objects.create(inspection=i, question=2, problem="超期隐患多", goal="超期清零", task="逐条销号",
                               action="每周调度", due=due, done_on=done)  # fmt: skip

    measure(date(2026, 10, 10), date(2026, 10, 10))  # met on the day
    measure(date(2026, 10, 10), date(2026, 10, 11))  # late
    measure(date(2026, 10, 20))  # not done
    measure(date(2026, 11, 20))  # due after the period
    v = value(library.measures_met, w)
    assert (v.numerator, v.denominator) == (1, 3)


def test_an_indicator_of_a_module_not_installed_is_skipped():
    from dataclasses import replace

    codes = {i.code for i in indicators.available()}
    assert {"H_ON_TIME", "SC_MEASURES", "L_DECISIONS", "S_LOCAL"} <= codes  # leadership and stability are installed
    assert not replace(indicators.get("L_DECISIONS"), requires="no_such_app").available


def test_the_leadership_and_stability_figures_of_an_empty_branch_are_no_data(site):
    c = ctx(site)
    for code in ("L_DECISIONS", "L_RECTIFY", "S_LOCAL", "S_RESOLVED"):
        v = indicators.get(code).fn(c)[site.branch.pk]
        assert v.value is None and v.denominator == 0, code
    overdue = indicators.get("S_OVERDUE").fn(c)[site.branch.pk]
    assert overdue.value == 0 and indicators.get("S_OVERDUE").score(overdue.value) == 100.0
    assert overdue.url == f"/stability/petitions/?branch={site.branch.pk}"


def test_every_responsibility_has_an_indicator_and_each_a_version():
    found = {i.responsibility for i in indicators.all_indicators()}
    assert found == {1, 2, 3, 4, 5, 6}
    for i in indicators.all_indicators():
        assert len(i.version) == 12 and i.formula and i.name


def test_changing_a_formula_makes_a_new_version():
    from dataclasses import replace

    i = indicators.get("H_ON_TIME")
    assert replace(i, formula=i.formula + "(修订)").version != i.version
    assert replace(i, fn=library.hazards_repeat).version != i.version
    assert replace(i).version == i.version


def test_newcomer_pass_counts_only_new_hires_and_transfers(site):
    from orgs.models import Transfer
    from training.models import ExamBlueprint, ExamPaper

    w = site
    bp = ExamBlueprint.objects.create(title="十月月考", org=w.mine, month=date(2026, 10, 1), author=w.committee_user,
                                      opens_at=site_moment(date(2026, 10, 20)), closes_at=site_moment(date(2026, 10, 25)))  # fmt: skip
    w.worker_person.hire_date = date(2026, 6, 1)  # 122 days before the month: new
    w.worker_person.save()
    w.colleague.hire_date = date(2026, 4, 3)  # 181 days before: not new …
    w.colleague.save()
    Transfer.objects.create(person=w.member_person, date=date(2026, 9, 1), from_job=w.member_person.job_type,
                            to_job=w.member_person.job_type, from_org=w.team2, to_org=w.team)  # fmt: skip
    ExamPaper.objects.create(blueprint=bp, person=w.worker_person, passed=True)
    ExamPaper.objects.create(blueprint=bp, person=w.colleague, passed=False)  # old hand: not counted
    ExamPaper.objects.create(blueprint=bp, person=w.member_person, passed=False)  # transferred: counted
    v = value(library.newcomer_pass, w)
    assert (v.numerator, v.denominator) == (1, 2)


def test_figures_of_the_5_6_modules_are_read_from_their_counts(site, monkeypatch):
    """``branch_figures_many(*, branches, nodes, start, end)`` of leadership / stability give counts per branch (those
    of their ``services.branch_figures``), read once for all branches; each indicator takes its share of them, and
    a missing key is no data."""
    import leadership.figures
    import stability.figures

    calls = []

    def leadership_figures(*, branches, nodes, start, end):
        calls.append(([b.pk for b in branches], start, end))
        return {b.pk: {"decisions_done": 8, "decisions_overdue": 2, "decisions_done_late": 1,
                       "rectifications_closed": 3, "rectifications_open": 1} for b in branches}  # fmt: skip

    def stability_figures(*, branches, nodes, start, end):
        return {b.pk: {"petitions_settled": 10, "petitions_settled_locally": 9, "petitions_overdue": 2}  # no factors
                for b in branches}  # fmt: skip

    monkeypatch.setattr(leadership.figures, "branch_figures_many", leadership_figures)
    monkeypatch.setattr(stability.figures, "branch_figures_many", stability_figures)
    c = ctx(site, branches=[site.branch])
    got = {code: indicators.get(code).fn(c)[site.branch.pk] for code in ("L_DECISIONS", "L_RECTIFY", "S_LOCAL",
                                                                           "S_OVERDUE", "S_RESOLVED")}  # fmt: skip
    assert (got["L_DECISIONS"].numerator, got["L_DECISIONS"].denominator, got["L_DECISIONS"].value) == (7, 10, 70.0)
    assert got["L_RECTIFY"].value == 75.0 and got["S_LOCAL"].value == 90.0 and got["S_OVERDUE"].value == 2
    assert got["S_RESOLVED"].value is None  # the key is missing: no data, no error
    assert calls == [([site.branch.pk], START, END)]  # once for both leadership indicators
