from orgs.models import OrgKind, OrgNode, Person


def test_tree_shows_head_counts_of_subtrees(world, login):
    c = login(world.secretary)
    body = c.get("/orgs/").content.decode()
    # branch: worker, member, colleague, secretary's own person = 4 people in its subtree
    assert "综采一区党支部" in body and "掘进一区党支部" not in body
    counts = {n: Person.objects.filter(org__path__startswith=n.path).count() for n in (world.branch, world.team)}
    assert f"{counts[world.branch]}人" in body and counts[world.branch] == 4


def test_admin_adds_renames_and_moves_nodes(world, login):
    c = login(world.admin)
    r = c.post(f"/orgs/{world.unit.pk}/", {"action": "add_child", "child-name": "夜班", "child-kind": OrgKind.TEAM})
    assert r.status_code == 302
    night = OrgNode.objects.get(name="夜班")
    assert night.get_parent() == world.unit
    c.post(f"/orgs/{night.pk}/", {"action": "rename", "name": "夜班(新)"})
    night.refresh_from_db()
    assert night.name == "夜班(新)"
    r = c.post(f"/orgs/{night.pk}/", {"action": "move", "parent": world.other_unit.pk})
    assert r.status_code == 302
    night.refresh_from_db()
    assert night.get_parent() == world.other_unit


def test_wrong_kind_and_moves_into_own_subtree_are_refused(world, login):
    c = login(world.admin)
    r = c.post(f"/orgs/{world.team.pk}/", {"action": "add_child", "child-name": "某矿", "child-kind": OrgKind.MINE})
    assert r.status_code == 409 and "班组下不能设立矿" in r.content.decode()
    assert not OrgNode.objects.filter(name="某矿").exists()
    r = c.post(f"/orgs/{world.branch.pk}/", {"action": "move", "parent": world.team.pk})
    assert r.status_code == 409
    world.branch.refresh_from_db()
    assert world.branch.get_parent() == world.committee


def test_a_node_with_people_cannot_be_deleted(world, login):
    c = login(world.admin)
    r = c.post(f"/orgs/{world.team.pk}/", {"action": "delete"})
    assert r.status_code == 409 and "仍有人员" in r.content.decode()
    assert OrgNode.objects.filter(pk=world.team.pk).exists()


def test_secretary_cannot_edit_the_tree_and_other_mine_is_404(world, login):
    assert login(world.secretary).get(f"/orgs/{world.branch.pk}/").status_code == 404
    assert login(world.admin).get(f"/orgs/{world.team_b.pk}/").status_code == 404


def test_superuser_builds_the_first_root(db, client):
    from orgs.tests.factories import make_user

    root = make_user("boss", is_superuser=True)
    client.force_login(root)
    assert client.get("/orgs/").status_code == 200
    client.post("/orgs/", {"action": "add_root", "name": "青岚能源集团", "kind": OrgKind.GROUP})
    assert OrgNode.get_root_nodes().get().name == "青岚能源集团"


def test_tree_page_shows_a_large_tree_a_few_levels_at_a_time(world, login):
    c = login(world.superuser)
    body = c.get("/orgs/").content.decode()
    assert "综采一区党支部" in body  # depth 4 of 集团 → 矿 → 党委 → 党支部
    assert "早班" not in body and "展开下级" in body  # 班组 (depth 6) open on the branch's own view
    body = c.get(f"/orgs/?root={world.branch.pk}").content.decode()
    assert "早班" in body and "中班" in body and "掘进一区党支部" not in body


def test_the_mines_committee_keeps_its_own_tree(world, login):
    c = login(world.committee_user)
    r = c.post(f"/orgs/{world.unit.pk}/", {"action": "add_child", "child-name": "夜班", "child-kind": OrgKind.TEAM})
    assert r.status_code == 302 and OrgNode.objects.get(name="夜班").get_parent() == world.unit
    assert c.get(f"/orgs/{world.team_b.pk}/").status_code == 404  # another mine's tree stays out of reach


def test_a_refused_rename_keeps_what_was_typed(world, login):
    c = login(world.admin)
    r = c.post(f"/orgs/{world.team.pk}/", {"action": "rename", "name": "  ", "code": "ZB-9"})
    html = r.content.decode()
    assert r.status_code == 409 and 'value="ZB-9"' in html


def test_moving_a_team_with_people_asks_first_and_the_list_names_the_place(world, login):
    c = login(world.admin)
    people = Person.objects.filter(org__path__startswith=world.team.path).count()
    assert people
    page = c.get(f"/orgs/{world.team.pk}/").content.decode()
    # every target is named with the unit above it, the current parent is the one preselected
    assert f'value="{world.unit.pk}" selected' in page and "当前上级" in page
    r = c.post(f"/orgs/{world.team.pk}/", {"action": "move", "parent": world.other_unit.pk})
    world.team.refresh_from_db()
    assert r.status_code == 200 and world.team.get_parent() == world.unit  # not moved yet
    assert f"共 <strong>{people}</strong> 人" in r.content.decode() and "确认移动" in r.content.decode()
    r = c.post(f"/orgs/{world.team.pk}/", {"action": "move", "parent": world.other_unit.pk, "confirm": "1"})
    world.team.refresh_from_db()
    assert r.status_code == 302 and world.team.get_parent() == world.other_unit


def test_a_party_group_counts_its_members(world, login):
    group = world.branch.add_child(name="第一党小组", kind=OrgKind.PARTY_GROUP)
    members = list(Person.objects.filter(org__path__startswith=world.branch.path)[:2])
    Person.objects.filter(pk__in=[p.pk for p in members]).update(party_org=group)
    body = login(world.admin).get("/orgs/").content.decode()
    assert "第一党小组" in body and "在册2人" in body.split("第一党小组", 1)[1][:400]
