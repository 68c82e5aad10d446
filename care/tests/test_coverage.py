"""谈心谈话 coverage per branch and calendar year: joiners, leavers and transfers between branches."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from care.coverage import coverage
from care.models import Talk, TalkPerson
from care.tests.helpers import enter, record_talk
from orgs.models import Person, Transfer, WorkStatus
from orgs.tests.factories import PersonFactory, make_user

pytestmark = pytest.mark.django_db


def talk_on(w, person, day, user=None):
    """A talk dated ``day`` (the service refuses future dates; past years are written directly)."""
    talk = record_talk(
        user or w.committee_user,
        {"form": "face", "people": [person.pk], "topics": "谈心", "talker": w.secretary.person_id},
    )
    Talk.objects.filter(pk=talk.pk).update(date=day)
    TalkPerson.objects.filter(talk=talk).update(date=day)
    return talk


def row(data, branch):
    return next(r for r in data["rows"] if r["branch"]["pk"] == branch.pk)


def set_status(person, status, when):
    from orgs.models import WorkStatusChange

    person = Person.objects.get(pk=person.pk)
    person.work_status = status
    person.save()
    change = WorkStatusChange.objects.filter(person=person).latest("pk")
    WorkStatusChange.objects.filter(pk=change.pk).update(at=timezone.make_aware(datetime.combine(when, time(9))))


YEAR = timezone.localdate().year - 1  # a whole past year: 1 January to 31 December


def test_every_worker_once_a_year(care):
    # 综采一区: 王小二, 党员甲, 书记甲 (早班), 同事乙 (中班)
    talk_on(care, care.worker_person, date(YEAR, 3, 1))
    talk_on(care, care.worker_person, date(YEAR, 9, 1))  # twice is still one person
    talk_on(care, care.colleague, date(YEAR - 1, 12, 31))  # last year's talk does not count
    data = coverage(care.committee_user, care.mine, YEAR)
    r = row(data, care.branch)
    assert (r["total"], r["covered"], r["pct"]) == (4, 1, 25)


def test_joiners_count_from_their_hire_and_after_the_year_not_at_all(care):
    PersonFactory(org=care.team, hire_date=date(YEAR, 11, 20), name="年内新人")
    PersonFactory(org=care.team, hire_date=date(YEAR + 1, 1, 2), name="次年新人")
    r = row(coverage(care.committee_user, care.mine, YEAR), care.branch)
    assert r["total"] == 5


def test_leavers_no_longer_count_once_they_left(care):
    left_in_year = PersonFactory(org=care.team, name="年内离岗")
    set_status(left_in_year, WorkStatus.LEFT, date(YEAR, 6, 30))
    left_after = PersonFactory(org=care.team, name="次年离岗")
    set_status(left_after, WorkStatus.RETIRED, date(YEAR + 1, 1, 15))
    PersonFactory(org=care.team, name="早已离岗", work_status=WorkStatus.LEFT)  # no date known: not counted
    r = row(coverage(care.committee_user, care.mine, YEAR), care.branch)
    assert r["total"] == 5 and r["left"] == 1  # the four, and the one who left after the year was still there


def test_a_transfer_counts_in_the_branch_at_the_end_of_the_year_and_a_talk_anywhere_counts(care):
    mover = care.colleague
    talk_on(care, mover, date(YEAR, 2, 1))  # talked to while still in 综采一区
    Transfer.objects.create(
        person=mover,
        date=date(YEAR, 7, 1),
        from_job=mover.job_type,
        to_job=mover.job_type,
        from_org=care.team2,
        to_org=care.other_team,
    )
    Person.objects.filter(pk=mover.pk).update(org=care.other_team)
    data = coverage(care.committee_user, care.mine, YEAR)
    assert row(data, care.branch)["total"] == 3
    assert (row(data, care.other_branch)["total"], row(data, care.other_branch)["covered"]) == (2, 1)
    # moved again after the year: for that year they still count where they were on 31 December
    Transfer.objects.create(
        person=mover,
        date=date(YEAR + 1, 1, 10),
        from_job=mover.job_type,
        to_job=mover.job_type,
        from_org=care.other_team,
        to_org=care.team,
    )
    Person.objects.filter(pk=mover.pk).update(org=care.team)
    data = coverage(care.committee_user, care.mine, YEAR)
    assert row(data, care.branch)["total"] == 3 and row(data, care.other_branch)["total"] == 2


def test_the_secretary_sees_their_branch_the_not_covered_list_at_risk_first_and_a_plan(care, login):
    today = timezone.localdate()
    enter(care, person=care.colleague)
    talk_on(care, care.member_person, today, user=care.secretary)
    data = coverage(care.secretary, care.mine, today.year, branch_pk=care.branch.pk)
    assert [r["branch"]["pk"] for r in data["rows"]] == [care.branch.pk]
    missing = data["branch"]["missing"]
    assert missing[0]["pk"] == care.colleague.pk and missing[0]["at_risk"]
    assert {m["pk"] for m in missing} == {care.colleague.pk, care.worker_person.pk, care.secretary.person_id}
    plan = data["branch"]["plan"]
    assert sum(t["total"] for t in plan) == 3
    months = 12 - today.month + 1
    for t in plan:
        assert t["per_month"] == -(-t["total"] // months)
        assert sum(len(ps) for _m, ps in t["schedule"]) == t["total"]
    secretary_share = next(t for t in plan if t["talker"] == "书记甲")
    assert secretary_share["schedule"][0][1][0]["pk"] == care.colleague.pk  # at-risk worker: the secretary, first
    page = login(care.secretary).get("/care/coverage/").content.decode()
    assert "同事乙" in page and "薄弱人物" in page and "掘进一区党支部" not in page


def test_the_team_leader_plans_talks_with_their_crew(care):
    leader = make_user(
        "tl-person", "team_leader", care.team2, person=PersonFactory(org=care.team2, name="班长丙", post="班长")
    )
    data = coverage(care.secretary, care.mine, timezone.localdate().year, branch_pk=care.branch.pk)
    plan = {t["talker"]: t for t in data["branch"]["plan"]}
    assert plan["班长丙"]["total"] == 2  # 同事乙 and the leader himself are in 中班
    assert leader.person.name == "班长丙"


def test_coverage_is_on_the_home_tile_and_in_the_todo(care, login):
    page = login(care.secretary).get("/").content.decode()
    assert "谈心谈话覆盖率" in page and "今年还有 4 人未谈" in page


def test_coverage_page_answers_in_a_fixed_number_of_queries(care, login, django_assert_max_num_queries):
    for i in range(20):
        p = PersonFactory(org=care.team2, name=f"职工{i}")
        if i % 2:
            talk_on(care, p, timezone.localdate())
    client = login(care.committee_user)
    with django_assert_max_num_queries(16):
        client.get(f"/care/coverage/?branch={care.branch.pk}")
