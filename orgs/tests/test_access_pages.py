"""Who may open which page of the foundation (SPEC §3, §7.2): in scope 200, out of scope 404,
anonymous to the login page; login rules; sensitive reveals and the audit trail; pinned query counts."""

import re

import pytest
from auditlog.models import LogEntry

from orgs.models import OrgKind, Person, SensitiveAccess
from orgs.tests.factories import PersonFactory, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Hl-test-pass1"
ROSTER_ROLES = ["admin", "committee_user", "safety", "secretary", "branch_committee", "team_leader"]


@pytest.fixture
def w(world):
    """The shared world plus an account in the other mine."""
    world.b_worker = make_user("worker-b", "worker", world.team_b, person=world.far_away)
    world.b_no_account = PersonFactory(org=world.team_b, name="外矿戊")
    return world


# (page, user, expected status). Pages are functions of the world so ids are resolved per test.
PAGES = {
    "home": lambda w: "/",
    "menu": lambda w: "/menu/",
    "people": lambda w: "/people/",
    "person": lambda w: f"/people/{w.worker_person.pk}/",
    "person_other_mine": lambda w: f"/people/{w.far_away.pk}/",
    "person_other_branch": lambda w: f"/people/{w.stranger.pk}/",
    "sensitive": lambda w: f"/people/{w.worker_person.pk}/sensitive/",
    "sensitive_other_mine": lambda w: f"/people/{w.far_away.pk}/sensitive/",
    "person_new": lambda w: "/people/new/",
    "person_edit": lambda w: f"/people/{w.worker_person.pk}/edit/",
    "person_edit_other_branch": lambda w: f"/people/{w.stranger.pk}/edit/",
    "person_transfer": lambda w: f"/people/{w.worker_person.pk}/transfer/",
    "person_transfer_other_branch": lambda w: f"/people/{w.stranger.pk}/transfer/",
    "orgs": lambda w: "/orgs/",
    "orgs_subtree": lambda w: f"/orgs/?root={w.branch.pk}",
    "orgs_subtree_other_mine": lambda w: f"/orgs/?root={w.branch_b.pk}",
    "org_node": lambda w: f"/orgs/{w.branch.pk}/",
    "org_node_other_mine": lambda w: f"/orgs/{w.branch_b.pk}/",
    "accounts": lambda w: "/manage/accounts/",
    "account": lambda w: f"/manage/accounts/{w.worker.pk}/",
    "account_other_mine": lambda w: f"/manage/accounts/{w.b_worker.pk}/",
    "account_new": lambda w: "/manage/accounts/new/",
    "account_for_person": lambda w: f"/manage/accounts/person/{w.colleague.pk}/",
    "account_for_person_other_mine": lambda w: f"/manage/accounts/person/{w.b_no_account.pk}/",
    "audit": lambda w: "/manage/audit/",
    "sensitive_log": lambda w: "/manage/audit/sensitive/",
    "sensitive_log_person": lambda w: f"/manage/audit/sensitive/?person_id={w.worker_person.pk}",
    "sensitive_log_person_other_mine": lambda w: f"/manage/audit/sensitive/?person_id={w.far_away.pk}",
}

EVERYONE = ROSTER_ROLES + ["member", "worker", "other_secretary", "superuser"]

