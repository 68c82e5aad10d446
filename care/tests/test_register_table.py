"""The register's table (``care.services.MACHINE``), state × action × role, each action fed the typed input of its form
(``care.forms.ACTION_FORMS``): out of reach → 404; in reach but not in the table for the state → 409; in the table but
not the user's to do → 403; otherwise the change is made."""

import pytest

from care import forms, services
from care.models import Entry, EntryStatus
from care.tests.helpers import act, enter
from common.errors import Conflict, Forbidden, NotFound
from orgs.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
A, R = EntryStatus.ACTIVE, EntryStatus.RELEASED


def test_the_table_has_a_form_for_every_action_and_only_release_leaves_the_register():
    table = services.MACHINE.as_dict()
    assert set(forms.ACTION_FORMS) == {action for _state, action in table}
    assert {(s, a): t for (s, a), (t, _who, _label) in table.items()} == {
        (A, a): (R if a == "release" else A) for a in forms.ACTION_FORMS
    }


def _valid(care, entry, action):
    other_helper = PersonFactory(org=care.team2, political_status="member", name="党员丙")
    return {
        "tier": {"tier": "A"},
        "helper": {"helper": other_helper.pk},
        "measure": {"text": "每周谈心一次"},
        "measure_done": {"measure": entry.measures.first().pk},
        "help": {"form": "talk", "content": "谈心半小时"},
        "evaluate": {"trend": "better"},
        "release": {"reason": "已转化,表现良好", "confirm_open": "1"},
    }[action]


def _entry(care, state):
    entry = enter(care, person=PersonFactory(org=care.team, name="薄弱人员"))
    if state == R:
        act(care.secretary, entry.pk, "release", {"reason": "已转化,表现良好", "confirm_open": "1"})
    return Entry.objects.get(pk=entry.pk)


def _roles(care):
    """name -> (user, what they are to an entry of the branch)."""
    return {
        "worker": (care.worker, "none"),
        "other_secretary": (care.other_secretary, "none"),
        "committee": (care.committee_user, "read"),  # reads the register of the mine, keeps none of it
        "helper": (care.member, "helper"),  # the 帮教人, while helping
        "secretary": (care.secretary, "manage"),
    }


@pytest.mark.parametrize("state", [A, R])
@pytest.mark.parametrize("action", list(forms.ACTION_FORMS))
def test_every_state_every_action_every_role(care, state, action):
    table = services.MACHINE.as_dict()
    for name, (user, role) in _roles(care).items():
        entry = _entry(care, state)
        data = _valid(care, entry, action)
        where = f"{state} × {action} × {name}"
        row = table.get((state, action))
        if role == "none" or (role == "helper" and state == R):  # the 帮教人 reads only while helping
            expected = NotFound
        elif row is None:
            expected = Conflict
        elif role == "manage" or (role == "helper" and row[1] == services.HELPER):
            expected = None
        else:
            expected = Forbidden
        if expected is None:
            after = act(user, entry.pk, action, data)
            assert after.version == entry.version + 1 and after.status == row[0], where
            assert after.events.filter(action=action).exists(), where
        else:
            with pytest.raises(expected):
                act(user, entry.pk, action, data)
            assert Entry.objects.get(pk=entry.pk).version == entry.version, where
