"""Schemathesis over /api/scorecard, /api/evaluation and /api/selfcheck: generated input never causes a server error;
answers match the schema; scope as on the pages."""

from datetime import date

import pytest
from schemathesis.openapi import from_wsgi

from orgs import token_services
from orgs.models import PoliticalStatus
from orgs.tests.factories import PersonFactory, make_user
from orgs.tests.test_api_schema import operation, run, wsgi_app  # noqa: F401  (fixture)
from scorecard import evaluation, services
from scorecard.tests.helpers import END, START, hazard
from selfcheck import services as selfcheck_services
from selfcheck.models import Inspection

pytestmark = pytest.mark.django_db


def bearer(user):
    # identity: schemathesis's WSGI transport asks for gzip but does not unzip (pages and JSON are gzipped, issue 15)
    token = token_services.create_token(user, "schemathesis")[1]
    return {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}


@pytest.fixture
def data(site):
    w = site
    hazard(w, date(2026, 10, 2), deadline=date(2026, 10, 9), closed=date(2026, 10, 9))
    w.scheme = services.create_example_scheme(w.committee_user, mine=w.mine, start=START, end=END)
    w.run = services.run(w.committee_user, scheme=w.scheme, today=date(2026, 11, 15))
    voter = PersonFactory(org=w.team, name="党员投票", political_status=PoliticalStatus.MEMBER)
    w.voter = make_user("voter-api", "member", w.team, person=voter)
    w.round = evaluation.open_round(w.committee_user, branch=w.branch, title="测评", opens_on=date(2026, 12, 1),
                                    closes_on=date(2026, 12, 31))  # fmt: skip
    w.period = selfcheck_services.create_period(w.committee_user, mine=w.mine, kind="month", start=START, end=END,
                                                due=date(2026, 11, 5))  # fmt: skip
    w.inspection = Inspection.objects.create(period=w.period, branch=w.branch)
    return w


def test_scorecard_endpoints_conform(data, wsgi_app):  # noqa: F811
    schema = from_wsgi("/api/openapi.json", wsgi_app).include(tag="履职评价")
    for user in (data.committee_user, data.secretary):
        headers = bearer(user)
        run(operation(schema, "GET", "/api/scorecard/indicators"), headers, max_examples=2)
        run(operation(schema, "GET", "/api/scorecard/schemes"), headers, max_examples=2)
        run(
            operation(schema, "GET", "/api/scorecard/runs/{id}"),
            headers,
            max_examples=5,
            path_parameters={"id": data.run.pk},
        )
        run(operation(schema, "GET", "/api/scorecard/runs/{id}/branches/{branch_id}"), headers, max_examples=5,
            path_parameters={"id": data.run.pk, "branch_id": data.branch.pk})  # fmt: skip
        run(operation(schema, "POST", "/api/scorecard/schemes/{id}/run"), headers, max_examples=3)


def test_evaluation_and_selfcheck_endpoints_conform(data, wsgi_app):  # noqa: F811
    schema = from_wsgi("/api/openapi.json", wsgi_app).include(tag="二十字测评")
    for user in (data.voter, data.committee_user):
        headers = bearer(user)
        run(operation(schema, "GET", "/api/evaluation/rounds"), headers, max_examples=2)
        run(operation(schema, "POST", "/api/evaluation/rounds/{id}/vote"), headers, max_examples=15,
            path_parameters={"id": data.round.pk})  # fmt: skip
        run(operation(schema, "GET", "/api/evaluation/rounds/{id}/results"), headers, max_examples=5,
            path_parameters={"id": data.round.pk})  # fmt: skip
    schema = from_wsgi("/api/openapi.json", wsgi_app).include(tag="六个反问")
    for user in (data.secretary, data.committee_user):
        headers = bearer(user)
        run(operation(schema, "GET", "/api/selfcheck/periods"), headers, max_examples=2)
        run(operation(schema, "GET", "/api/selfcheck/inspections"), headers, max_examples=2)
        run(operation(schema, "GET", "/api/selfcheck/inspections/{id}"), headers, max_examples=5,
            path_parameters={"id": data.inspection.pk})  # fmt: skip
        run(operation(schema, "POST", "/api/selfcheck/inspections/{id}/{action}"), headers, max_examples=15,
            path_parameters={"id": data.inspection.pk})  # fmt: skip
        run(operation(schema, "GET", "/api/selfcheck/measures"), headers, max_examples=2)
        run(operation(schema, "PUT", "/api/selfcheck/inspections/{id}/answers"), headers, max_examples=10,
            path_parameters={"id": data.inspection.pk})  # fmt: skip
        run(operation(schema, "POST", "/api/selfcheck/inspections/{id}/measures"), headers, max_examples=10,
            path_parameters={"id": data.inspection.pk})  # fmt: skip
        run(operation(schema, "POST", "/api/selfcheck/measures/{id}/done"), headers, max_examples=10)


