"""知识点掌握提升率 and 月考一次合格率 against records built by hand, at their boundaries, and the page of the records
behind each figure."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from scorecard import indicators, library
from scorecard.tests.helpers import START, ctx, moment, value

pytestmark = pytest.mark.django_db


def card(person, point, *, stability, last):
    from training.models import Card

    state = {"card_id": point.pk, "state": 2, "step": None, "stability": stability, "difficulty": 5.0}
    return Card.objects.create(person=person, point=point, state=state, last_review=last, reviews=3)


def midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@pytest.fixture
def kp(site):
    from training.models import KnowledgePoint

    site.points = [KnowledgePoint.objects.create(code=f"kp{i}", name=f"知识点{i}") for i in range(8)]
    return site


def test_mastered_is_stability_21_days_and_retrievability_90_percent():
    at = midnight(date(2026, 11, 1))
    assert library.mastered(21, at - timedelta(days=21), at)  # retrievability exactly 90 %: mastered
    assert not library.mastered(21, at - timedelta(days=22), at)  # a day later it has fallen below 90 %
    assert not library.mastered(20.9, at - timedelta(days=1), at)  # well remembered, but not yet stable
    assert library.mastered(60, at - timedelta(days=60), at)
    assert not library.mastered(None, None, at)


def test_mastered_agrees_with_the_fsrs_packages_own_retrievability():
    from fsrs import Card

    from training import scheduling

    at = midnight(date(2026, 11, 1))
    for stability in (21, 21.5, 30, 47.3, 120):
        for days in range(0, 130, 1):
            for hours in (0, 11):
                last = at - timedelta(days=days, hours=hours)
                card = Card(card_id=1, stability=stability, last_review=scheduling.utc(last))
                chance = scheduling.scheduler_for(False).get_card_retrievability(card, scheduling.utc(at))
                assert library.mastered(stability, last, at) == (chance >= 0.9 - 1e-9), (stability, days, hours)


def test_mastery_gain_counts_cards_mastered_in_the_period_out_of_those_not_mastered_at_its_start(kp):
    w, p = kp, kp.points
    end = midnight(date(2026, 11, 1))  # the end of the reckoning day (the period ends 31 Oct, run on 15 Nov)
    card(w.worker_person, p[0], stability=25, last=end - timedelta(days=21))  # reviewed 10 Oct, S 25: gained
    card(w.worker_person, p[1], stability=21, last=end - timedelta(days=21))  # S 21, 21 days later: just gained
    card(w.worker_person, p[2], stability=21, last=end - timedelta(days=22))  # S 21, 22 days later: not any more
    card(w.colleague, p[0], stability=15, last=moment(date(2026, 10, 28)))  # reviewed, not yet stable: not gained
    card(w.colleague, p[1], stability=4, last=moment(date(2026, 9, 20)))  # not mastered at the start, not reviewed
    card(w.colleague, p[2], stability=40, last=moment(date(2026, 9, 25)))  # mastered at the start: not in the base
    card(w.member_person, p[0], stability=30, last=moment(date(2026, 11, 3)))  # reviewed after the reckoning day
    card(w.stranger, p[0], stability=30, last=moment(date(2026, 10, 20)))  # the other branch's
    v = value(library.mastery_gain, w)
    assert (v.numerator, v.denominator, v.value) == (2, 5, 40.0)
    assert v.url == f"/scorecard/records/T_MASTERY/?branch={w.branch.pk}&from=2026-10-01&to=2026-10-31"
    other = library.mastery_gain(ctx(w))[w.other_branch.pk]
    assert (other.numerator, other.denominator) == (1, 1)


def test_mastery_gain_a_card_first_reviewed_on_the_first_day_counts_and_one_before_the_start_does_not(kp):
    w, p = kp, kp.points
    card(w.worker_person, p[0], stability=23, last=midnight(START))  # 00:00 on the first day: inside
    card(w.worker_person, p[1], stability=23, last=midnight(START) - timedelta(seconds=1))  # just before
    v = value(library.mastery_gain, w, end=date(2026, 10, 20), as_of=date(2026, 10, 20))
    # the first: 21 days to the end of the 20th, S 23 → mastered; the second was mastered at the start already
    assert (v.numerator, v.denominator) == (1, 1)


def test_mastery_gain_of_a_worker_who_left_is_not_counted(kp):
    from orgs.models import WorkStatus

    w = kp
    card(w.worker_person, w.points[0], stability=30, last=moment(date(2026, 10, 20)))
    w.worker_person.work_status = WorkStatus.LEFT
    w.worker_person.save()
    v = value(library.mastery_gain, w)
    assert v.denominator == 0 and v.value is None


def _exam(w, month, closes):
    from training.models import ExamBlueprint

    return ExamBlueprint.objects.create(
        title=f"{month:%m}月月考", org=w.mine, month=month, author=w.committee_user,
        opens_at=moment(closes - timedelta(days=2)), closes_at=closes,
    )  # fmt: skip


def test_first_pass_counts_only_the_regular_paper_passed(site):
    from training.models import ExamPaper

    w = site
    october = _exam(w, date(2026, 10, 1), moment(date(2026, 10, 25)))
    ExamPaper.objects.create(blueprint=october, person=w.worker_person, score=92, passed=True)  # first time
    ExamPaper.objects.create(blueprint=october, person=w.colleague, score=60, passed=False)
    ExamPaper.objects.create(blueprint=october, person=w.colleague, kind="makeup", score=90, passed=True)  # 补考
    ExamPaper.objects.create(blueprint=october, person=w.member_person, passed=None)  # not handed in: failed
    ExamPaper.objects.create(blueprint=october, person=w.stranger, score=95, passed=True)  # the other branch
    reexam = _exam(w, date(2026, 10, 1), moment(date(2026, 10, 26)))
    ExamPaper.objects.create(blueprint=reexam, person=w.worker_person, kind="reexam", passed=False)  # 三违复考
    september = _exam(w, date(2026, 9, 1), moment(date(2026, 10, 2)))  # last month's exam, closing in October
    ExamPaper.objects.create(blueprint=september, person=w.worker_person, score=50, passed=False)
    v = value(library.exam_first_pass, w)
    assert (v.numerator, v.denominator) == (1, 3) and v.value == 33.3
    assert v.url == f"/scorecard/records/T_FIRST_PASS/?branch={w.branch.pk}&from=2026-10-01&to=2026-10-31"
    # the makeup pass still counts for 月考合格率(含补考), not for the first-time rate
    assert value(library.exam_pass, w).numerator == 2


def test_first_pass_an_exam_still_open_on_the_reckoning_day_is_not_counted(site):
    from training.models import ExamPaper

    w = site
    closes_at_midnight = midnight(date(2026, 10, 21))  # the end of the 20th
    bp = _exam(w, date(2026, 10, 1), closes_at_midnight)
    ExamPaper.objects.create(blueprint=bp, person=w.worker_person, score=88, passed=True)
    assert value(library.exam_first_pass, w, as_of=date(2026, 10, 20)).denominator == 0  # closes as the day ends
    assert value(library.exam_first_pass, w, as_of=date(2026, 10, 21)).denominator == 1


def test_both_are_results_in_responsibility_3_with_a_version():
    for code in ("T_MASTERY", "T_FIRST_PASS"):
        ind = indicators.get(code)
        assert ind.responsibility == 3 and ind.direction == "up" and len(ind.version) == 12
        assert "training.DailyQuestion" not in ind.sources


def test_the_records_page_lists_what_the_figure_counted(kp, login):
    w, p = kp, kp.points
    card(w.worker_person, p[3], stability=30, last=moment(date(2026, 10, 20)))
    card(w.colleague, p[4], stability=5, last=moment(date(2026, 10, 20)))
    card(w.stranger, p[5], stability=30, last=moment(date(2026, 10, 20)))
    url = f"/scorecard/records/T_MASTERY/?branch={w.branch.pk}&from=2026-10-01&to=2026-10-31"
    page = login(w.secretary).get(url).content.decode()
    assert "知识点掌握提升率" in page and "50%" in page and "1 / 2" in page
    assert "王小二" in page and "知识点3" in page and "同事乙" in page and "外支部丙" not in page
    only = login(w.secretary).get(url + "&only=yes").content.decode()
    assert "王小二" in only and "同事乙" not in only


def test_the_records_page_of_another_branch_is_not_found_for_a_secretary(kp, login):
    c = login(kp.secretary)
    url = f"/scorecard/records/T_FIRST_PASS/?branch={kp.other_branch.pk}&from=2026-10-01&to=2026-10-31"
    assert c.get(url).status_code == 404
    assert c.get(f"/scorecard/records/H_ON_TIME/?branch={kp.branch.pk}").status_code == 404
    assert login(kp.worker).get(url.replace(str(kp.other_branch.pk), str(kp.branch.pk))).status_code == 404
    assert login(kp.committee_user).get(url).status_code == 200


def test_the_branch_page_links_the_training_figures_to_their_records(kp, login):
    from scorecard import services
    from scorecard.tests.helpers import END

    w = kp
    card(w.worker_person, w.points[0], stability=30, last=moment(date(2026, 10, 20)))
    scheme = services.create_example_scheme(w.committee_user, mine=w.mine, start=START, end=END)
    run = services.run(w.committee_user, scheme=scheme, today=date(2026, 11, 15))
    page = login(w.secretary).get(f"/scorecard/runs/{run.pk}/branches/{w.branch.pk}/").content.decode()
    assert f"/scorecard/records/T_MASTERY/?branch={w.branch.pk}&amp;from=2026-10-01&amp;to=2026-10-31" in page
    assert "知识点掌握提升率" in page and "月考一次合格率" in page
