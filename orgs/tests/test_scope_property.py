"""Property test of the one scope rule (SPEC §3).

For random organisation trees and random role assignments, what ``visible_to(user)`` returns must be
exactly the union of the subtrees of the user's assignments whose role grants the capability (plus,
for the roster, the user's own person) — no more, no less. The expected sets are computed here from the
tree's parent links, independently of materialised paths and of ``orgs/scope.py``.
"""

import itertools
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from orgs import scope
from orgs.models import JobType, OrgKind, OrgNode, Person, Role, RoleAssignment, User

# What SPEC §1/§3 says each role may read over the subtree of its node; written out here on purpose
# so that a change to the rule in scope.py has to be a deliberate change to this test too.
ROSTER_ROLES = {"admin", "committee", "safety", "secretary", "branch_committee", "team_leader"}
SENSITIVE_ROLES = {"admin", "committee", "secretary"}
ALL_ROLES = list(Role.values)

_emp = itertools.count(1)


@st.composite
def worlds(draw):
    n = draw(st.integers(min_value=1, max_value=14))
    # parents[i] is None (a root) or the index of an earlier node: any depth, any branching.
    parents = [None]
    for i in range(1, n):
        parent = st.integers(min_value=0, max_value=i - 1)
        parents.append(draw(st.one_of(st.none(), parent) if i < 3 else parent))  # up to three roots
    people_per_node = draw(st.lists(st.integers(min_value=0, max_value=2), min_size=n, max_size=n))
    n_people = sum(people_per_node)
    users = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "assignments": st.lists(
                        st.tuples(st.sampled_from(ALL_ROLES), st.integers(min_value=0, max_value=n - 1)),
                        max_size=4,
                        unique=True,
                    ),
                    "person": st.none() if n_people == 0 else st.one_of(st.none(), st.integers(0, n_people - 1)),
                    "active": st.booleans() | st.just(True),
                    "superuser": st.sampled_from([False] * 9 + [True]),
                }
            ),
            min_size=1,
            max_size=3,
        )
    )
    return parents, people_per_node, users


def subtree(parents, i):
    """Indices of node i and every node below it, from the parent links."""
    found = {i}
    changed = True
    while changed:
        changed = False
        for j, p in enumerate(parents):
            if p in found and j not in found:
                found.add(j)
                changed = True
    return found


class ScopeProperty(TestCase):
    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(worlds())
    def test_visible_to_is_exactly_the_union_of_assigned_subtrees(self, world):
        parents, people_per_node, user_specs = world
        job = JobType.objects.get_or_create(name="采煤工")[0]

        nodes = []
        for i, parent in enumerate(parents):
            if parent is None:
                nodes.append(OrgNode.add_root(name=f"n{i}", kind=OrgKind.MINE))
            else:
                nodes.append(OrgNode.objects.get(pk=nodes[parent].pk).add_child(name=f"n{i}", kind=OrgKind.TEAM))
        nodes = [OrgNode.objects.get(pk=n.pk) for n in nodes]  # fresh paths after sibling inserts

        people = []  # (person, node index)
        for i, count in enumerate(people_per_node):
            for _ in range(count):
                p = Person.objects.create(
                    mine=nodes[0],
                    emp_no=f"E{next(_emp)}",
                    name="张三",
                    gender="M",
                    hire_date=date(2015, 1, 1),
                    job_type=job,
                    org=nodes[i],
                )
                people.append((p, i))

        linked = set()
        for spec in user_specs:
            person = None
            if spec["person"] is not None and spec["person"] not in linked:  # one account per person
                linked.add(spec["person"])
                person = people[spec["person"]][0]
            user = User.objects.create_user(
                username=f"u{next(_emp)}",
                password="x",
                person=person,
                is_active=spec["active"],
                is_superuser=spec["superuser"],
            )
            for role, idx in spec["assignments"]:
                RoleAssignment.objects.create(user=user, role=role, org=nodes[idx])
            user = User.objects.get(pk=user.pk)  # as a request would load it: no cached scope

            def reach(roles):
                covered = set()
                for role, idx in spec["assignments"]:
                    if role in roles:
                        covered |= subtree(parents, idx)
                return covered

            all_nodes = {n.pk for n in nodes}
            all_people = {p.pk for p, _ in people}
            if not spec["active"]:
                exp_nodes, exp_people, exp_sensitive = set(), set(), set()
            elif spec["superuser"]:
                exp_nodes, exp_people, exp_sensitive = all_nodes, all_people, all_people
            else:
                roster = reach(ROSTER_ROLES)
                exp_nodes = {nodes[i].pk for i in roster}
                exp_people = {p.pk for p, i in people if i in roster}
                if person is not None:
                    exp_people.add(person.pk)
                sensitive = reach(SENSITIVE_ROLES)
                exp_sensitive = {p.pk for p, i in people if i in sensitive}

            got_nodes = set(OrgNode.objects.visible_to(user).values_list("pk", flat=True))
            got_people = set(Person.objects.visible_to(user).values_list("pk", flat=True))
            got_sensitive = set(Person.objects.visible_to(user, "sensitive").values_list("pk", flat=True))
            assert got_nodes == exp_nodes, (spec, parents)
            assert got_people == exp_people, (spec, parents)
            assert got_sensitive == exp_sensitive, (spec, parents)
            # the yes/no question agrees with the filter for every node
            for n in nodes:
                assert scope.can(user, "roster", n) == (n.pk in exp_nodes), (spec, parents, n.path)
