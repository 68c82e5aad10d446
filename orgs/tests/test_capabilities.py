"""The one registry of capabilities (orgs/scope.py): who may read what, the need-to-know capabilities without the
superuser shortcut, and the person-to-person rule of the 帮教人."""

from datetime import date

import pytest

from care.models import Entry, EntryStatus, Tier
from frontline.models import DiaryEntry
from orgs import scope
from orgs.models import OrgNode, Person

pytestmark = pytest.mark.django_db


def _row(name):
    return next(r for r in scope.capabilities() if r["name"] == name)


def test_the_registry_says_which_capabilities_have_no_superuser_shortcut():
    assert _row("roster")["superuser"] and _row("roster")["self_too"]
    for need_to_know in ("care_read", "care_notes", "care_manage", "frontline_diary", "stability_read"):
        assert not _row(need_to_know)["superuser"], need_to_know
    assert _row("care_read")["person_rules"] == ["helped_person_ids"]


def test_a_superuser_reads_the_roster_but_no_care_file_or_diary_by_that_flag_alone(world):
    root = world.superuser
    assert scope.can(root, "roster", world.team) and scope.can(root, "frontline", world.branch)
    assert not scope.can(root, "care_read") and not scope.can(root, "frontline_diary_write", world.branch)
    assert not Person.objects.filter(scope.filter_for(root, "care_read", "org__path", "pk")).exists()
    DiaryEntry.objects.create(
        branch=world.branch, author=world.secretary, date=date(2026, 5, 1), place="井口", learned="x"
    )
    assert not DiaryEntry.objects.visible_to(root).exists()
    assert DiaryEntry.objects.visible_to(world.secretary).count() == 1
    # the secretary of the branch reads the care files below it, through the same registry
    assert scope.can_reach(world.secretary, "care_read", world.worker_person)
    assert not scope.can_reach(world.secretary, "care_read", world.far_away)


def test_the_helper_reads_the_file_of_the_person_they_help_while_the_help_lasts(world):
    helper = world.member  # an ordinary 党员: no subtree role
    assert not scope.can_reach(helper, "care_read", world.worker_person)
    entry = Entry.objects.create(
        person=world.worker_person,
        mine=world.mine,
        tier=Tier.B,
        helper=world.member_person,
        entered_on=date(2026, 5, 1),
        eval_days=30,
        created_by=world.secretary,
    )
    assert scope.can_reach(helper, "care_read", world.worker_person)
    assert not scope.can_reach(helper, "care_read", world.colleague)
    readable = Person.objects.filter(scope.filter_for(helper, "care_read", "org__path", "pk"))
    assert list(readable) == [world.worker_person]
    Entry.objects.filter(pk=entry.pk).update(status=EntryStatus.RELEASED)
    assert not scope.can_reach(helper, "care_read", world.worker_person)


def test_the_one_subtree_helper_selects_the_nodes_below_any_of_the_paths(world):
    branch_nodes = set(OrgNode.objects.filter(scope.subtree_q([world.branch.path], "pk")).values_list("pk", flat=True))
    assert branch_nodes == {world.branch.pk, world.unit.pk, world.team.pk, world.team2.pk}
    people = Person.objects.filter(scope.subtree_q([world.other_branch.path, world.unit_b.path], "org"))
    assert set(people) == {world.stranger, world.far_away}
    assert not Person.objects.filter(scope.subtree_q([], "org")).exists()
    assert set(scope.node_ids(world.other_secretary, "roster")) == {
        world.other_branch.pk,
        world.other_unit.pk,
        world.other_team.pk,
    }
