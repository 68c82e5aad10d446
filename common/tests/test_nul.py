"""NUL characters never reach the database (PostgreSQL refuses them): 422 with a Chinese message."""

import pytest

pytestmark = pytest.mark.django_db


def test_nul_in_json_form_and_query_is_refused(world, client):
    client.force_login(world.worker)
    response = client.post("/api/training/qa", '{"text": "a\\u0000b"}', content_type="application/json")
    assert response.status_code == 422 and "NUL" in response.json()["detail"][0]["msg"]
    assert client.post("/hazards/new/", {"description": "a\x00b"}).status_code == 422
    assert client.get("/people/?q=a%00b").status_code == 422
    assert (
        client.post("/api/training/qa", '{"text": "正常的问题内容"}', content_type="application/json").status_code
        != 422
    )
