"""/api/stability: the pages' rules through JSON, and schemathesis finding no 5xx and no answer off its schema."""

import pytest
from schemathesis.openapi import from_wsgi

from orgs import token_services
from orgs.tests.test_api_schema import operation, run, wsgi_app  # noqa: F401  (fixture)
from stability.models import ContentRead
from stability.tests.helpers import ago, factor, petition

pytestmark = pytest.mark.django_db


def test_register_a_petition_and_walk_its_clock_through_the_api(st, client):
    client.force_login(st.secretary)
    body = {"org": st.branch.pk, "channel": "letter", "klass": "claim", "received_on": ago(3).isoformat(),
            "petitioner_names": "李四", "people_count": 1, "matter": "申请核查加班工时"}  # fmt: skip
    created = client.post("/api/stability/petitions", body, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["deadline_label"] == "书面告知受理"
    accepted = client.post(
        f"/api/stability/petitions/{pk}/accept", {"date": ago(1).isoformat()}, content_type="application/json"
    )
    assert accepted.json()["status"] == "accepted"
    wrong = client.post(
        f"/api/stability/petitions/{pk}/answer_review",
        {"date": ago(0).isoformat(), "note": "意见"},
        content_type="application/json",
    )
    assert wrong.status_code == 409 and "不能复查答复" in wrong.json()["detail"]
    bad = client.post(
        f"/api/stability/petitions/{pk}/answer",
        {"date": ago(0).isoformat(), "result": "已核查"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "level" in bad.json()["errors"]
    future = client.post(
        "/api/stability/petitions", {**body, "received_on": "2999-01-01"}, content_type="application/json"
    )
    assert future.status_code == 422 and future.json()["errors"]["received_on"] == ["收到日期不能晚于今天"]
    listed = client.get("/api/stability/petitions").json()
    assert [p["id"] for p in listed] == [pk] and "matter" not in listed[0]


def test_the_api_answers_contents_only_to_need_to_know_and_logs_reads(st, client):
    f = factor(st)
    client.force_login(st.admin)
    assert client.get(f"/api/stability/factors/{f.pk}").status_code == 404
    assert client.get("/api/stability/factors").json() == []
    client.force_login(st.committee_user)
    detail = client.get(f"/api/stability/factors/{f.pk}").json()
    assert detail["description"] == "部分职工对绩效工资核算有意见"
    assert ContentRead.objects.filter(kind="factor", via="api").count() == 1


def test_stability_endpoints_conform_with_generated_input(st, wsgi_app):  # noqa: F811
    schema = from_wsgi("/api/openapi.json", wsgi_app).include(tag="矿区和谐维稳")
    f = factor(st)
    p = petition(st)
    headers = {"Authorization": f"Bearer {token_services.create_token(st.secretary, 'schemathesis')[1]}"}
    run(operation(schema, "GET", "/api/stability/factors"), headers, max_examples=10)
    run(operation(schema, "POST", "/api/stability/factors"), headers, max_examples=20)
    run(operation(schema, "GET", "/api/stability/factors/{id}"), headers, max_examples=5, path_parameters={"id": f.pk})
    for path in ("measures", "assessments", "follow-ups"):
        run(
            operation(schema, "POST", f"/api/stability/factors/{{id}}/{path}"),
            headers,
            max_examples=10,
            path_parameters={"id": f.pk},
        )
    run(
        operation(schema, "POST", "/api/stability/factors/{id}/{action}"),
        headers,
        max_examples=15,
        path_parameters={"id": f.pk},
    )
    run(operation(schema, "GET", "/api/stability/petitions"), headers, max_examples=10)
    run(operation(schema, "POST", "/api/stability/petitions"), headers, max_examples=20)
    run(
        operation(schema, "GET", "/api/stability/petitions/{id}"), headers, max_examples=5, path_parameters={"id": p.pk}
    )
    run(
        operation(schema, "POST", "/api/stability/petitions/{id}/{action}"),
        headers,
        max_examples=30,
        path_parameters={"id": p.pk},
    )
    run(operation(schema, "GET", "/api/stability/local"), headers, max_examples=5)
    run(operation(schema, "GET", "/api/stability/plans"), headers, max_examples=3)


def test_plans_and_health_through_the_api(st, client, wsgi_app):  # noqa: F811
    from stability import services

    cfg = services.settings_for(st.mine)
    cfg.health_enabled = True
    cfg.save()
    client.force_login(st.team_leader)
    people = services.team_people(st.team)
    body = {
        "date": ago(0).isoformat(),
        "shift": "morning",
        "values": {str(people[0].pk): "37.5", str(people[1].pk): None},
    }
    saved = client.post(f"/api/stability/health/teams/{st.team.pk}/sheet", body, content_type="application/json")
    assert saved.status_code == 200, saved.content
    lines = {line["person_id"]: line for line in saved.json()["lines"]}
    assert lines[people[0].pk]["flagged"] and lines[people[1].pk]["value"] is None
    fevers = client.get("/api/stability/health/fevers").json()
    assert [f["person"] for f in fevers] == [people[0].name]
    assert client.get(f"/api/stability/health/teams/{st.team2.pk}/sheet").status_code == 404

    client.force_login(st.secretary)
    plan = client.post(
        "/api/stability/plans",
        {"org": st.unit.pk, "title": "顶板现场处置方案", "kind": "onsite", "version": "1.0", "extent": "工作面",
         "issued_on": ago(10).isoformat()},
        content_type="application/json",
    )  # fmt: skip
    assert plan.status_code == 201, plan.content
    pk = plan.json()["id"]
    drilled = client.post(
        f"/api/stability/plans/{pk}/drills",
        {"date": ago(1).isoformat(), "participants": 12, "major_problem": True, "problems": "通讯不畅"},
        content_type="application/json",
    )
    assert drilled.json()["open_triggers"] == 1 and drilled.json()["last_drill"] == ago(1).isoformat()

    schema = from_wsgi("/api/openapi.json", wsgi_app).include(tag="矿区和谐维稳")
    headers = {"Authorization": f"Bearer {token_services.create_token(st.team_leader, 'schemathesis')[1]}"}
    fixed = {"path_parameters": {"id": st.team.pk}}
    run(operation(schema, "GET", "/api/stability/health/teams/{id}/sheet"), headers, max_examples=10, **fixed)
    run(operation(schema, "POST", "/api/stability/health/teams/{id}/sheet"), headers, max_examples=20, **fixed)
    run(operation(schema, "GET", "/api/stability/health/fevers"), headers, max_examples=3)
    campaign = client.post(
        "/api/stability/health/campaigns",
        {"org": st.team.pk, "title": "班组筛查", "starts_on": ago(1).isoformat(), "ends_on": ago(0).isoformat()},
        content_type="application/json",
    )
    assert campaign.status_code == 201, campaign.content
    done = client.post(
        f"/api/stability/health/campaigns/{campaign.json()['id']}/results",
        {"date": ago(0).isoformat(), "results": {str(people[0].pk): "abnormal"}},
        content_type="application/json",
    ).json()
    assert (done["covered"], done["abnormal"]) == (1, 1)
    run(operation(schema, "GET", "/api/stability/health/campaigns"), headers, max_examples=3)
    run(operation(schema, "POST", "/api/stability/health/campaigns"), headers, max_examples=15)
    run(operation(schema, "POST", "/api/stability/health/campaigns/{id}/results"), headers, max_examples=15,
        path_parameters={"id": campaign.json()["id"]})  # fmt: skip
    headers = {"Authorization": f"Bearer {token_services.create_token(st.secretary, 'schemathesis')[1]}"}
    run(operation(schema, "POST", "/api/stability/plans"), headers, max_examples=20)
    for path in ("drills", "triggers", "revise", "assess"):
        run(
            operation(schema, "POST", f"/api/stability/plans/{{id}}/{path}"),
            headers,
            max_examples=10,
            path_parameters={"id": pk},
        )
