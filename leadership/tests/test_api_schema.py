"""Schemathesis over /api/leadership: generated input never causes a server error; answers match the schema."""

from datetime import timedelta

import pytest
from schemathesis.openapi import from_wsgi

from leadership import services
from leadership.tests.helpers import committee_meeting, hold, life_at
from orgs import token_services
from orgs.tests.test_api_schema import operation, run, wsgi_app  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_leadership_endpoints_conform_with_generated_input(lead, wsgi_app):  # noqa: F811
    schema = from_wsgi("/api/openapi.json", wsgi_app).include(tag="基层班子建设")
    m = hold(lead, committee_meeting(lead))
    d = services.add_decision(lead.secretary, meeting=m, text="事项", mode="collective", owner=lead.p3,
                              deadline=lead.today + timedelta(days=3))  # fmt: skip
    life = life_at(lead, "meeting")
    services.add_criticism(lead.secretary, life=life, target=lead.p3, kind="self", text="学习不够")
    r = services.add_rectification(lead.secretary, life=life, problem="问题", measure="措施", owner=lead.p3,
                                   deadline=lead.today)  # fmt: skip
    n = services.send_notice(lead.secretary, org=lead.branch, title="通知", body="正文", targets=[lead.unit])
    rep = services.submit_report(lead.secretary, org=lead.branch, title="报告", body="内容")
    headers = {"Authorization": f"Bearer {token_services.create_token(lead.secretary, 'schemathesis')[1]}"}
    for path in ("/api/leadership/figures", "/api/leadership/teams", "/api/leadership/meetings",
                 "/api/leadership/decisions", "/api/leadership/life", "/api/leadership/rectifications",
                 "/api/leadership/notices", "/api/leadership/reports"):  # fmt: skip
        run(operation(schema, "GET", path), headers, max_examples=8)
    fixed = {
        ("GET", "/api/leadership/teams/{id}"): lead.team_c.pk,
        ("GET", "/api/leadership/meetings/{id}"): m.pk,
        ("POST", "/api/leadership/meetings/{id}/attendance"): m.pk,
        ("POST", "/api/leadership/meetings/{id}/decisions"): m.pk,
        ("POST", "/api/leadership/decisions/{id}/done"): d.pk,
        ("GET", "/api/leadership/life/{id}"): life.pk,
        ("POST", "/api/leadership/life/{id}/criticisms"): life.pk,
        ("POST", "/api/leadership/life/{id}/rectifications"): life.pk,
        ("POST", "/api/leadership/life/{id}/{action}"): life.pk,
        ("POST", "/api/leadership/rectifications/{id}/done"): r.pk,
        ("POST", "/api/leadership/rectifications/{id}/check"): r.pk,
        ("GET", "/api/leadership/notices/{id}"): n.pk,
        ("POST", "/api/leadership/reports/{id}/reply"): rep.pk,
        ("GET", "/api/leadership/branches/{id}/figures"): lead.branch.pk,
    }
    for (method, path), pk in fixed.items():
        run(operation(schema, method, path), headers, max_examples=6)
        run(operation(schema, method, path), headers, max_examples=6, path_parameters={"id": pk})
    for path in ("/api/leadership/meetings", "/api/leadership/notices", "/api/leadership/reports"):
        run(operation(schema, "POST", path), headers, max_examples=15)


def test_the_api_hides_criticism_from_roles_that_may_not_read_it(lead, client):
    life = life_at(lead, "meeting")
    services.add_criticism(lead.secretary, life=life, target=lead.p4, kind="received", giver=lead.p3,
                           text="批评内容甲")  # fmt: skip
    client.force_login(lead.secretary)
    body = client.get(f"/api/leadership/life/{life.pk}").json()
    assert [c["text"] for c in body["criticisms"]] == ["批评内容甲"] and body["criticisms"][0]["giver"] == "党员丙"
    client.force_login(lead.bc_user)  # the giver, a 支部委员: not about them, so not shown
    assert client.get(f"/api/leadership/life/{life.pk}").json()["criticisms"] == []
    client.force_login(lead.other_secretary)
    assert client.get(f"/api/leadership/life/{life.pk}").status_code == 404


def test_a_meeting_through_the_api(lead, client):
    client.force_login(lead.secretary)
    r = client.post("/api/leadership/meetings", {"org": lead.branch.pk, "kind": "committee",
                    "date": lead.today.isoformat(), "topic": "接口登记", "agenda": ["议题一"]},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 201, r.content
    mid = r.json()["id"]
    r = client.post(f"/api/leadership/meetings/{mid}/attendance",
                    {"attendance": [{"person": lead.p3.pk, "status": "absent"}, {"person": lead.p4.pk,
                     "status": "leave", "reason": "病假"}]}, content_type="application/json")  # fmt: skip
    assert (r.json()["present"], r.json()["expected"], r.json()["valid"]) == (2, 4, False)
    r = client.post(f"/api/leadership/meetings/{mid}/decisions", {"text": "x", "mode": "collective",
                    "owner": lead.p3.pk, "deadline": lead.today.isoformat()}, content_type="application/json")  # fmt: skip
    assert r.status_code == 409 and "未过半数" in r.json()["detail"]


def test_api_lists_answer_in_a_fixed_number_of_queries(lead, client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def notices(n):
        for _ in range(n):
            services.send_notice(lead.secretary, org=lead.branch, title="通知", body="正文", targets=[lead.unit])
            hold(lead, committee_meeting(lead))

    client.force_login(lead.secretary)
    notices(1)
    counts = {}
    urls = ("/api/leadership/notices", "/api/leadership/meetings", "/api/leadership/decisions?state=all",
            "/api/leadership/teams", "/api/leadership/figures")  # fmt: skip
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as q:
            assert client.get(url).status_code == 200
        counts[url] = len(q.captured_queries)
    notices(8)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
