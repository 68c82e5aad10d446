import pytest


@pytest.mark.django_db
def test_secretary_sees_own_branch_only(world, login):
    c = login(world.secretary)
    r = c.get("/people/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "王小二" in body and "同事乙" in body
    assert "外支部丙" not in body and "外矿丁" not in body
    assert c.get(f"/people/{world.stranger.pk}/").status_code == 404
    assert c.get(f"/people/{world.worker_person.pk}/").status_code == 200
    assert c.get("/orgs/").status_code == 200
    assert c.get("/").status_code == 200
