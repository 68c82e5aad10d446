"""`manage.py demo`: the tree, the people, the accounts, determinism, idempotency; the bench harness."""

import io
import random
from collections import Counter
from datetime import date

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from orgs import demo
from orgs.forms import clean_id_number, clean_phone
from orgs.models import (
    OrgKind,
    OrgNode,
    Person,
    PoliticalStatus,
    RoleAssignment,
    Transfer,
    User,
    WorkStatus,
    pinyin_initials,
)

pytestmark = pytest.mark.django_db


def run_demo(size="small", base_only=True):
    out = io.StringIO()
    call_command("demo", size=size, base_only=base_only, stdout=out)
    return out.getvalue()


def test_small_builds_the_tree_of_spec_2():
    OrgNode.add_root(name="已有的根", kind=OrgKind.GROUP)  # the demo goes beside what is there
    run_demo()
    assert OrgNode.objects.find_problems() == ([], [], [], [], [])
    group = OrgNode.objects.get(code="XK-DEMO-SMALL")
    assert group.path == "0002" and group.name == "青岚能源集团"
    mines = list(group.get_children())
    assert [m.name for m in mines] == ["云杉煤矿", "墨川煤矿"]
    sc = mines[0]
    committee = sc.get_children().get()
    assert committee.kind == OrgKind.COMMITTEE and committee.name == "云杉煤矿党委"
    branches = OrgNode.objects.filter(path__startswith=sc.path, kind=OrgKind.BRANCH)
    assert {"综采一区党支部", "掘进一区党支部", "机关第一党支部"} <= set(branches.values_list("name", flat=True))
    assert OrgNode.objects.filter(path__startswith=sc.path, kind=OrgKind.GENERAL_BRANCH, name="机关党总支").exists()
    for unit in OrgNode.objects.filter(kind=OrgKind.UNIT):
        teams = [c for c in unit.get_children() if c.kind == OrgKind.TEAM]
        if unit.name in demo.OFFICES:
            assert teams == [] and unit.people.exists()  # a 科室's people sit on the 科室
        else:
            assert 3 <= len(teams) <= 8, unit.name
    zc1 = OrgNode.objects.get(path__startswith=sc.path, kind=OrgKind.UNIT, name="综采一区")
    assert [t.name for t in zc1.get_children()][:3] == ["早班", "中班", "夜班"]
    party_groups = OrgNode.objects.filter(kind=OrgKind.PARTY_GROUP)
    assert party_groups.exists() and all(pg.get_parent().kind == OrgKind.TEAM for pg in party_groups)
    # treebeard's own operations keep working on the generated tree
    new = zc1.add_child(name="新班组", kind=OrgKind.TEAM)
    zc1.refresh_from_db()
    assert new.get_parent() == zc1 and zc1.numchild == len(zc1.get_children())
    assert OrgNode.objects.find_problems() == ([], [], [], [], [])


def test_small_people_are_plausible():
    run_demo()
    people = list(Person.objects.select_related("org", "party_org", "job_type", "mine"))
    assert 190 <= len(people) <= 210
    share = sum(p.is_party_member for p in people) / len(people)
    assert 0.13 <= share <= 0.17
    statuses = Counter(p.political_status for p in people)
    assert statuses[PoliticalStatus.LEAGUE] > 0
    assert Counter(p.work_status for p in people)[WorkStatus.ON_DUTY] / len(people) > 0.85
    assert Person.objects.new_hires().exists() and Person.objects.recently_transferred().exists()
    assert len({(p.mine_id, p.emp_no) for p in people}) == len(people)
    assert len(Counter(p.name for p in people)) > 150
    assert len({p.job_type.name for p in people}) >= 10
    for p in people:
        assert p.org.kind in (OrgKind.TEAM, OrgKind.UNIT) and p.org.path.startswith(p.mine.path)
        with pytest.raises(ValidationError, match="校验位"):  # a demo id can never be a real person's
            clean_id_number(p.id_number)
        assert p.id_number[6:14] == p.birth_date.strftime("%Y%m%d")
        assert int(p.id_number[16]) % 2 == (1 if p.gender == "M" else 0)
        assert clean_phone(p.phone) == p.phone and p.address.startswith(tuple(r[1] for r in demo.REGIONS))
        assert p.name_initials == pinyin_initials(p.name)
        assert p.birth_date < p.hire_date <= timezone.localdate()
        if p.is_party_member:
            assert p.party_join_date and p.party_org.kind in (OrgKind.BRANCH, OrgKind.PARTY_GROUP)
            branch = p.org.branch
            assert p.party_org.path.startswith(branch.path)
        else:
            assert p.party_join_date is None and p.party_org is None
    secretaries = [p for p in people if p.post == "党支部书记"]
    assert len(secretaries) == OrgNode.objects.filter(kind=OrgKind.BRANCH).count()
    assert all(p.political_status == PoliticalStatus.MEMBER for p in secretaries)
    assert any(p.family_notes for p in people) and any(p.thoughts_notes for p in people)
    for t in Transfer.objects.select_related("person"):
        assert t.to_org_id == t.person.org_id and t.date >= t.person.hire_date
        assert (t.from_org_id, t.from_job_id) != (t.to_org_id, t.to_job_id)


