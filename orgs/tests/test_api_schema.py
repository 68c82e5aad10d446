"""Schemathesis against our own OpenAPI document: generated requests never cause a server error, and every
answer matches the schema it is documented with. Small and derandomized, so it is quick and repeatable."""

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.openapi import from_wsgi
from schemathesis.specs.openapi.checks import response_schema_conformance

from orgs import token_services

CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def wsgi_app(db):
    """Django's WSGI app, kept from closing the test's database connection after each request (as the test
    client does), so requests run inside the test transaction and see the test data."""
    app = get_wsgi_application()

    def guarded(environ, start_response):
        # the test client reconnects these after each of its own requests: keep them off for every WSGI call
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        # schemathesis's WSGI transport asks for gzip (requests' default headers) but reads the body as it comes:
        # answer it uncompressed (compression has its own tests: common/tests/test_static_assets.py)
        environ.pop("HTTP_ACCEPT_ENCODING", None)
        return app(environ, start_response)

    try:
        yield guarded
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app):
    return from_wsgi("/api/openapi.json", wsgi_app).include(tag="组织与人员")


def run(operation, headers, max_examples, **fixed):
    strategy = operation.as_strategy(headers=headers, **fixed)

    @settings(
        max_examples=max_examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case):
        response = case.call()
        case.validate_response(response, checks=CHECKS)

    check()


def operation(schema, method, path):
    return schema[path][method]


def test_get_endpoints_conform_with_generated_input(world, api_schema):
    headers = {"Authorization": f"Bearer {token_services.create_token(world.secretary, 'schemathesis')[1]}"}
    gets = [
        ("GET", "/api/orgs"),
        ("GET", "/api/orgs/{id}"),
        ("GET", "/api/people"),
        ("GET", "/api/people/{id}"),
        ("GET", "/api/people/{id}/transfers"),
    ]
    for method, path in gets:
        run(operation(api_schema, method, path), headers, max_examples=15)
    # the same reads on objects that exist and are in scope, so that 200 answers are checked against the schema
    for method, path in gets[1:2]:
        run(operation(api_schema, method, path), headers, max_examples=3, path_parameters={"id": world.unit.pk})
    for method, path in gets[3:]:
        run(
            operation(api_schema, method, path), headers, max_examples=5, path_parameters={"id": world.worker_person.pk}
        )


def test_post_endpoints_conform_with_generated_input(world, api_schema):
    headers = {"Authorization": f"Bearer {token_services.create_token(world.admin, 'schemathesis')[1]}"}
    run(operation(api_schema, "POST", "/api/people"), headers, max_examples=20)
    run(operation(api_schema, "POST", "/api/orgs"), headers, max_examples=20)
    run(
        operation(api_schema, "PATCH", "/api/people/{id}"),
        headers,
        max_examples=15,
        path_parameters={"id": world.colleague.pk},
    )
    run(
        operation(api_schema, "POST", "/api/people/{id}/transfer"),
        headers,
        max_examples=10,
        path_parameters={"id": world.colleague.pk},
    )


def test_anonymous_answers_conform(world, api_schema):
    run(operation(api_schema, "GET", "/api/people"), {}, max_examples=3)