def test_api_scope_and_anonymous_vote(data, client):
    w = data
    r = client.get(f"/api/scorecard/runs/{w.run.pk}", headers=bearer(w.secretary))
    assert r.status_code == 200 and [row["branch"] for row in r.json()["rows"]] == ["综采一区党支部"]
    assert client.get(f"/api/scorecard/runs/{w.run.pk}", headers=bearer(w.worker)).status_code == 404
    assert client.post(f"/api/scorecard/schemes/{w.scheme.pk}/run", headers=bearer(w.secretary)).status_code == 403
    vote = {"belief": 4, "service": 4, "diligence": 3, "courage": 4, "integrity": 4, "overall": 4}
    r = client.post(
        f"/api/evaluation/rounds/{w.round.pk}/vote", vote, content_type="application/json", headers=bearer(w.voter)
    )
    assert r.status_code == 204
    again = client.post(f"/api/evaluation/rounds/{w.round.pk}/vote", vote, content_type="application/json",
                        headers=bearer(w.voter))  # fmt: skip
    assert again.status_code == 409
    results = client.get(f"/api/evaluation/rounds/{w.round.pk}/results", headers=bearer(w.committee_user)).json()
    assert results["published"] is False and results["voted"] == 1 and results["n"] is None
    assert client.get(f"/api/evaluation/rounds/{w.round.pk}/results", headers=bearer(w.voter)).status_code == 404


def test_a_secretary_fills_the_self_inspection_through_the_api(data, client):
    w = data
    h = bearer(w.secretary)
    answers = [{"question": q, "rating": "fairly", "narrative": f"第{q}问"} for q in range(1, 7)]
    r = client.put(
        f"/api/selfcheck/inspections/{w.inspection.pk}/answers",
        {"answers": answers},
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 200 and r.json()["answers"][0]["narrative"] == "第1问"
    assert r.json()["answers"][1]["evidence"][0]["label"] == "隐患按期整改率"
    bad = {"question": 2, "problem": "超期", "goal": "清零", "task": "销号", "action": "调度", "due": "2026-09-01"}
    r = client.post(
        f"/api/selfcheck/inspections/{w.inspection.pk}/measures", bad, content_type="application/json", headers=h
    )
    assert r.status_code == 422 and r.json()["errors"]["due"] == ["期限不能早于本期开始"]
    from datetime import timedelta

    from django.utils import timezone

    good = bad | {"due": (timezone.localdate() + timedelta(days=30)).isoformat()}
    m = client.post(
        f"/api/selfcheck/inspections/{w.inspection.pk}/measures", good, content_type="application/json", headers=h
    )
    assert m.status_code == 201 and m.json()["met"] is None
    r = client.post(
        f"/api/selfcheck/inspections/{w.inspection.pk}/submit", {}, content_type="application/json", headers=h
    )
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["actions"] == []
    r = client.post(f"/api/selfcheck/inspections/{w.inspection.pk}/return", {"note": "不具体"}, content_type="application/json",
                    headers=bearer(w.committee_user))  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "returned"
    other = client.get(f"/api/selfcheck/inspections/{w.inspection.pk}", headers=bearer(w.other_secretary))
    assert other.status_code == 404
