"""包保 / 责任区, 党员身边无违章 across period boundaries and reassignments, 示范岗 self-assessment and rating."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.errors import Conflict, Forbidden, NotFound
from common.todos import todos_for
from orgs.models import PoliticalStatus
from orgs.tests.factories import PersonFactory, make_user
from places.models import Location
from vanguard import compliance, services
from vanguard.models import Assessment, Assignment
from vanguard.tests import helpers as posted
from violations import services as violations
from violations.models import Severity, Violation

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 30)


@pytest.fixture
def vw(world):
    violations.ensure_defaults(world.mine)
    world.general = Severity.objects.get(mine=world.mine, name="一般")
    world.face = Location.objects.create(mine=world.mine, unit=world.unit, name="1302工作面")
    world.road = Location.objects.create(mine=world.mine, unit=world.unit, name="轨道巷")
    world.member2_person = PersonFactory(org=world.team2, name="党员乙", political_status=PoliticalStatus.MEMBER)
    world.member2 = make_user("member-2", "member", world.team2, person=world.member2_person)
    return world


def violation(w, person, day, location=None, revoked=False):
    v = Violation.objects.create(mine=w.mine, person=person, org=person.org, occurred_on=day, kind="operation", severity=w.general,
                                 description="违章作业", recorded_by=w.safety, location=location, status="revoked" if revoked else "recorded")  # fmt: skip
    return v


def assign(w, member=None, workers=(), locations=(), starts="2026-01-01", ends=""):
    return posted.assign(
        w.secretary,
        {
            "member": (member or w.member_person).pk,
            "workers": [p.pk for p in workers],
            "locations": [x.pk for x in locations],
            "starts_on": starts,
            "ends_on": ends,
        },
    )


def month(w, day, member=None):
    member = member or w.member_person
    return compliance.member_months([member.pk], day, today=TODAY)[member.pk]


def test_a_member_is_compliant_when_nobody_and_nowhere_they_answer_for_had_a_violation(vw):
    w = vw
    assign(w, workers=[w.worker_person], locations=[w.face])
    assert month(w, date(2026, 3, 1)).compliant
    violation(w, w.colleague, date(2026, 3, 10), location=w.face)  # someone else, at their 责任区
    march = month(w, date(2026, 3, 1))
    assert not march.compliant and len(march.violations) == 1
    violation(w, w.worker_person, date(2026, 4, 30))  # their 包保对象, last day of April
    assert not month(w, date(2026, 4, 1)).compliant
    assert month(w, date(2026, 5, 1)).compliant
    assert month(w, date(2026, 5, 1)).days_clean == 31  # from 04-30 to 05-31
    violation(w, w.colleague, date(2026, 6, 2), location=w.road)  # not their place
    violation(w, w.worker_person, date(2026, 6, 3), revoked=True)  # revoked on appeal
    assert month(w, date(2026, 6, 1)).compliant


def test_period_boundaries_count_only_while_the_member_answered(vw):
    w = vw
    assign(w, workers=[w.worker_person], starts="2026-03-15", ends="2026-05-14")
    violation(w, w.worker_person, date(2026, 3, 14))  # the day before
    violation(w, w.worker_person, date(2026, 5, 15))  # the day after
    assert month(w, date(2026, 3, 1)).compliant
    assert month(w, date(2026, 5, 1)).compliant
    assert not month(w, date(2026, 2, 1)).assigned and not month(w, date(2026, 2, 1)).compliant
    assert not month(w, date(2026, 6, 1)).assigned
    violation(w, w.worker_person, date(2026, 3, 15))  # first day
    violation(w, w.worker_person, date(2026, 5, 14))  # last day
    assert not month(w, date(2026, 3, 1)).compliant and not month(w, date(2026, 5, 1)).compliant
    assert month(w, date(2026, 4, 1)).compliant


def test_a_reassigned_worker_counts_for_whoever_answered_on_the_day(vw):
    w = vw
    a = assign(w, workers=[w.worker_person, w.colleague], starts="2026-01-01")
    posted.adjust(w.secretary, a.pk, {"workers": [w.colleague.pk], "from": "2026-04-10"})
    assign(w, member=w.member2_person, workers=[w.worker_person], starts="2026-04-10")
    violation(w, w.worker_person, date(2026, 4, 9))
    violation(w, w.worker_person, date(2026, 4, 20))
    first, second = month(w, date(2026, 4, 1)), month(w, date(2026, 4, 1), w.member2_person)
    assert [v[0] for v in first.violations] == [date(2026, 4, 9)]
    assert [v[0] for v in second.violations] == [date(2026, 4, 20)]
    assert not month(w, date(2026, 5, 1)).violations
    assert Assignment.objects.get(pk=a.pk).ends_on == date(2026, 4, 9)


def test_one_worker_has_one_guardian_at_a_time(vw):
    w = vw
    assign(w, workers=[w.worker_person], starts="2026-01-01", ends="2026-06-30")
    with pytest.raises(ValidationError) as exc:
        assign(w, member=w.member2_person, workers=[w.worker_person], starts="2026-06-01")
    assert "已由党员 党员甲 包保" in exc.value.message_dict["workers"][0]
    assign(w, member=w.member2_person, workers=[w.worker_person], starts="2026-07-01")


@pytest.mark.parametrize(
    "data, field",
    [
        ({"member": "x"}, "member"),
        ({"workers": []}, "workers"),
        ({"ends_on": "2025-12-31"}, "ends_on"),
        ({"locations": [999999]}, "locations"),
    ],
)
def test_bad_assignments_name_the_field(vw, data, field):
    w = vw
    base = {"member": w.member_person.pk, "workers": [w.worker_person.pk], "starts_on": "2026-01-01"}
    with pytest.raises(ValidationError) as exc:
        posted.assign(w.secretary, {**base, **data})
    assert field in exc.value.message_dict


def test_only_party_members_in_scope_and_only_managers_assign(vw):
    w = vw
    with pytest.raises(ValidationError):
        posted.assign(w.secretary, {"member": w.worker_person.pk, "workers": [w.colleague.pk]})
    with pytest.raises(ValidationError):
        posted.assign(w.other_secretary, {"member": w.member_person.pk, "workers": [w.colleague.pk]})
    with pytest.raises(Forbidden):
        posted.assign(w.member, {"member": w.member_person.pk, "workers": [w.colleague.pk]})


def test_branch_rate_and_scope(vw):
    w = vw
    assign(w, workers=[w.worker_person])
    assign(w, member=w.member2_person, locations=[w.face])
    violation(w, w.colleague, date(2026, 11, 3), location=w.face)
    rows = services.compliance_rows(w.secretary, date(2026, 11, 1), today=TODAY)
    assert compliance.branch_rate([r for _, r in rows]) == (1, 2, 50)
    assert services.compliance_rows(w.other_secretary, date(2026, 11, 1), today=TODAY) == []
    own = services.compliance_rows(w.member, date(2026, 11, 1), today=TODAY)
    assert [m.name for m, _ in own] == ["党员甲"]
    with pytest.raises(NotFound):
        services.member_year(w.member, w.member2_person.pk, 2026)
    figures = services.branch_figures(w.committee_user, date(2026, 11, 1), today=TODAY)
    assert [(b.name, ok, n) for b, ok, n, _ in figures] == [("综采一区党支部", 1, 2)]


def test_pages_show_the_rate_and_the_members_own_page(vw, login, django_assert_max_num_queries):
    w = vw
    assign(w, workers=[w.worker_person])
    violation(w, w.worker_person, timezone.localdate().replace(day=1))
    client = login(w.secretary)
    with django_assert_max_num_queries(16):
        page = client.get("/vanguard/")
    body = page.content.decode()
    assert "未达标 · 1 起" in body and "党员甲" in body
    own = login(w.member).get("/vanguard/me/", follow=True)
    assert "党员身边无违章" in own.content.decode() and own.redirect_chain
    assert login(w.other_secretary).get(f"/vanguard/members/{w.member_person.pk}/").status_code == 404
    bad = login(w.secretary).post(
        "/vanguard/assign/",
        {"member": w.member2_person.pk, "workers": [w.worker_person.pk], "starts_on": "2026-01-01", "note": "跟班"},
    )
    assert bad.status_code == 422, bad.content.decode()
    assert "已由党员 党员甲 包保" in bad.content.decode() and "跟班" in bad.content.decode(), bad.content.decode()


def test_the_overview_query_count_does_not_grow_with_members(vw, login, django_assert_max_num_queries):
    w = vw
    assign(w, workers=[w.worker_person])
    client = login(w.secretary)
    with django_assert_max_num_queries(16):
        client.get("/vanguard/")
    for n in range(8):
        person = PersonFactory(org=w.team, name=f"党员{n}", political_status=PoliticalStatus.MEMBER)
        posted.assign(w.secretary, {"member": person.pk, "locations": [w.face.pk]})
    with django_assert_max_num_queries(16):
        assert client.get("/vanguard/").content.decode().count("包保以来无违章") == 9


# ---------------------------------------------------------------- 示范岗


@pytest.fixture
def post(vw):
    return posted.create_post(
        vw.secretary,
        {
            "name": "综采一区安全示范岗",
            "holder": vw.member_person.pk,
            "location": vw.face.pk,
            "commitments": "不违章、不冒险、带好班组",
        },
    )


def test_self_assessment_then_rating_which_is_final(vw, post):
    w = vw
    with pytest.raises(Forbidden):
        posted.self_assess(w.secretary, post.pk, {"summary": "代写本月情况", "self_rating": "good"})
    a = posted.self_assess(w.member, post.pk, {"summary": "本月带班无违章", "self_rating": "excellent"})
    a = posted.self_assess(w.member, post.pk, {"summary": "本月带班无违章,组织学习两次", "self_rating": "excellent"})
    assert Assessment.objects.count() == 1 and a.version == 2
    assert any(t.module == "vanguard" for t in todos_for(w.secretary))
    with pytest.raises(Conflict, match="刷新"):
        posted.rate(w.secretary, a.pk, {"rating": "good", "version": 1})
    posted.rate(w.secretary, a.pk, {"rating": "good", "note": "继续保持", "version": a.version})
    with pytest.raises(Conflict, match="不能再修改"):
        posted.self_assess(w.member, post.pk, {"summary": "改一改本月情况", "self_rating": "excellent"})
    with pytest.raises(Conflict):
        services.delete_assessment(w.member, a.pk)
    with pytest.raises(Conflict):
        posted.rate(w.secretary, a.pk, {"rating": "excellent"})
    assert Assessment.objects.get(pk=a.pk).rating == "good"
    assert not any(t.module == "vanguard" for t in todos_for(w.secretary))
    from auditlog.models import LogEntry  # the compare-and-set updates reach the audit log (who, what changed)

    updates = LogEntry.objects.get_for_object(a).filter(action=LogEntry.Action.UPDATE).order_by("pk")
    assert [(e.actor, "rating" in e.changes_dict) for e in updates] == [(w.member, False), (w.secretary, True)]


def test_assessment_validation_and_scope(vw, post):
    w = vw
    with pytest.raises(ValidationError) as exc:
        posted.self_assess(w.member, post.pk, {"summary": "", "self_rating": "great", "month": "2099-01"})
    assert set(exc.value.message_dict) == {"summary", "self_rating", "month"}
    a = posted.self_assess(w.member, post.pk, {"summary": "按承诺履职", "self_rating": "pass"})
    with pytest.raises(NotFound):
        posted.rate(w.other_secretary, a.pk, {"rating": "good"})
    with pytest.raises(Forbidden):
        posted.rate(w.branch_committee, a.pk, {"rating": "good"})
    services.delete_assessment(w.member, a.pk)
    assert not Assessment.objects.exists()


def test_post_pages_and_api(vw, post, login):
    w = vw
    member = login(w.member)
    page = member.post(f"/vanguard/posts/{post.pk}/", {"op": "self", "summary": "", "self_rating": "good"})
    assert page.status_code == 422 and "请写明本月履诺情况" in page.content.decode()
    assert (
        member.post(
            f"/vanguard/posts/{post.pk}/", {"op": "self", "summary": "带头执行手指口述", "self_rating": "good"}
        ).status_code
        == 302
    )
    api = login(w.secretary)
    detail = api.get(f"/api/vanguard/posts/{post.pk}").json()
    aid = detail["assessments"][0]["id"]
    rated = api.post(f"/api/vanguard/assessments/{aid}/rate", {"rating": "excellent"}, content_type="application/json")
    assert rated.status_code == 200 and rated.json()["assessments"][0]["rating"] == "excellent"
    assert (
        api.post(
            f"/api/vanguard/assessments/{aid}/rate", {"rating": "good"}, content_type="application/json"
        ).status_code
        == 409
    )
    assert login(w.other_secretary).get(f"/api/vanguard/posts/{post.pk}").status_code == 404


def test_api_assign_and_compliance(vw, login):
    w = vw
    client = login(w.secretary)
    created = client.post(
        "/api/vanguard/assignments",
        {"member": w.member_person.pk, "workers": [w.worker_person.pk], "starts_on": "2026-01-01"},
        content_type="application/json",
    )
    assert created.status_code == 201
    again = client.post(
        "/api/vanguard/assignments",
        {"member": w.member2_person.pk, "workers": [w.worker_person.pk]},
        content_type="application/json",
    )
    assert again.status_code == 422 and "包保" in again.json()["errors"]["workers"][0]
    data = client.get("/api/vanguard/compliance").json()
    assert data["assigned"] == 1 and data["members"][0]["name"] == "党员甲"
    client.post("/api/vanguard/assignments", {"member": w.member2_person.pk, "workers": [w.colleague.pk],
                "starts_on": "2026-01-01"}, content_type="application/json")  # fmt: skip
    first = client.get("/api/vanguard/compliance?limit=1").json()
    second = client.get("/api/vanguard/compliance?limit=1&offset=1").json()
    # the members come a page at a time; the rate counts every member in scope, whatever the page
    assert first["count"] == 2 and first["assigned"] == 2 and second["assigned"] == 2
    assert len(first["members"]) == 1 and len(second["members"]) == 1
    assert {first["members"][0]["name"], second["members"][0]["name"]} == {"党员甲", w.member2_person.name}
    assert (
        login(w.worker)
        .post(
            "/api/vanguard/assignments",
            {"member": w.member_person.pk, "workers": [w.colleague.pk]},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert login(w.other_secretary).get("/api/vanguard/compliance").json()["members"] == []


def test_days_clean_counts_from_the_first_assignment(vw):
    w = vw
    assign(w, workers=[w.worker_person], starts="2026-11-01")
    row = month(w, date(2026, 11, 1))
    assert row.compliant and row.last_violation is None and row.days_clean == (TODAY - date(2026, 11, 1)).days
    assert month(w, date(2026, 11, 1) - timedelta(days=1)).assigned is False


def test_a_worker_sees_who_answers_for_them(vw, login):
    w = vw
    posted.assign(w.secretary, {"member": w.member_person.pk, "workers": [w.worker_person.pk]})
    page = login(w.worker).get("/vanguard/me/")
    assert page.status_code == 200 and "党员甲" in page.content.decode()
    assert (
        "目前没有党员包保您"
        in login(make_user("lonely", "worker", w.team, person=PersonFactory(org=w.team)))
        .get("/vanguard/me/")
        .content.decode()
    )


def test_a_members_home_shows_their_own_month(vw):
    from common.modules import tiles_for

    w = vw

    def own(user):
        return {f.label: f.value for n, *_r, figures in tiles_for(user) if n == 2 for f in figures}.get(
            "我身边本月无违章"
        )

    assert own(w.member) is None  # answers for nobody yet
    posted.assign(
        w.secretary,
        {
            "member": w.member_person.pk,
            "workers": [w.worker_person.pk],
            "starts_on": timezone.localdate().replace(day=1).isoformat(),
        },
    )
    assert own(w.member) == "达标"
    violation(w, w.worker_person, timezone.localdate())
    assert own(w.member) == "未达标"


def test_a_whole_mines_reckoning_reads_the_mines_violations_and_agrees(vw, monkeypatch):
    w = vw
    assign(w, workers=[w.worker_person], locations=[w.face])
    violation(w, w.worker_person, date(2026, 3, 3))
    violation(w, w.colleague, date(2026, 3, 9), location=w.face)
    violation(w, w.colleague, date(2026, 3, 10), location=w.road)  # neither theirs nor their place
    few = month(w, date(2026, 3, 1))
    monkeypatch.setattr(compliance, "MANY", 0)
    many = month(w, date(2026, 3, 1))
    assert [v[0] for v in few.violations] == [v[0] for v in many.violations] == [date(2026, 3, 3), date(2026, 3, 9)]


def test_ending_an_assignment_on_the_page(vw, login):
    w = vw
    a = assign(w, workers=[w.worker_person], starts="2026-01-01")
    client = login(w.secretary)
    bad = client.post(f"/vanguard/assignments/{a.pk}/", {"op": "end", "ends_on": "2025-12-01"})
    assert bad.status_code == 422 and "结束日期不能早于开始日期" in bad.content.decode()
    assert client.post(f"/vanguard/assignments/{a.pk}/", {"op": "end", "ends_on": "2026-03-31"}).status_code == 302
    assert Assignment.objects.get(pk=a.pk).ends_on == date(2026, 3, 31)
    violation(w, w.worker_person, date(2026, 4, 2))  # after the end: no longer the member's
    assert not month(w, date(2026, 4, 1)).assigned and month(w, date(2026, 3, 1)).compliant
    ended = client.post(f"/vanguard/assignments/{a.pk}/", {"op": "end"})
    assert ended.status_code == 409 and "已经结束" in ended.content.decode()
    assert login(w.member).post(f"/vanguard/assignments/{a.pk}/", {"op": "end"}).status_code == 403


def test_adjusting_on_the_page_keeps_the_input_after_an_error(vw, login):
    w = vw
    a = assign(w, workers=[w.worker_person], starts="2026-01-01")
    client = login(w.secretary)
    bad = client.post(
        f"/vanguard/assignments/{a.pk}/", {"op": "adjust", "workers": [w.colleague.pk], "from": "2025-06-01"}
    )
    body = bad.content.decode()
    assert (
        bad.status_code == 422 and "调整日期须晚于原开始日期" in body and f'value="{w.colleague.pk}" selected' in body
    )
    moved = client.post(
        f"/vanguard/assignments/{a.pk}/", {"op": "adjust", "workers": [w.colleague.pk], "from": "2026-05-01"}
    )
    assert moved.status_code == 302 and Assignment.objects.filter(member=w.member_person).count() == 2


def test_setting_up_a_post_on_the_page(vw, login):
    w = vw
    client = login(w.secretary)
    bad = client.post("/vanguard/posts/", {"name": "岗", "holder": w.worker_person.pk, "commitments": "不违章"})
    body = bad.content.decode()
    assert (
        bad.status_code == 422
        and "请填写岗位名称(2到60字)" in body
        and "请选择您管理范围内的党员" in body
        and "不违章" in body
    )
    assert (
        client.post(
            "/vanguard/posts/",
            {"name": "综采安全示范岗", "holder": w.member_person.pk, "commitments": "不违章、不冒险"},
        ).status_code
        == 302
    )
    assert (
        login(w.worker)
        .post("/vanguard/posts/", {"name": "综采安全示范岗", "holder": w.member_person.pk, "commitments": "x"})
        .status_code
        == 404
    )


def test_the_counted_rate_equals_the_reckoning_member_by_member(vw, login, django_assert_max_num_queries):
    """The committee's figures are counted by the database (one query whatever the mine's size); month by month they
    say what ``member_months`` reckons for each member: before and after an assignment, revoked, at a 责任区, by
    another member's worker, and in a month nobody answered."""
    w = vw
    assign(w, workers=[w.worker_person], starts="2026-03-15", ends="2026-05-14")
    assign(w, member=w.member2_person, locations=[w.face], starts="2026-04-01")
    third = PersonFactory(org=w.team, name="党员丙", political_status=PoliticalStatus.MEMBER)
    assign(w, member=third, workers=[w.colleague], starts="2026-06-01", ends="2026-06-30")
    violation(w, w.worker_person, date(2026, 3, 14))  # the day before the first assignment
    violation(w, w.worker_person, date(2026, 4, 2))
    violation(w, w.worker_person, date(2026, 5, 15))  # the day after it ended
    violation(w, w.colleague, date(2026, 4, 20), location=w.face)  # at 党员乙's 责任区
    violation(w, w.colleague, date(2026, 6, 20), revoked=True)
    violation(w, w.colleague, date(2026, 7, 3))  # after 党员丙's month
    for m in range(2, 12):
        first = date(2026, m, 1)
        rows = services.compliance_rows(w.committee_user, first, today=TODAY)
        expected = compliance.branch_rate([r for _, r in rows])
        assert services.compliance_rate(w.committee_user, first, today=TODAY) == expected, first
        figures = services.branch_figures(w.committee_user, first, today=TODAY)
        assert sum(ok for _, ok, _, _ in figures) == expected[0] and sum(n for _, _, n, _ in figures) == expected[1]
    assert services.compliance_rate(w.committee_user, date(2026, 4, 1), today=TODAY) == (0, 2, 0)
    assert services.compliance_rate(w.committee_user, date(2026, 6, 1), today=TODAY) == (2, 2, 100)
    client = login(w.committee_user)
    with django_assert_max_num_queries(20) as before:
        client.get("/vanguard/")
    for n in range(12):
        person = PersonFactory(org=w.team2, name=f"党员{n}", political_status=PoliticalStatus.MEMBER)
        posted.assign(w.secretary, {"member": person.pk, "locations": [w.road.pk]})
        violation(w, w.colleague, timezone.localdate(), location=w.road)
    with django_assert_max_num_queries(len(before)):
        body = client.get("/vanguard/").content.decode()
    assert "党员11" in body


