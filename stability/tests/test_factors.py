"""Unstable factors: the table exhaustively, major ones on the mine's view at once and the secretary's own follow-up
until closed (a 待办 that comes back), measures and 研判, the tile and ``branch_figures``."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from common.errors import Conflict, Forbidden, NotFound
from common.todos import todos_for
from stability import services
from stability.models import ContentRead, Factor, FactorStatus
from stability.tests.helpers import ago, factor, petition

pytestmark = pytest.mark.django_db

EXPECTED = {
    ("control", "resolve"): "resolved",
    ("control", "report"): "reported",
    ("reported", "resolve"): "resolved",
    ("reported", "return"): "control",
    ("resolved", "reopen"): "control",
}


def test_every_state_action_and_role(st):
    w = st
    f = factor(w)
    roles = {
        "secretary": w.secretary, "committee": w.committee_user, "other_secretary": w.other_secretary,
        "admin": w.admin, "safety": w.safety, "branch_committee": w.branch_committee, "team_leader": w.team_leader,
        "worker": w.worker, "superuser": w.superuser,
    }  # fmt: skip
    assert {k: v[0] for k, v in services.FACTOR_MACHINE.as_dict().items()} == EXPECTED
    for state in FactorStatus.values:
        for action in services.FACTOR_ACTIONS:
            for role, user in roles.items():
                with transaction.atomic():
                    Factor.objects.filter(pk=f.pk).update(status=state)
                    if role not in ("secretary", "committee"):
                        expected = NotFound
                    else:
                        expected = EXPECTED.get((state, action), Conflict)
                    try:
                        result = services.act_on_factor(user, f.pk, action=action, note="已逐一谈心,矛盾化解").status
                    except (NotFound, Conflict, Forbidden, ValidationError) as exc:
                        result = type(exc)
                    assert result == expected, (state, action, role)
                    transaction.set_rollback(True)


def test_closing_records_the_day_and_a_note_is_required(st):
    f = factor(st)
    with pytest.raises(ValidationError):
        services.act_on_factor(st.secretary, f.pk, action="resolve", note="")
    f = services.act_on_factor(st.secretary, f.pk, action="resolve", note="补发到位,职工满意")
    assert f.status == "resolved" and f.closed_on is not None
    f = services.act_on_factor(st.secretary, f.pk, action="reopen", note="又有人反映")
    assert f.status == "control" and f.closed_on is None


@pytest.mark.parametrize("count, severity, major", [(9, "general", False), (10, "general", True), (2, "major", True)])
def test_major_is_ten_people_or_marked(st, count, severity, major):
    f = factor(st, people_count=count, severity=severity)
    assert services.is_major(f) is major
    assert [x.major for x in services.factors_for(st.committee_user)] == [major]


def test_a_major_factor_is_on_the_mines_view_at_once(st, client):
    small = factor(st, title="小事")
    big = factor(st, people_count=25, title="采区人员分流")
    client.force_login(st.committee_user)
    page = client.get("/stability/").content.decode()
    majors = page.split('id="majors"')[1].split('id="urgent"')[0]
    assert "采区人员分流" in majors and "小事" not in majors
    assert big.pk != small.pk


def test_the_secretary_follows_a_major_factor_until_it_is_closed(st):
    w = st
    f = factor(w, people_count=12)
    todo = [t for t in todos_for(w.secretary) if t.url == f.get_absolute_url()]
    assert len(todo) == 1 and todo[0].deadline == f.found_on + services.timedelta(days=7)
    # nobody else may write the secretary's own entry, not even the party committee
    with pytest.raises(Forbidden):
        services.add_follow_up(w.committee_user, f.pk, date=ago(1), text="过问")
    services.add_follow_up(w.secretary, f.pk, date=ago(0), text="到班组听取意见")
    todo = [t for t in todos_for(w.secretary) if t.url == f.get_absolute_url()]
    assert todo[0].deadline == ago(0) + services.timedelta(days=7) and not todo[0].overdue
    services.act_on_factor(w.secretary, f.pk, action="resolve", note="已化解")
    assert not [t for t in todos_for(w.secretary) if t.url == f.get_absolute_url()]
    # a small factor asks for no follow-up
    small = factor(w, people_count=2)
    assert not [t for t in todos_for(w.secretary) if t.url == small.get_absolute_url()]


def test_measures_and_assessments(st):
    f = factor(st)
    m = services.add_measure(st.secretary, f.pk, text="逐一谈心", owner=st.member_person.emp_no, due=ago(-7))
    assert m.owner == st.member_person
    with pytest.raises(ValidationError) as exc:
        services.add_measure(st.secretary, f.pk, text="协调", owner="999999")
    assert "owner" in exc.value.message_dict
    services.complete_measure(st.secretary, m.pk)
    with pytest.raises(Conflict):
        services.complete_measure(st.secretary, m.pk)
    a = services.add_assessment(st.secretary, f.pk, date=ago(1), judgement="趋于平稳", trend="easing")
    assert a.trend == "easing"
    with pytest.raises(ValidationError):
        services.add_assessment(st.secretary, f.pk, date=ago(30), judgement="早于发现", trend="steady")
    with pytest.raises(NotFound):
        services.add_measure(st.other_secretary, f.pk, text="越权")


def test_contents_read_is_logged_and_scoped(st, client):
    f = factor(st)
    client.force_login(st.other_secretary)
    assert client.get(f.get_absolute_url()).status_code == 404
    client.force_login(st.secretary)
    assert "绩效工资" in client.get(f.get_absolute_url()).content.decode()
    assert ContentRead.objects.filter(kind="factor", object_id=f.pk, user=st.secretary).count() == 1


def test_the_tile_counts_in_control_by_severity_and_petitions(st):
    from common.modules import tiles_for

    factor(st, severity="major")
    factor(st, severity="serious")
    factor(st)
    petition(st, days_ago=20)  # 超期 (no acceptance notice)
    tiles = {n: figures for n, _t, _m, _i, figures in tiles_for(st.secretary)}
    figures = {f.label: f.value for f in tiles[6]}
    assert figures["在控因素 重大/较大/一般"] == "1/1/1"
    assert figures["信访 临期/超期"] == "0/1"
    assert figures["今年小事不出区"] == "—"
    assert 6 not in {n for n, *_ in tiles_for(st.worker)}


def test_factor_list_query_count_does_not_grow(st, client, django_assert_max_num_queries):
    for i in range(35):
        factor(st, people_count=1 + i)
    client.force_login(st.secretary)
    with django_assert_max_num_queries(12):
        assert client.get("/stability/factors/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/stability/factors/?page=2").status_code == 200


def test_branch_figures_for_the_scorecard(st):
    w = st
    year_start = ago(60)
    p1 = petition(w, days_ago=40)
    services.act_on_petition(w.secretary, p1.pk, action="accept", date=ago(38))
    services.act_on_petition(w.secretary, p1.pk, action="answer", date=ago(10), result="已解决", level="unit")
    p2 = petition(w, days_ago=30)
    services.act_on_petition(w.secretary, p2.pk, action="accept", date=ago(29))
    services.act_on_petition(w.secretary, p2.pk, action="answer", date=ago(5), result="转上级", level="above")
    petition(w, days_ago=20)  # no notice after 20 days: overdue
    petition(w, days_ago=1, org=w.other_branch.pk, user=w.committee_user)  # another branch
    f = factor(w)
    services.act_on_factor(w.secretary, f.pk, action="resolve", note="已化解")
    factor(w)
    figures = services.branch_figures(branch=w.branch, start=year_start, end=ago(0))
    assert figures == {
        "petitions_received": 3,
        "petitions_settled": 2,
        "petitions_settled_locally": 1,
        "petitions_overdue": 1,
        "local_share": 50,
        "factors_in_control": 1,
        "factors_resolved": 1,
    }


def test_bad_factor_input_keeps_what_was_typed(st, client):
    client.force_login(st.secretary)
    response = client.post(
        "/stability/factors/new/",
        {"org": st.branch.pk, "title": "住房维修", "description": "屋面漏水多次反映", "people_count": "3",
         "severity": "general", "found_on": ago(1).isoformat(), "leader": "不存在的工号", "token": "tok"},
    )  # fmt: skip
    assert response.status_code == 422
    text = response.content.decode()
    assert "本矿没有工号" in text and "屋面漏水多次反映" in text
    assert not Factor.objects.exists()


def test_home_with_tile_six_keeps_its_queries_flat(st, client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(st.secretary)
    factor(st, people_count=12)
    petition(st, days_ago=20)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/").status_code == 200
    for i in range(20):
        factor(st, people_count=10 + i)
        petition(st, days_ago=i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/")
    assert "重大不稳定因素,书记亲自跟踪" in page.content.decode()
