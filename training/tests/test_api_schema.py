"""Schemathesis over the training API: generated input never causes a server error and answers match the schema."""

from datetime import timedelta

import pytest
from django.utils import timezone
from schemathesis.openapi import from_wsgi

from common import inputs
from orgs import token_services
from orgs.tests.test_api_schema import operation, run, wsgi_app  # noqa: F401  (fixture)
from training import exams
from training.forms import BlueprintForm
from training.models import ExamPaper

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(wsgi_app):
    return from_wsgi("/api/openapi.json", wsgi_app).include(tag="职工安全培训")


def test_training_endpoints_conform_with_generated_input(world, bank, schema):
    now = timezone.now()
    blueprint = exams.create_blueprint(world.secretary, **inputs.parse(BlueprintForm, {
        "title": "月考", "org": world.branch.pk, "month": timezone.localdate().isoformat(), "time_limit": 30, "pass_mark": 60,
        "opens_at": (now - timedelta(hours=1)).isoformat(), "closes_at": (now + timedelta(days=1)).isoformat(),
        "rules": [{"point": bank["gas"].pk, "count": 2}],
    }, user=world.secretary))  # fmt: skip
    exams.generate(world.secretary, blueprint)
    paper = ExamPaper.objects.get(blueprint=blueprint, person=world.worker_person)
    headers = {"Authorization": f"Bearer {token_services.create_token(world.worker, 'schemathesis')[1]}"}
    for path in (
        "/api/training/daily",
        "/api/training/me",
        "/api/training/lessons",
        "/api/training/papers",
        "/api/training/qa",
    ):
        run(operation(schema, "GET", path), headers, max_examples=5)
    run(
        operation(schema, "GET", "/api/training/papers/{id}"), headers, max_examples=5, path_parameters={"id": paper.pk}
    )
    run(
        operation(schema, "POST", "/api/training/papers/{id}/start"),
        headers,
        max_examples=3,
        path_parameters={"id": paper.pk},
    )
    run(
        operation(schema, "POST", "/api/training/papers/{id}/answers"),
        headers,
        max_examples=25,
        path_parameters={"id": paper.pk},
    )
    run(operation(schema, "POST", "/api/training/daily/{id}/answer"), headers, max_examples=25)
    run(operation(schema, "POST", "/api/training/qa"), headers, max_examples=10)
    run(operation(schema, "GET", "/api/training/branches/{id}"), headers, max_examples=5)
