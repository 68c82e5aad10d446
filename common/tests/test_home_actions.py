"""The home page's one-tap buttons (SPEC §7.3): the secretary records a hazard, a diary entry or a talk from there;
a worker gets only what they may do."""

import pytest

pytestmark = pytest.mark.django_db


def buttons(client):
    page = client.get("/").content.decode()
    block = page.split('id="quick-actions"')[1].split("</div>")[0] if 'id="quick-actions"' in page else ""
    return [label for label in ("登记隐患", "登记三违", "记民情日记", "记录谈心谈话") if label in block]


def test_each_role_gets_the_buttons_it_may_use(world, login):
    assert buttons(login(world.secretary)) == ["登记隐患", "登记三违", "记民情日记", "记录谈心谈话"]
    assert buttons(login(world.worker)) == ["登记隐患"]
    assert buttons(login(world.safety)) == ["登记三违"]  # no person record: hazards are reported by a person
    for label, url in (
        ("登记隐患", "/hazards/new/"),
        ("记民情日记", "/frontline/diary/new/"),
        ("记录谈心谈话", "/care/talks/new/"),
    ):
        assert login(world.secretary).get(url).status_code == 200, label