def test_assignment_list_api_gives_each_assignments_people_and_places_in_a_fixed_number_of_queries(
    vw, login, django_assert_max_num_queries
):
    w = vw
    assign(w, workers=[w.worker_person, w.colleague], locations=[w.road, w.face])
    assign(w, member=w.member2_person, locations=[w.road], starts="2026-02-01")
    client = login(w.secretary)
    client.get("/api/vanguard/assignments")
    with django_assert_max_num_queries(8):
        rows = client.get("/api/vanguard/assignments").json()
    by_member = {r["member"]: r for r in rows}
    assert by_member["党员甲"]["workers"] == sorted([w.worker_person.pk, w.colleague.pk])
    assert by_member["党员甲"]["locations"] == sorted([w.road.pk, w.face.pk])
    assert by_member["党员乙"]["workers"] == [] and by_member["党员乙"]["locations"] == [w.road.pk]
    assert login(w.other_secretary).get("/api/vanguard/assignments").json() == []


@pytest.mark.django_db(transaction=True)  # each write commits, and so raises the write generations for real
def test_the_overview_rate_is_kept_and_follows_a_new_violation_at_once(vw, login, settings):
    from common import homecache

    w = vw
    settings.HONGLING_HOME_CACHE = True
    homecache.clear()
    assign(w, workers=[w.worker_person])
    client = login(w.committee_user)

    def rate():
        page = client.get("/vanguard/").content.decode()
        return page.split('id="rate"')[1].split("</div></div>")[0]

    assert "100%" in rate() and "达标 1 人" in rate()  # (the second time kept)
    violation(w, w.worker_person, timezone.localdate().replace(day=1))
    assert "0%" in rate() and "达标 0 人" in rate()
    homecache.clear()
