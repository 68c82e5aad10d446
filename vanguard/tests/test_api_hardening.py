"""Issue 14, finding 6: an array body to /api/vanguard/assignments/{id}/end is refused (422), nothing ends."""

import json

import pytest

from vanguard.models import Assignment
from vanguard.tests.test_vanguard import vw  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_an_array_body_does_not_end_the_assignment(vw, login):
    client = login(vw.secretary)
    created = client.post(
        "/api/vanguard/assignments",
        {"member": vw.member_person.pk, "workers": [vw.worker_person.pk], "starts_on": "2026-01-01"},
        content_type="application/json",
    ).json()
    for body in ("[]", '["2026-02-01"]', "1", '"x"'):
        r = client.post(f"/api/vanguard/assignments/{created['id']}/end", body, content_type="application/json")
        assert r.status_code == 422, (body, r.status_code, r.content)
    assert Assignment.objects.get(pk=created["id"]).ends_on is None
    ok = client.post(f"/api/vanguard/assignments/{created['id']}/end", json.dumps({}), content_type="application/json")
    assert ok.status_code == 200