def test_every_demo_account_logs_in_by_its_employee_number(client):
    out = run_demo()
    validate_password(demo.PASSWORD)
    rows = demo.account_rows()
    assert [r[2] for r in rows] == ["系统管理员", "党委(组织部)", "党委(组织部)", "安监员", "党支部书记", "支部委员",
                                    "党小组长/班组长", "党员", "职工"]  # fmt: skip
    for login, password, *_ in rows:
        assert login in out
        response = client.post("/accounts/login/", {"username": login, "password": password})
        assert response.status_code == 302, login
        assert client.get("/").status_code == 200  # no forced password change
        client.post("/accounts/logout/")
    secretary = User.objects.get(person__emp_no="100001")
    assert secretary.username == "SC-100001" and secretary.person.post == "党支部书记"
    branch = RoleAssignment.objects.get(user=secretary, role="secretary").org
    assert branch.name == "综采一区党支部" and secretary.person.org.path.startswith(branch.path)
    worker = User.objects.get(person__emp_no="100005").person
    assert worker.is_new_hire and worker.political_status == PoliticalStatus.MASSES
    member = User.objects.get(person__emp_no="100004").person
    assert member.political_status == PoliticalStatus.MEMBER
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.filter(must_change_password=True).exists()
    # a secretary reads the own branch's roster, not the other mine's
    client.post("/accounts/login/", {"username": "100001", "password": demo.PASSWORD})
    body = client.get("/people/?q=" + secretary.person.name).content.decode()
    assert secretary.person.name in body
    other = Person.objects.filter(mine__code="XZ").first()
    assert client.get(f"/people/{other.pk}/").status_code == 404


def test_second_run_changes_nothing_and_another_size_is_refused():
    run_demo()
    counts = (OrgNode.objects.count(), Person.objects.count(), User.objects.count(), Transfer.objects.count())
    out = run_demo()
    assert "已经存在" in out
    assert counts == (OrgNode.objects.count(), Person.objects.count(), User.objects.count(), Transfer.objects.count())
    with pytest.raises(CommandError, match="small"):
        run_demo("mine")
    assert Person.objects.count() == counts[1]


def test_same_seed_same_data():
    def fresh_run():
        with transaction.atomic():
            run_demo()
            fingerprint = demo.digest()
            names = list(Person.objects.order_by("mine__code", "emp_no").values_list("name", flat=True)[:20])
            transaction.set_rollback(True)
        assert not Person.objects.exists()
        return fingerprint, names

    first, second = fresh_run(), fresh_run()
    assert first == second


