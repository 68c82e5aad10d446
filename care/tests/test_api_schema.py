"""Schemathesis over /api/care: generated input never causes a server error; answers match the schema."""

import pytest
from schemathesis.openapi import from_wsgi

from care.tests.helpers import enter
from orgs import token_services
from orgs.tests.test_api_schema import operation, run, wsgi_app  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_care_endpoints_conform_with_generated_input(care, wsgi_app):  # noqa: F811
    schema = from_wsgi("/api/openapi.json", wsgi_app).include(tag="薄弱人物与谈心谈话")
    entry = enter(care)
    headers = {"Authorization": f"Bearer {token_services.create_token(care.secretary, 'schemathesis')[1]}"}
    run(operation(schema, "GET", "/api/care/suggestions"), headers, max_examples=5)
    run(operation(schema, "GET", "/api/care/register"), headers, max_examples=10)
    run(operation(schema, "GET", "/api/care/register/{id}"), headers, max_examples=5, path_parameters={"id": entry.pk})
    run(operation(schema, "POST", "/api/care/register"), headers, max_examples=20)
    run(
        operation(schema, "POST", "/api/care/register/{id}/{action}"),
        headers,
        max_examples=30,
        path_parameters={"id": entry.pk},
    )
    run(operation(schema, "GET", "/api/care/talks"), headers, max_examples=5)
    run(operation(schema, "POST", "/api/care/talks"), headers, max_examples=20)
    run(
        operation(schema, "GET", "/api/care/people/{id}/file"),
        headers,
        max_examples=5,
        path_parameters={"id": care.worker_person.pk},
    )
    run(operation(schema, "GET", "/api/care/coverage"), headers, max_examples=10)
    run(operation(schema, "POST", "/api/care/suggestions/{person_id}/{rule}/dismiss"), headers, max_examples=10)
