"""Issue 14, finding 6: a talk's date is set through the API; the schema says it is a date; 400/403 documented."""

import pytest

from care.models import Talk

pytestmark = pytest.mark.django_db


def test_a_talks_date_is_set_through_the_api(care, login):
    client = login(care.secretary)
    r = client.post(
        "/api/care/talks",
        {"people": [care.worker_person.pk], "form": "face", "date": "2026-11-20", "topics": "家里的事"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert Talk.objects.get(pk=r.json()["id"]).date.isoformat() == "2026-11-20"
    schema = client.get("/api/openapi.json").json()
    talk_in = schema["components"]["schemas"]["TalkIn"]["properties"]["date"]
    assert {"type": "string", "format": "date"} in talk_in.get("anyOf", [talk_in])


def test_every_operation_documents_400_and_403(care, login):
    schema = login(care.secretary).get("/api/openapi.json").json()
    missing = [
        (method, path)
        for path, operations in schema["paths"].items()
        for method, op in operations.items()
        if not {"400", "403"} <= set(op["responses"])
    ]
    assert missing == []
