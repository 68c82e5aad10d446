"""Schemathesis over /api/violations and /api/vanguard: generated input never causes a server error; answers match
the schema."""

from datetime import date

import pytest
from schemathesis.openapi import from_wsgi

from orgs import token_services
from orgs.tests.test_api_schema import operation, run, wsgi_app  # noqa: F401  (fixture)
from vanguard import services as vanguard
from violations.tests.test_violations import record, v_world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_violation_endpoints_conform_with_generated_input(v_world, wsgi_app):  # noqa: F811
    schema = from_wsgi("/api/openapi.json", wsgi_app).include(tag="三违与帮教")
    v = record(v_world)
    headers = {"Authorization": f"Bearer {token_services.create_token(v_world.safety, 'schemathesis')[1]}"}
    run(operation(schema, "GET", "/api/violations"), headers, max_examples=20)
    run(operation(schema, "GET", "/api/violations/{id}"), headers, max_examples=5, path_parameters={"id": v.pk})
    run(operation(schema, "POST", "/api/violations"), headers, max_examples=20)
    run(
        operation(schema, "POST", "/api/violations/{id}/{action}"),
        headers,
        max_examples=20,
        path_parameters={"id": v.pk},
    )
    run(
        operation(schema, "POST", "/api/violations/{id}/steps/{step}"),
        headers,
        max_examples=10,
        path_parameters={"id": v.pk, "step": v.help_steps.first().pk},
    )
    run(operation(schema, "GET", "/api/violations/settings"), headers, max_examples=2)
    run(operation(schema, "POST", "/api/violations/settings"), headers, max_examples=10)
    run(operation(schema, "POST", "/api/violations/severities"), headers, max_examples=15)


def test_vanguard_endpoints_conform_with_generated_input(v_world, wsgi_app):  # noqa: F811
    w = v_world
    schema = from_wsgi("/api/openapi.json", wsgi_app).include(tag="党员先锋")
    a = vanguard.assign(w.secretary, member=w.member_person, workers=[w.worker_person], starts_on=date(2026, 1, 1))
    post = vanguard.create_post(w.secretary, name="示范岗", holder=w.member_person, commitments="不违章不冒险")
    headers = {"Authorization": f"Bearer {token_services.create_token(w.secretary, 'schemathesis')[1]}"}
    run(operation(schema, "GET", "/api/vanguard/compliance"), headers, max_examples=15)
    run(
        operation(schema, "GET", "/api/vanguard/members/{id}"),
        headers,
        max_examples=5,
        path_parameters={"id": w.member_person.pk},
    )
    run(operation(schema, "POST", "/api/vanguard/assignments"), headers, max_examples=15)
    run(
        operation(schema, "POST", "/api/vanguard/assignments/{id}/adjust"),
        headers,
        max_examples=10,
        path_parameters={"id": a.pk},
    )
    run(operation(schema, "POST", "/api/vanguard/posts"), headers, max_examples=10)
    run(operation(schema, "GET", "/api/vanguard/posts/{id}"), headers, max_examples=3, path_parameters={"id": post.pk})
    member_headers = {"Authorization": f"Bearer {token_services.create_token(w.member, 'schemathesis')[1]}"}
    run(
        operation(schema, "POST", "/api/vanguard/posts/{id}/assessments"),
        member_headers,
        max_examples=10,
        path_parameters={"id": post.pk},
    )