CASES = (
    [("home", u, 200) for u in EVERYONE]
    + [("menu", u, 200) for u in EVERYONE]
    + [("people", u, 200) for u in ROSTER_ROLES + ["other_secretary", "superuser"]]
    # 党员 / 职工 have no roster: /people/ takes them to their own record
    + [("people", u, 302) for u in ("member", "worker")]
    + [("person", u, 200) for u in ROSTER_ROLES + ["worker", "superuser"]]
    + [("person", u, 404) for u in ("member", "other_secretary")]
    + [("person_other_mine", u, 404) for u in ROSTER_ROLES + ["worker"]]
    + [("person_other_branch", u, 404) for u in ("secretary", "branch_committee", "team_leader", "worker")]
    + [("person_other_branch", u, 200) for u in ("admin", "committee_user", "safety", "other_secretary")]
    + [("sensitive", u, 200) for u in ("admin", "committee_user", "secretary", "worker", "superuser")]
    + [("sensitive", u, 404) for u in ("safety", "branch_committee", "team_leader", "member", "other_secretary")]
    + [("sensitive_other_mine", u, 404) for u in ("admin", "committee_user", "secretary")]
    + [("person_new", u, 200) for u in ("admin", "committee_user", "secretary", "superuser")]
    + [("person_new", u, 404) for u in ("safety", "branch_committee", "team_leader", "member", "worker")]
    + [(p, u, 200) for p in ("person_edit", "person_transfer") for u in ("admin", "committee_user", "secretary")]
    + [
        (p, u, 404)
        for p in ("person_edit", "person_transfer")
        for u in ("safety", "team_leader", "worker", "other_secretary")
    ]
    + [(p, "secretary", 404) for p in ("person_edit_other_branch", "person_transfer_other_branch")]
    + [(p, "other_secretary", 200) for p in ("person_edit_other_branch", "person_transfer_other_branch")]
    + [("orgs", u, 200) for u in ROSTER_ROLES + ["superuser"]]
    + [("orgs", u, 404) for u in ("member", "worker")]
    + [("orgs_subtree", u, 200) for u in ("admin", "secretary")]
    + [("orgs_subtree", "other_secretary", 404)]
    + [("orgs_subtree_other_mine", u, 404) for u in ("admin", "committee_user", "secretary")]
    + [("org_node", u, 200) for u in ("admin", "superuser", "committee_user")]  # the 党委 keeps its own tree
    + [("org_node", u, 404) for u in ("secretary", "worker")]
    + [("org_node_other_mine", u, 404) for u in ("admin", "committee_user")]
    + [
        (p, u, 200)
        for p in (
            "accounts",
            "account",
            "account_new",
            "account_for_person",
            "audit",
            "sensitive_log",
            "sensitive_log_person",
        )
        for u in ("admin", "superuser")
    ]
    + [
        (p, u, 404)
        for p in (
            "accounts",
            "account",
            "account_new",
            "account_for_person",
            "audit",
            "sensitive_log",
            "sensitive_log_person",
        )
        for u in ("committee_user", "secretary", "safety", "worker")
    ]
    + [
        (p, "admin", 404)
        for p in ("account_other_mine", "account_for_person_other_mine", "sensitive_log_person_other_mine")
    ]
    + [
        (p, "superuser", 200)
        for p in ("account_other_mine", "account_for_person_other_mine", "sensitive_log_person_other_mine")
    ]
)


@pytest.mark.parametrize("page,who,status", CASES, ids=[f"{p}-{u}-{s}" for p, u, s in CASES])
def test_page_access(w, login, page, who, status):
    url = PAGES[page](w)
    r = login(getattr(w, who)).get(url)
    assert r.status_code == status, (url, who, r.status_code)
    if status == 302:
        # 党员/职工 sent to their own record
        assert r["Location"] == f"/people/{getattr(w, who).person_id}/"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_anonymous_goes_to_login(w, client, page):
    url = PAGES[page](w)
    r = client.get(url)
    assert r.status_code == 302
    assert r["Location"].startswith("/accounts/login/?next=")


def test_every_foundation_page_is_covered():
    covered = {p for p, _, s in CASES if s == 200}
    refused = {p for p, _, s in CASES if s == 404}
    for page in PAGES:
        assert page in covered or page in refused, page
    # every page that has an "in scope" case also has an "out of scope" one, except pages everyone may open
    assert covered - refused <= {"home", "menu", "people"}


# ---------------------------------------------------------------- logging in


def login_post(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def test_login_by_emp_no(w, client):
    r = login_post(client, w.worker_person.emp_no, PASSWORD)
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/").status_code == 200
    assert int(client.session["_auth_user_id"]) == w.worker.pk


def test_login_by_username_for_system_accounts(w, client):
    r = login_post(client, "admin-sc", PASSWORD)
    assert r.status_code == 302 and int(client.session["_auth_user_id"]) == w.admin.pk


def test_wrong_password_is_refused_in_chinese(w, client):
    r = login_post(client, w.worker_person.emp_no, "not-the-password")
    assert r.status_code == 200 and "工号或密码不正确" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_first_login_forces_password_change(w, client):
    w.worker.must_change_password = True
    w.worker.save()
    login_post(client, w.worker_person.emp_no, PASSWORD)
    for url in ("/", "/people/", f"/people/{w.worker_person.pk}/", "/orgs/", "/menu/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"] == "/accounts/password/", url
    assert client.get("/accounts/password/").status_code == 200
    r = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Meikuang-2024x", "new_password2": "Meikuang-2024x"},
    )
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/").status_code == 200
    w.worker.refresh_from_db()
    assert not w.worker.must_change_password and w.worker.check_password("Meikuang-2024x")


