"""Emergency plans (drill intervals, the 3-yearly assessment, revision triggers → 待办) and health monitoring (off by
default; the team's sheet; ≥ 37.3 °C flagged → follow-up 待办; screening coverage)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from common.errors import Forbidden, NotFound
from common.todos import todos_for
from orgs.tests.factories import PersonFactory
from stability import services
from stability.models import RevisionTrigger, Temperature
from stability.tests.helpers import ago

pytestmark = pytest.mark.django_db


def plan(w, user=None, kind="onsite", issued_days=100, org=None, **extra):
    return services.create_plan(
        user or w.secretary, org=(org or w.unit), title="顶板冒落现场处置方案", kind=kind, version="1.0",
        extent="综采一区工作面", issued_on=ago(issued_days), **extra,
    )  # fmt: skip


def titles(user):
    return [t.title for t in todos_for(user) if t.module == "stability"]


def test_onsite_plans_drill_every_half_year_others_yearly(st):
    onsite = plan(st, issued_days=200)
    special = plan(st, user=st.committee_user, kind="special", issued_days=200, org=st.mine)
    dues = services.plan_dues([onsite, special], services._settings_by_mine([st.mine.pk]))
    assert dues[onsite.pk][0] == services.add_months(ago(200), 6)
    assert dues[special.pk][0] == services.add_months(ago(200), 12)
    assert "应急演练:顶板冒落现场处置方案" in titles(st.secretary)  # 6 months after 200 days ago: overdue
    services.record_drill(st.secretary, onsite.pk, date=ago(0), participants=15)
    assert "应急演练:顶板冒落现场处置方案" not in titles(st.secretary)


def test_the_three_yearly_assessment_is_a_todo(st):
    p = plan(st, issued_days=3 * 365 - 10)
    assert any(t.startswith("预案评估(每3年)") for t in titles(st.secretary))
    services.assess_plan(st.secretary, p.pk, date=ago(0))
    assert not any(t.startswith("预案评估") for t in titles(st.secretary))


def test_a_drill_with_a_major_problem_is_a_revision_trigger_until_revised(st):
    p = plan(st, issued_days=30)
    with pytest.raises(ValidationError):
        services.record_drill(st.secretary, p.pk, date=ago(1), participants=10, major_problem=True, problems="")
    services.record_drill(st.secretary, p.pk, date=ago(1), participants=10, major_problem=True, problems="避灾路线不熟")
    assert RevisionTrigger.objects.get(plan=p).reason == "drill"
    assert any(t.startswith("预案修订") for t in titles(st.secretary))
    services.revise_plan(st.secretary, p.pk, version="1.1", issued_on=ago(0), note="补充避灾路线")
    p.refresh_from_db()
    assert p.version == "1.1" and p.versions.get().version == "1.0"
    assert not any(t.startswith("预案修订") for t in titles(st.secretary))


def test_the_mine_drills_every_half_year(st):
    p = plan(st, user=st.committee_user, kind="comprehensive", org=st.mine, issued_days=400)
    assert "全矿应急演练(每6个月)" in titles(st.committee_user)
    services.record_drill(st.committee_user, p.pk, date=ago(10), participants=300, whole_mine=True)
    assert "全矿应急演练(每6个月)" not in titles(st.committee_user)
    assert "全矿应急演练(每6个月)" not in titles(st.secretary)  # the branch does not keep the mine's plans


def test_a_branch_reads_the_mines_plans_but_keeps_only_its_own(st, client):
    p = plan(st, user=st.committee_user, kind="special", org=st.mine)
    client.force_login(st.secretary)
    assert client.get(p.get_absolute_url()).status_code == 200
    with pytest.raises(Forbidden):
        services.record_drill(st.secretary, p.pk, date=ago(1), participants=3)
    client.force_login(st.worker)
    assert client.get(p.get_absolute_url()).status_code == 404


def test_health_monitoring_is_off_by_default(st, client):
    client.force_login(st.team_leader)
    assert client.get("/stability/health/").status_code == 404
    assert services.teams_for(st.team_leader) == []


def enable(w):
    cfg = services.settings_for(w.mine)
    cfg.health_enabled = True
    cfg.save()


def test_a_team_leader_enters_the_whole_team_and_a_fever_becomes_a_todo(st, client):
    enable(st)
    people = [PersonFactory(org=st.team, name=f"队员{i}") for i in range(28)]
    client.force_login(st.team_leader)
    page = client.get("/stability/health/").content.decode()
    assert page.count('value="36.5"') == len(services.team_people(st.team))
    hot = people[3]
    data = {"team": st.team.pk, "date": ago(0).isoformat(), "shift": "morning"}
    for p in services.team_people(st.team):
        data[f"t{p.pk}"] = "36.6"
    data[f"t{hot.pk}"] = "37.3"
    data[f"a{people[5].pk}"] = "1"  # absent
    response = client.post("/stability/health/", data)
    assert response.status_code == 302
    assert Temperature.objects.count() == len(services.team_people(st.team)) - 1
    assert [t for t in titles(st.team_leader) if "体温异常" in t] == [f"体温异常跟进:{hot.name} 37.3℃"]
    assert [t for t in titles(st.secretary) if "体温异常" in t]  # the secretary sees it too
    fever = Temperature.objects.get(person=hot)
    services.follow_fever(st.team_leader, fever.pk, note="复测36.8,正常上岗")
    assert not [t for t in titles(st.team_leader) if "体温异常" in t]


def test_a_wrong_temperature_keeps_the_sheet(st, client):
    enable(st)
    client.force_login(st.team_leader)
    person = services.team_people(st.team)[0]
    response = client.post(
        "/stability/health/",
        {"team": st.team.pk, "date": ago(0).isoformat(), "shift": "morning", f"t{person.pk}": "3.65"},
    )
    assert response.status_code == 422
    assert "体温应在34.0至42.0之间" in response.content.decode() and 'value="3.65"' in response.content.decode()
    assert not Temperature.objects.exists()


def test_another_teams_people_cannot_be_entered(st):
    enable(st)
    with pytest.raises(ValidationError):
        services.save_sheet(
            st.team_leader, st.team.pk, date=ago(0), shift="morning", values={st.colleague.pk: Decimal("36.5")}
        )
    with pytest.raises(NotFound):
        services.save_sheet(st.team_leader, st.team2.pk, date=ago(0), shift="morning", values={})


def test_screening_coverage(st):
    enable(st)
    c = services.create_campaign(st.secretary, org=st.unit, title="秋季筛查", starts_on=ago(3), ends_on=ago(-3))
    target = services.campaign_targets(c).count()
    first = services.campaign_targets(c).first()
    assert services.record_results(st.secretary, c.pk, date=ago(0), results={first.pk: "abnormal"}) == (
        target,
        1,
        1,
        round(100 / target),
    )
    with pytest.raises(ValidationError):
        services.record_results(st.secretary, c.pk, date=ago(0), results={st.far_away.pk: "normal"})
    assert services.teams_for(st.team_leader)[0].pk == st.team.pk


def test_campaign_and_plan_lists_keep_their_queries_flat(st, client, django_assert_max_num_queries):
    enable(st)
    for i in range(2):
        c = services.create_campaign(st.secretary, org=st.unit, title=f"筛查{i}", starts_on=ago(3), ends_on=ago(0))
        services.record_results(st.secretary, c.pk, date=ago(0), results={st.worker_person.pk: "abnormal"})
        plan(st, issued_days=50 + i)
    client.force_login(st.secretary)
    assert [cov for _c, cov in services.campaigns_with_coverage(st.secretary)] == [services.coverage(c)] * 2
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/stability/health/campaigns/")
        client.get("/stability/plans/")
    for i in range(10):
        c = services.create_campaign(st.secretary, org=st.team, title=f"更多{i}", starts_on=ago(3), ends_on=ago(0))
        plan(st, issued_days=60 + i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/stability/health/campaigns/").status_code == 200
        assert client.get("/stability/plans/").status_code == 200
