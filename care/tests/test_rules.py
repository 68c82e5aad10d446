"""Each suggestion rule at its boundaries; decisions: confirmed or dismissed facts do not suggest again, new ones do."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from care import forms, rules, services
from care.models import Rule
from care.tests.helpers import enter_as, record_screening, record_talk
from common import inputs
from orgs.models import Person, Transfer, WorkStatus
from orgs.tests.factories import JobTypeFactory, PersonFactory

pytestmark = pytest.mark.django_db


def suggested(user, person):
    """{rule: [fact keys]} the secretary is shown for ``person``."""
    for s in services.suggestions_for(user):
        if s.person.pk == person.pk:
            return {str(r): [k for k, _t, _n in facts] for r, facts in s.rules.items()}
    return {}


def today():
    return timezone.localdate()


@pytest.mark.parametrize("days, expected", [(89, True), (90, True), (91, False)])
def test_a_new_hire_is_suggested_up_to_day_90(care, days, expected):
    p = PersonFactory(org=care.team, hire_date=today() - timedelta(days=days))
    assert (Rule.NEW_HIRE in suggested(care.secretary, p)) is expected


@pytest.mark.parametrize("days, expected", [(89, True), (90, True), (91, False)])
def test_a_transfer_is_suggested_up_to_day_90(care, days, expected):
    p = care.colleague
    job = JobTypeFactory(name="掘进工")
    Transfer.objects.create(
        person=p,
        date=today() - timedelta(days=days),
        from_job=p.job_type,
        to_job=job,
        from_org=care.team,
        to_org=care.team2,
    )
    assert (Rule.TRANSFER in suggested(care.secretary, p)) is expected


def test_thresholds_are_the_mines_to_set(care):
    p = PersonFactory(org=care.team, hire_date=today() - timedelta(days=100))
    assert Rule.NEW_HIRE not in suggested(care.secretary, p)
    services.save_thresholds(
        care.committee_user, care.mine, **inputs.parse(forms.ThresholdsForm, {"recent_days": "120"})
    )
    assert Rule.NEW_HIRE in suggested(care.secretary, p)


# ---------------------------------------------------------------- violations


@pytest.fixture
def severities(care):
    from violations.models import Severity

    return (
        Severity.objects.create(mine=care.mine, name="一般", serious=False),
        Severity.objects.create(mine=care.mine, name="严重", serious=True, order=1),
    )


def violation(w, person, severity, days_ago, **extra):
    from violations.models import Violation

    return Violation.objects.create(
        mine=w.mine, person=person, org=person.org, occurred_on=today() - timedelta(days=days_ago), kind="operation",
        severity=severity, description="未执行敲帮问顶", recorded_by=w.safety, **extra,
    )  # fmt: skip


def test_one_ordinary_violation_is_not_enough_two_are(care, severities):
    ordinary, _ = severities
    p = care.worker_person
    violation(care, p, ordinary, 10)
    assert Rule.VIOLATIONS not in suggested(care.secretary, p)
    violation(care, p, ordinary, 89)
    assert len(suggested(care.secretary, p)[Rule.VIOLATIONS]) == 2


def test_violations_count_within_90_days_only(care, severities):
    ordinary, _ = severities
    p = care.worker_person
    violation(care, p, ordinary, 10)
    violation(care, p, ordinary, 91)
    assert Rule.VIOLATIONS not in suggested(care.secretary, p)
    violation(care, p, ordinary, 90)
    assert Rule.VIOLATIONS in suggested(care.secretary, p)


def test_one_serious_violation_is_enough_and_a_revoked_one_does_not_count(care, severities):
    _, serious = severities
    p = care.worker_person
    v = violation(care, p, serious, 5)
    assert suggested(care.secretary, p)[Rule.VIOLATIONS] == [f"violation:{v.pk}"]
    v.status = "revoked"
    v.save()
    assert Rule.VIOLATIONS not in suggested(care.secretary, p)


def test_a_dismissed_suggestion_returns_only_with_a_new_fact(care, severities):
    ordinary, _ = severities
    p = care.worker_person
    violation(care, p, ordinary, 30)
    violation(care, p, ordinary, 20)
    services.dismiss(care.secretary, p.pk, Rule.VIOLATIONS, reason="已批评教育,本人认识到位")
    assert Rule.VIOLATIONS not in suggested(care.secretary, p)
    assert services.suggestions_for(care.secretary) == [] or all(
        s.person.pk != p.pk for s in services.suggestions_for(care.secretary)
    )
    newer = violation(care, p, ordinary, 1)
    keys = suggested(care.secretary, p)[Rule.VIOLATIONS]
    assert f"violation:{newer.pk}" in keys and len(keys) == 3
    new_flags = {
        k: n
        for s in services.suggestions_for(care.secretary)
        if s.person.pk == p.pk
        for k, _t, n in s.rules[Rule.VIOLATIONS]
    }
    assert new_flags[f"violation:{newer.pk}"] is True and sum(new_flags.values()) == 1


def test_a_dismissal_needs_a_reason_and_the_secretarys_role(care, severities):
    from django.core.exceptions import ValidationError

    from common.errors import Forbidden, NotFound

    _, serious = severities
    violation(care, care.worker_person, serious, 3)
    with pytest.raises(ValidationError):
        inputs.parse(forms.DismissForm, {"reason": " "})  # the form refuses it before the service runs
    with pytest.raises(Forbidden):
        services.dismiss(care.committee_user, care.worker_person.pk, Rule.VIOLATIONS, reason="不需要")
    with pytest.raises(NotFound):
        services.dismiss(care.other_secretary, care.worker_person.pk, Rule.VIOLATIONS, reason="不需要")


# ---------------------------------------------------------------- exams


def exam_month(w, month_start, person, passed, kind="exam"):
    from training.models import ExamBlueprint, ExamPaper

    tz = timezone.get_current_timezone()
    bp, _ = ExamBlueprint.objects.get_or_create(
        title=f"{month_start:%Y-%m} 月考", org=w.mine, month=month_start,
        defaults={"opens_at": datetime.combine(month_start, time(8), tzinfo=tz), "closes_at": datetime.combine(month_start, time(20), tzinfo=tz), "author": w.committee_user},
    )  # fmt: skip
    return ExamPaper.objects.create(
        blueprint=bp, person=person, kind=kind, submitted_at=timezone.now(), passed=passed, score=90 if passed else 60
    )


def months_back(n):
    return rules.add_months(today().replace(day=1), -n)


def test_failing_the_monthly_exam_is_suggested_and_a_passed_makeup_clears_it(care):
    p = care.worker_person
    exam_month(care, months_back(1), p, passed=True)
    exam_month(care, months_back(0), p, passed=False)
    assert Rule.EXAM in suggested(care.secretary, p)
    exam_month(care, months_back(0), p, passed=True, kind="makeup")
    assert Rule.EXAM not in suggested(care.secretary, p)


def test_twice_in_a_row_when_the_mine_says_so(care):
    p = care.worker_person
    services.save_thresholds(care.committee_user, care.mine, **inputs.parse(forms.ThresholdsForm, {"exam_fails": "2"}))
    exam_month(care, months_back(2), p, passed=False)
    exam_month(care, months_back(1), p, passed=True)
    exam_month(care, months_back(0), p, passed=False)
    assert Rule.EXAM not in suggested(care.secretary, p)
    q = care.member_person
    exam_month(care, months_back(1), q, passed=False)
    exam_month(care, months_back(0), q, passed=False)
    assert len(suggested(care.secretary, q)[Rule.EXAM]) == 2


# ---------------------------------------------------------------- back from leave


def set_status(person, status, when):
    """Change 在岗状态 as the roster does (a WorkStatusChange is written) and date the change."""
    from orgs.models import WorkStatusChange

    person = Person.objects.get(pk=person.pk)
    person.work_status = status
    person.save()
    change = WorkStatusChange.objects.filter(person=person).latest("pk")
    moment = timezone.make_aware(datetime.combine(when, time(9)))
    WorkStatusChange.objects.filter(pk=change.pk).update(at=moment)


def test_back_after_six_months_away_is_suggested_not_after_five(care):
    long_away, short_away = care.worker_person, care.member_person
    back = today() - timedelta(days=10)
    set_status(long_away, WorkStatus.SICK, rules.add_months(back, -6))
    set_status(long_away, WorkStatus.ON_DUTY, back)
    set_status(short_away, WorkStatus.LEAVE, rules.add_months(back, -6) + timedelta(days=1))
    set_status(short_away, WorkStatus.ON_DUTY, back)
    assert Rule.LEAVE in suggested(care.secretary, long_away)
    assert Rule.LEAVE not in suggested(care.secretary, short_away)


def test_a_return_long_ago_is_not_suggested(care):
    p = care.worker_person
    back = today() - timedelta(days=91)
    set_status(p, WorkStatus.LEAVE, rules.add_months(back, -8))
    set_status(p, WorkStatus.ON_DUTY, back)
    assert Rule.LEAVE not in suggested(care.secretary, p)


# ---------------------------------------------------------------- concerns flagged in screenings and talks


def test_a_talk_or_screening_marked_as_a_concern_suggests_the_person(care):
    p, q = care.worker_person, care.colleague
    record_talk(care.secretary, {"form": "face", "people": [p.pk], "topics": "家中老人住院", "concern": "1"})
    record_talk(care.secretary, {"form": "face", "people": [q.pk], "topics": "一切正常"})
    record_screening(
        care.secretary,
        {
            "kind": "home_visit",
            "participants": [care.secretary.person_id],
            "people": [q.pk],
            "concern": [q.pk],
            f"note_{q.pk}": "夫妻矛盾",
        },
    )
    assert Rule.CONCERN in suggested(care.secretary, p)
    assert [k.split(":")[0] for k in suggested(care.secretary, q)[Rule.CONCERN]] == ["finding"]


def test_a_diary_entry_marked_as_a_concern_suggests_the_people_met(care):
    from frontline import services as frontline

    p, q = care.worker_person, care.colleague
    frontline.create_entry(
        care.secretary, {"place": "王小二家", "people": [p.pk], "learned": "爱人生病住院,情绪低落", "concern": "1"}
    )
    frontline.create_entry(care.secretary, {"place": "班前会", "people": [q.pk], "learned": "班组气氛正常"})
    assert [k.split(":")[0] for k in suggested(care.secretary, p)[Rule.CONCERN]] == ["diary"]
    assert Rule.CONCERN not in suggested(care.secretary, q)


def test_people_on_the_register_and_people_who_left_are_not_suggested(care):
    p = PersonFactory(org=care.team, hire_date=today() - timedelta(days=5))
    gone = PersonFactory(org=care.team, hire_date=today() - timedelta(days=5), work_status=WorkStatus.LEFT)
    assert Rule.NEW_HIRE in suggested(care.secretary, p) and not suggested(care.secretary, gone)
    enter_as(
        care.secretary,
        p,
        {"tier": "C", "criteria": [care_criterion(care, "新入职")], "helper": care.member_person.pk, "measures": "师带徒",
         "rule": [Rule.NEW_HIRE]},
    )  # fmt: skip
    assert not suggested(care.secretary, p)


def care_criterion(w, name):
    from care.models import Criterion

    return Criterion.objects.get(mine=w.mine, name=name).pk


def test_suggestions_stay_in_the_branch(care):
    p = PersonFactory(org=care.other_team, hire_date=today() - timedelta(days=5))
    assert not suggested(care.secretary, p)
    assert Rule.NEW_HIRE in suggested(care.other_secretary, p)
    assert Rule.NEW_HIRE in suggested(care.committee_user, p)
    assert services.suggestions_for(care.admin) == [] and services.suggestions_for(care.superuser) == []
