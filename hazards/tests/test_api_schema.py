"""Schemathesis over /api/hazards: generated input never causes a server error; answers match the schema."""

import pytest
from schemathesis.openapi import from_wsgi

from hazards.tests.test_loop import report, site  # noqa: F401  (fixture)
from orgs import token_services
from orgs.tests.test_api_schema import operation, run, wsgi_app  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_hazard_endpoints_conform_with_generated_input(site, wsgi_app):  # noqa: F811
    schema = from_wsgi("/api/openapi.json", wsgi_app).include(tag="隐患排查治理")
    hazard = report(site)
    headers = {"Authorization": f"Bearer {token_services.create_token(site.secretary, 'schemathesis')[1]}"}
    run(operation(schema, "GET", "/api/hazards"), headers, max_examples=20)
    run(operation(schema, "GET", "/api/hazards/{id}"), headers, max_examples=5, path_parameters={"id": hazard.pk})
    run(operation(schema, "POST", "/api/hazards"), headers, max_examples=20)
    run(
        operation(schema, "POST", "/api/hazards/{id}/{action}"),
        headers,
        max_examples=30,
        path_parameters={"id": hazard.pk},
    )