def test_extension_steps_run_once_with_the_context(monkeypatch):
    from common import demo as registry

    seen = []
    monkeypatch.setattr(registry, "steps", lambda: [seen.append])
    run_demo(base_only=False)
    run_demo(base_only=False)
    assert len(seen) == 1
    ctx = seen[0]
    assert ctx.size == "small" and isinstance(ctx.rng, random.Random) and ctx.today == timezone.localdate()
    assert [m.name for m in ctx.mines] == ["云杉煤矿", "墨川煤矿"] and all(m.pk for m in ctx.mines)
    assert set(ctx.accounts) == {a[0] for a in demo.ACCOUNTS}
    assert ctx.accounts["secretary"].person.emp_no == "100001"
    assert ctx.group.kind == OrgKind.GROUP and callable(ctx.log)


def test_group_plan_is_forty_mines_of_200000_people():
    plans = demo.mine_plans("group")
    assert len(plans) == 40 and sum(p.people for p in plans) == 200_000
    assert len({p.code for p in plans}) == 40 and plans[0].code == "SC" and plans[0].people == 5000
    assert all(20 <= len(p.spec) <= 25 for p in plans)
    assert [p.people for p in demo.mine_plans("mine")] == [5000]


def test_id_numbers_are_well_formed_but_never_valid_for_any_birthday():
    maker = demo.PersonMaker(random.Random(1), date(2026, 11, 25), None, {})
    for _ in range(500):
        birth = maker.birth_date(18, 60, 40)
        id_number, phone, address = maker.identity("F", birth)
        assert len(id_number) == 18 and id_number[6:14] == birth.strftime("%Y%m%d")
        with pytest.raises(ValidationError, match="校验位"):
            clean_id_number(id_number)
        assert clean_phone(phone) == phone and address


def test_bench_harness_measures_pages_on_the_small_demo(capsys, settings):
    from bench import figures, harness  # noqa: F401  (registers the figures)

    settings.ROOT_URLCONF = "bench.urls"

    run_demo()
    bench = harness.Bench("small", requests=5, demo_seconds=1.5, demo_note="built now")
    results = dict((f.name, m) for f, m in harness.run(bench, names=["demo_generate", "roster_list_p95", "tree_p95"]))
    lines = capsys.readouterr().out.splitlines()
    assert results["roster_list_p95"].value > 0 and results["roster_list_p95"].baseline > 0
    assert results["tree_p95"].value > 0 and results["demo_generate"].value == 1.5
    roster_line = next(line for line in lines if line.startswith("roster_list_p95"))
    assert "≤ 100 ms" in roster_line and "vs select1" in roster_line
    assert harness.p95(list(range(1, 101))) == 95 and harness.p95([3.0]) == 3.0
    fig = harness.Figure("x", fn=None, target=10, unit="s")
    assert harness.verdict(fig, harness.Measured(12)) == "MISS" and harness.verdict(fig, harness.Measured(9)) == "ok"
    assert "skipped (why)" in harness.format_line(fig, harness.skipped("why"))


def test_the_demo_command_puts_the_demo_mark_on_every_page(client, settings, tmp_path):
    settings.HONGLING_DEMO_FLAG = tmp_path / "demo-data"
    assert "演示数据" not in client.get("/accounts/login/").content.decode()
    run_demo()
    assert "演示数据" in client.get("/accounts/login/").content.decode()
    client.force_login(User.objects.get(username="jtdw"))
    for url in ("/", "/people/", "/training/"):
        assert 'id="demo-mark"' in client.get(url).content.decode(), url


def test_a_demo_person_keeps_their_id_number_when_edited():
    from orgs.forms import PersonForm

    run_demo()
    person = Person.objects.order_by("pk").first()
    form = PersonForm(instance=person)
    form.cleaned_data = {"id_number": person.id_number}
    assert form.clean_id_number() == person.id_number  # stored as it was, though its check digit is wrong
    body = person.id_number[:17]
    valid = demo.ID_CHECK[sum(int(d) * w for d, w in zip(body, demo.ID_WEIGHTS)) % 11]
    form.cleaned_data = {"id_number": body + valid}  # a number typed anew is checked
    assert form.clean_id_number() == body + valid
    wrong = next(c for c in "0123456789X" if c not in (valid, person.id_number[17]))
    form.cleaned_data = {"id_number": body + wrong}
    with pytest.raises(ValidationError, match="校验位"):
        form.clean_id_number()