def test_password_change_refuses_same_password(w, client):
    w.worker.must_change_password = True
    w.worker.save()
    login_post(client, w.worker_person.emp_no, PASSWORD)
    r = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert r.status_code == 200 and "新密码不能与原密码相同" in r.content.decode()
    assert client.get("/").status_code == 302


def test_five_wrong_passwords_lock_the_account(w, client):
    emp_no = w.worker_person.emp_no
    for _ in range(5):
        login_post(client, emp_no, "wrong-password-9")
    r = login_post(client, emp_no, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert r.status_code in (403, 429)
    assert "账号已暂时锁定" in r.content.decode()


def test_four_wrong_passwords_do_not_lock(w, client):
    emp_no = w.worker_person.emp_no
    for _ in range(4):
        login_post(client, emp_no, "wrong-password-9")
    r = login_post(client, emp_no, PASSWORD)
    assert r.status_code == 302 and int(client.session["_auth_user_id"]) == w.worker.pk


def test_admin_reset_unlocks_and_forces_change(w, client, login):
    emp_no = w.worker_person.emp_no
    for _ in range(5):
        login_post(client, emp_no, "wrong-password-9")
    assert "账号已暂时锁定" in login_post(client, emp_no, PASSWORD).content.decode()

    from django.test import Client

    admin = Client()
    admin.force_login(w.admin)
    r = admin.post(f"/manage/accounts/{w.worker.pk}/reset/")
    temp = re.search(r'id="temp-password">([^<]+)<', r.content.decode()).group(1)

    r = login_post(client, emp_no, temp)
    assert r.status_code == 302 and int(client.session["_auth_user_id"]) == w.worker.pk
    assert client.get("/people/").url == "/accounts/password/"


def test_disabled_account_cannot_log_in(w, client, login):
    from django.test import Client

    admin = Client()
    admin.force_login(w.admin)
    admin.post(f"/manage/accounts/{w.worker.pk}/active/", {"active": "0"})
    r = login_post(client, w.worker_person.emp_no, PASSWORD)
    assert r.status_code == 200 and "_auth_user_id" not in client.session


def test_disabling_ends_an_open_session(w, client):
    from django.test import Client

    login_post(client, w.worker_person.emp_no, PASSWORD)
    assert client.get("/").status_code == 200
    admin = Client()
    admin.force_login(w.admin)
    admin.post(f"/manage/accounts/{w.worker.pk}/active/", {"active": "0"})
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


# ---------------------------------------------------------------- sensitive fields


def test_sensitive_values_only_for_allowed_roles_and_every_reveal_logged(w, login):
    ID_NUMBER, FAMILY = w.worker_person.id_number, w.worker_person.family_notes
    assert ID_NUMBER and FAMILY
    url = f"/people/{w.worker_person.pk}/sensitive/"
    for who in ("admin", "committee_user", "secretary"):
        user = getattr(w, who)
        before = SensitiveAccess.objects.filter(user=user, person=w.worker_person).count()
        body = login(user).get(url, REMOTE_ADDR="10.3.3.3").content.decode()
        # 家庭情况 / 思想动态 are care-file contents: the secretary and the committee read them, an admin does not
        assert ID_NUMBER in body and (FAMILY in body) == (who != "admin"), who
        rows = SensitiveAccess.objects.filter(user=user, person=w.worker_person)
        assert rows.count() == before + 1
        row = rows.first()
        assert (
            set(row.fields.split(",")) >= {"id_number", "phone"}
            and ("family_notes" in row.fields) == (who != "admin")
            and row.via == "page"
        )
        assert row.ip == "10.3.3.3"
    # a second look is a second row
    login(w.secretary).get(url)
    assert SensitiveAccess.objects.filter(user=w.secretary, person=w.worker_person).count() == 2
    for who in ("safety", "branch_committee", "team_leader", "member", "other_secretary"):
        user = getattr(w, who)
        assert login(user).get(url).status_code == 404
        assert not SensitiveAccess.objects.filter(user=user).exists(), who


def test_worker_reveals_own_contact_data_but_not_notes_about_them(w, login):
    ID_NUMBER, FAMILY, THOUGHTS = (
        w.worker_person.id_number,
        w.worker_person.family_notes,
        w.worker_person.thoughts_notes,
    )
    assert ID_NUMBER and FAMILY and THOUGHTS
    body = login(w.worker).get(f"/people/{w.worker_person.pk}/sensitive/").content.decode()
    assert ID_NUMBER in body and FAMILY not in body and THOUGHTS not in body
    row = SensitiveAccess.objects.get(user=w.worker)
    assert "family_notes" not in row.fields and "thoughts_notes" not in row.fields


def test_pages_show_sensitive_values_masked(w, login):
    p = w.worker_person
    secrets = [p.id_number, p.phone, p.family_notes, p.thoughts_notes, p.address]
    assert all(secrets)
    for who in ("admin", "secretary", "safety", "team_leader"):
        c = login(getattr(w, who))
        for url in ("/people/", f"/people/{w.worker_person.pk}/"):
            body = c.get(url).content.decode()
            for value in secrets:
                assert value not in body, (who, url, value)
    assert not SensitiveAccess.objects.exists()


# ---------------------------------------------------------------- audit trail


def person_data(w, **overrides):
    data = {
        "emp_no": "777001",
        "name": "新来的",
        "gender": "M",
        "hire_date": "2023-03-01",
        "job_type": w.worker_person.job_type_id,
        "org": w.team.pk,
        "political_status": "masses",
        "work_status": "on_duty",
        "phone": "13912345678",
    }
    data.update(overrides)
    return data


def test_create_and_update_are_audited_with_actor_and_ip(w, login):
    c = login(w.secretary)
    r = c.post("/people/new/", person_data(w), REMOTE_ADDR="10.20.30.40")
    assert r.status_code == 302
    person = Person.objects.get(emp_no="777001")
    created = LogEntry.objects.get_for_object(person).get(action=LogEntry.Action.CREATE)
    assert created.actor == w.secretary and created.remote_addr == "10.20.30.40"
    assert "13912345678" not in str(created.changes)  # masked by auditlog

    c.post(f"/people/{person.pk}/edit/", person_data(w, post="支架工"), REMOTE_ADDR="10.20.30.41")
    updated = LogEntry.objects.get_for_object(person).get(action=LogEntry.Action.UPDATE)
    assert updated.actor == w.secretary and updated.remote_addr == "10.20.30.41"
    assert updated.changes_dict["post"] == ["", "支架工"]


def test_transfer_and_role_changes_are_audited(w, login):
    c = login(w.secretary)
    c.post(
        f"/people/{w.worker_person.pk}/transfer/",
        {"date": "2024-01-02", "to_job": w.worker_person.job_type_id, "to_org": w.team2.pk},
        REMOTE_ADDR="10.0.0.5",
    )
    w.worker_person.refresh_from_db()
    assert w.worker_person.org == w.team2
    assert LogEntry.objects.filter(
        content_type__model="transfer", action=LogEntry.Action.CREATE, actor=w.secretary, remote_addr="10.0.0.5"
    ).exists()
    login(w.admin).post(f"/manage/accounts/{w.worker.pk}/roles/", {"role": "member", "org": w.team.pk})
    assert LogEntry.objects.filter(
        content_type__model="roleassignment", action=LogEntry.Action.CREATE, actor=w.admin
    ).exists()


# ---------------------------------------------------------------- query counts


@pytest.fixture
def big(world):
    """30 nodes under the first mine's unit and 200 people spread over them."""
    teams = [world.team, world.team2]
    for i in range(28):
        parent = world.unit if i % 2 else world.other_unit
        parent.refresh_from_db()
        teams.append(parent.add_child(name=f"班组{i}", kind=OrgKind.TEAM))
    for i in range(200):
        PersonFactory(org=teams[i % len(teams)], name=f"职工{i}")
    return world


def test_roster_query_count_is_pinned(big, login, django_assert_max_num_queries):
    c = login(big.admin)
    with django_assert_max_num_queries(10):
        r = c.get("/people/")
    assert r.status_code == 200
    assert r.content.decode().count('href="/people/') >= 50  # a full page of rows was rendered
    with django_assert_max_num_queries(10):
        r = c.get("/people/", {"q": "职工1", "page": 2})
    assert r.status_code == 200


def test_tree_query_count_is_pinned(big, login, django_assert_max_num_queries):
    c = login(big.admin)
    with django_assert_max_num_queries(10):
        r = c.get("/orgs/")
    assert r.status_code == 200 and "综采一区" in r.content.decode()
    # four levels below the committee: branches, units and all 30 teams
    with django_assert_max_num_queries(10):
        r = c.get("/orgs/", {"root": big.committee.pk})
    body = r.content.decode()
    assert r.status_code == 200 and all(f"班组{i}<" in body or f"班组{i} " in body for i in range(28)), body
