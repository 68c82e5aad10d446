"""Account administration and the audit pages (foundation issue items 5 and 6)."""

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from orgs.models import Person, Role, RoleAssignment, SensitiveAccess, User
from orgs.tests.factories import PersonFactory, make_user

pytestmark = pytest.mark.django_db


def temp_password(response):
    match = re.search(r'id="temp-password">([^<]+)<', response.content.decode())
    assert match, "temporary password not shown"
    return match.group(1)


# ---------------------------------------------------------------- list and search


def test_admin_lists_accounts_of_own_mine_only(world, login):
    b_admin = make_user("admin-xz", "admin", world.mine_b, person=PersonFactory(org=world.team_b, name="墨川管理员"))
    body = login(world.admin).get("/manage/accounts/").content.decode()
    assert "worker-1" in body and "secretary-1" in body
    assert "admin-xz" not in body and "root" not in body
    body_b = login(b_admin).get("/manage/accounts/").content.decode()
    assert "admin-xz" in body_b and "worker-1" not in body_b


def test_search_by_emp_no_name_username_and_role(world, login):
    c = login(world.admin)
    by_emp = c.get("/manage/accounts/", {"q": world.worker_person.emp_no}).content.decode()
    assert "worker-1" in by_emp and "secretary-1" not in by_emp
    by_name = c.get("/manage/accounts/", {"q": "书记"}).content.decode()
    assert "secretary-1" in by_name and "worker-1" not in by_name
    by_username = c.get("/manage/accounts/", {"q": "safety"}).content.decode()
    assert "safety-sc" in by_username and "worker-1" not in by_username
    by_role = c.get("/manage/accounts/", {"role": "team_leader"}).content.decode()
    assert "tl-1" in by_role and "worker-1" not in by_role


def test_superuser_sees_every_account(world, login):
    body = login(world.superuser).get("/manage/accounts/?q=").content.decode()
    assert "root" in body and "secretary-2" in body


def test_account_list_query_count_does_not_grow(world, login, django_assert_max_num_queries):
    for i in range(40):
        p = PersonFactory(org=world.team2, name=f"员工{i}")
        u = make_user(f"u{i}", "worker", world.team2, person=p)
        RoleAssignment.objects.create(user=u, role=Role.MEMBER, org=world.team2)
    c = login(world.admin)
    with django_assert_max_num_queries(10):
        r = c.get("/manage/accounts/")
    assert r.status_code == 200 and "u39" in r.content.decode()


# ---------------------------------------------------------------- detail and actions


def test_detail_shows_role_assignments(world, login):
    body = login(world.admin).get(f"/manage/accounts/{world.secretary.pk}/").content.decode()
    assert "党支部书记" in body and "综采一区党支部" in body


def test_create_account_for_person_shows_password_once_and_it_works(world, login, client):
    person = PersonFactory(org=world.team2, name="新工人")
    c = login(world.admin)
    assert "新工人" in c.get("/manage/accounts/new/").content.decode()
    r = c.post(f"/manage/accounts/person/{person.pk}/")
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    password = temp_password(r)
    user = User.objects.get(person=person)
    assert user.must_change_password
    assert list(user.role_assignments.values_list("role", "org")) == [("worker", world.team2.pk)]
    # a second submit (double tap) creates nothing and leads to the existing account
    r2 = c.post(f"/manage/accounts/person/{person.pk}/")
    assert r2.status_code == 302 and r2["Location"] == f"/manage/accounts/{user.pk}/"
    assert User.objects.filter(person=person).count() == 1
    # the password is not visible on the account page afterwards
    assert password not in c.get(f"/manage/accounts/{user.pk}/").content.decode()
    c.logout()
    r = client.post("/accounts/login/", {"username": person.emp_no, "password": password})
    assert r.status_code == 302
    assert client.get("/").url == "/accounts/password/"


def test_cannot_create_account_for_person_outside_scope(world, login):
    assert login(world.admin).post(f"/manage/accounts/person/{world.far_away.pk}/").status_code == 404
    assert not User.objects.filter(person=world.far_away).exists()


def test_person_link_redirects_to_existing_account(world, login):
    r = login(world.admin).get(f"/manage/accounts/person/{world.worker_person.pk}/")
    assert r.status_code == 302 and r["Location"] == f"/manage/accounts/{world.worker.pk}/"


def test_reset_password_forces_change_and_is_audited(world, login):
    c = login(world.admin)
    r = c.post(f"/manage/accounts/{world.worker.pk}/reset/", REMOTE_ADDR="10.9.8.7")
    password = temp_password(r)
    world.worker.refresh_from_db()
    assert world.worker.check_password(password) and world.worker.must_change_password
    entry = LogEntry.objects.get_for_object(world.worker).filter(changes__has_key="password").get()
    assert entry.actor == world.admin and entry.remote_addr == "10.9.8.7"
    assert password not in str(entry.changes)


def test_reset_requires_post(world, login):
    assert login(world.admin).get(f"/manage/accounts/{world.worker.pk}/reset/").status_code == 405


def test_mine_admin_cannot_touch_superuser_even_with_a_role_in_the_mine(world, login):
    RoleAssignment.objects.create(user=world.superuser, role=Role.COMMITTEE, org=world.mine)
    c = login(world.admin)
    assert f'href="/manage/accounts/{world.superuser.pk}/"' not in c.get("/manage/accounts/").content.decode()
    assert c.post(f"/manage/accounts/{world.superuser.pk}/reset/").status_code == 404
    assert c.post(f"/manage/accounts/{world.superuser.pk}/active/", {"active": "0"}).status_code == 404
    world.superuser.refresh_from_db()
    assert world.superuser.is_active and world.superuser.check_password("Hl-test-pass1")


def test_account_spanning_two_mines_is_managed_from_above(world, login):
    """Admin of mine A must not reset the password of someone who is also admin of mine B."""
    b_admin = make_user("admin-xz", "admin", world.mine_b)
    RoleAssignment.objects.create(user=b_admin, role=Role.WORKER, org=world.team)
    c = login(world.admin)
    assert "admin-xz" not in c.get("/manage/accounts/").content.decode()
    assert c.get(f"/manage/accounts/{b_admin.pk}/").status_code == 404
    assert c.post(f"/manage/accounts/{b_admin.pk}/reset/").status_code == 404
    b_admin.refresh_from_db()
    assert b_admin.check_password("Hl-test-pass1")
    group_admin = make_user("admin-group", "admin", world.group)
    assert login(group_admin).get(f"/manage/accounts/{b_admin.pk}/").status_code == 200
    assert login(world.superuser).get(f"/manage/accounts/{b_admin.pk}/").status_code == 200


def test_disable_and_enable(world, login, client):
    c = login(world.admin)
    r = c.post(f"/manage/accounts/{world.worker.pk}/active/", {"active": "0"})
    assert r.status_code == 302
    world.worker.refresh_from_db()
    assert not world.worker.is_active
    c.post(f"/manage/accounts/{world.worker.pk}/active/", {"active": "1"})
    world.worker.refresh_from_db()
    assert world.worker.is_active


def test_cannot_disable_self(world, login):
    r = login(world.admin).post(f"/manage/accounts/{world.admin.pk}/active/", {"active": "0"})
    assert r.status_code == 409 and "不能停用自己的账号" in r.content.decode()
    world.admin.refresh_from_db()
    assert world.admin.is_active


def test_assign_and_revoke_role(world, login):
    c = login(world.admin)
    r = c.post(f"/manage/accounts/{world.worker.pk}/roles/", {"role": "team_leader", "org": world.team.pk})
    assert r.status_code == 302
    assignment = RoleAssignment.objects.get(user=world.worker, role="team_leader", org=world.team)
    # the new role widens what the worker sees
    assert Person.objects.visible_to(User.objects.get(pk=world.worker.pk)).filter(pk=world.member_person.pk).exists()
    r = c.post(f"/manage/accounts/{world.worker.pk}/roles/{assignment.pk}/revoke/")
    assert r.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_assign_role_outside_scope_is_a_field_error(world, login):
    c = login(world.admin)
    r = c.post(f"/manage/accounts/{world.worker.pk}/roles/", {"role": "secretary", "org": world.branch_b.pk})
    assert r.status_code == 200
    body = r.content.decode()
    assert "该组织不在您的管理范围内" in body
    # what the user chose is kept
    assert re.search(r'<option value="secretary" selected>', body)
    assert not RoleAssignment.objects.filter(user=world.worker, role="secretary").exists()


def test_assign_role_needs_role_and_org(world, login):
    body = login(world.admin).post(f"/manage/accounts/{world.worker.pk}/roles/", {}).content.decode()
    assert "请选择角色" in body and "请选择组织" in body


def test_revoke_role_of_other_mine_is_404(world, login):
    b_user = make_user("b-sec", "secretary", world.branch_b)
    a = b_user.role_assignments.get()
    assert login(world.admin).post(f"/manage/accounts/{b_user.pk}/roles/{a.pk}/revoke/").status_code == 404
    assert RoleAssignment.objects.filter(pk=a.pk).exists()


def test_revoke_another_users_assignment_through_wrong_url_is_404(world, login):
    a = world.secretary.role_assignments.get()
    r = login(world.admin).post(f"/manage/accounts/{world.worker.pk}/roles/{a.pk}/revoke/")
    assert r.status_code == 404
    assert RoleAssignment.objects.filter(pk=a.pk).exists()


def test_cannot_revoke_own_admin_role(world, login):
    a = world.admin.role_assignments.get()
    r = login(world.admin).post(f"/manage/accounts/{world.admin.pk}/roles/{a.pk}/revoke/")
    assert r.status_code == 409 and "不能撤销自己的管理员角色" in r.content.decode()


def test_locked_account_is_flagged_in_list(world, login, client):
    for _ in range(5):
        client.post("/accounts/login/", {"username": world.worker_person.emp_no, "password": "wrong-pass-1"})
    body = login(world.admin).get(f"/manage/accounts/{world.worker.pk}/").content.decode()
    assert "已锁定" in body and "重置密码并解锁" in body


# ---------------------------------------------------------------- audit log


def test_audit_log_shows_who_when_ip_and_masked_diff(world, login):
    c = login(world.secretary)
    world.worker_person.refresh_from_db()
    c.post(
        f"/people/{world.worker_person.pk}/edit/",
        {**_person_post(world.worker_person), "post": "支架工", "thoughts_notes": "近期家中老人住院情绪低落"},
        REMOTE_ADDR="10.1.2.3",
    )
    body = login(world.admin).get("/manage/audit/", {"object_text": "王小二"}).content.decode()
    assert "书记甲" in body and "10.1.2.3" in body
    assert "岗位" in body and "支架工" in body
    assert "思想动态" in body and "情绪低落" not in body and "******" in body


def _person_post(p):
    from orgs.services import person_as_data

    return {k: ("" if v is None else v) for k, v in person_as_data(p).items()}


def test_audit_search_by_actor_type_id_and_date(world, login):
    from django.contrib.contenttypes.models import ContentType

    c = login(world.secretary)
    world.worker_person.refresh_from_db()
    c.post(f"/people/{world.worker_person.pk}/edit/", {**_person_post(world.worker_person), "post": "支架工"})
    admin = login(world.admin)
    ct = ContentType.objects.get_for_model(Person).pk
    by_actor = admin.get("/manage/audit/", {"actor": "书记"}).content.decode()
    assert "支架工" in by_actor
    by_other_actor = admin.get("/manage/audit/", {"actor": "safety-sc"}).content.decode()
    assert "支架工" not in by_other_actor
    by_obj = admin.get("/manage/audit/", {"content_type": ct, "object_id": world.worker_person.pk}).content.decode()
    assert "支架工" in by_obj
    other_obj = admin.get("/manage/audit/", {"content_type": ct, "object_id": world.colleague.pk}).content.decode()
    assert "支架工" not in other_obj
    today = timezone.localdate()
    assert "支架工" in admin.get("/manage/audit/", {"date_from": today, "date_to": today}).content.decode()
    past = today - timedelta(days=3)
    assert "支架工" not in admin.get("/manage/audit/", {"date_from": past, "date_to": past}).content.decode()
    bad = admin.get("/manage/audit/", {"date_from": today, "date_to": past}).content.decode()
    assert "截止日期不能早于起始日期" in bad


def test_audit_log_scope_mine_admin_does_not_see_other_mine(world, login):
    b_admin = make_user("admin-xz", "admin", world.mine_b)
    world.far_away.post = "外矿岗位"
    world.far_away.save()  # written without a request: no actor
    world.worker_person.post = "本矿岗位"
    world.worker_person.save()
    body_a = login(world.admin).get("/manage/audit/").content.decode()
    assert "本矿岗位" in body_a and "外矿岗位" not in body_a
    body_b = login(b_admin).get("/manage/audit/").content.decode()
    assert "外矿岗位" in body_b and "本矿岗位" not in body_b
    body_root = login(world.superuser).get("/manage/audit/").content.decode()
    assert "外矿岗位" in body_root and "本矿岗位" in body_root


def test_audit_page_query_count_pinned(world, login, django_assert_max_num_queries):
    for i in range(60):
        PersonFactory(org=world.team2, name=f"工{i}")
    c = login(world.admin)
    with django_assert_max_num_queries(12):
        r = c.get("/manage/audit/")
    assert r.status_code == 200 and "共 " in r.content.decode()


# ---------------------------------------------------------------- sensitive-field views


def test_sensitive_log_lists_who_read_a_persons_file(world, login):
    login(world.secretary).get(f"/people/{world.worker_person.pk}/sensitive/", REMOTE_ADDR="10.0.0.9")
    login(world.committee_user).get(f"/people/{world.colleague.pk}/sensitive/")
    c = login(world.admin)
    body = c.get("/manage/audit/sensitive/", {"person_id": world.worker_person.pk}).content.decode()
    assert "书记甲" in body and "10.0.0.9" in body and "身份证号" in body
    assert "同事乙" not in body
    by_reader = c.get("/manage/audit/sensitive/", {"reader": "committee-sc"}).content.decode()
    assert "同事乙" in by_reader and "王小二" not in by_reader
    by_person_text = c.get("/manage/audit/sensitive/", {"person": "同事"}).content.decode()
    assert "committee-sc" in by_person_text and "书记甲" not in by_person_text


def test_sensitive_log_scope(world, login):
    b_admin = make_user("admin-xz", "admin", world.mine_b)
    SensitiveAccess.objects.create(user=world.superuser, person=world.worker_person, fields="phone", via="page")
    assert "王小二" not in login(b_admin).get("/manage/audit/sensitive/").content.decode()
    assert login(b_admin).get(f"/manage/audit/sensitive/?person_id={world.worker_person.pk}").status_code == 404
    assert "王小二" in login(world.admin).get("/manage/audit/sensitive/").content.decode()


def test_sensitive_log_query_count_pinned(world, login, django_assert_max_num_queries):
    people = [PersonFactory(org=world.team2, name=f"工{i}") for i in range(40)]
    SensitiveAccess.objects.bulk_create(
        [SensitiveAccess(user=world.secretary, person=p, fields="phone,address", via="page") for p in people]
    )
    c = login(world.admin)
    with django_assert_max_num_queries(10):
        r = c.get("/manage/audit/sensitive/")
    assert r.content.decode().count("手机、家庭住址") == 40


# ---------------------------------------------------------------- menu


def test_menu_entries_only_for_admins(world, login):
    assert "/manage/accounts/" in login(world.admin).get("/menu/").content.decode()
    assert "/manage/audit/" in login(world.admin).get("/menu/").content.decode()
    body = login(world.secretary).get("/menu/").content.decode()
    assert "/manage/accounts/" not in body and "/manage/audit/" not in body


def test_user_name_clash_on_create_is_a_message_not_a_crash(world, login):
    # an old account keeps its user name after its person record was deleted
    User.objects.create_user(username=f"SC-{world.colleague.emp_no}", password="x")
    r = login(world.admin).post(f"/manage/accounts/person/{world.colleague.pk}/", follow=True)
    assert r.status_code == 200 and "登录名已被其他账号占用" in r.content.decode()
    assert not User.objects.filter(person=world.colleague).exists()


def test_audit_page_names_care_rows_without_a_query_per_row(world, login, django_assert_max_num_queries):
    """A 帮教 row's change names its 登记 by the person on it: read with it, not once per row shown (N+1)."""
    from django.contrib.contenttypes.models import ContentType

    from care import services as care_services
    from care.models import Entry, HelpRecord

    care_services.ensure_defaults(world.mine)
    people = [PersonFactory(org=world.team, name=f"帮教对象{i}") for i in range(12)]
    entries = [
        Entry.objects.create(
            person=p, mine=world.mine, tier="B", entered_on=timezone.localdate(), eval_days=30,
            created_by=world.superuser,
        )
        for p in people
    ]  # fmt: skip
    ct = ContentType.objects.get_for_model(HelpRecord)

    def log(entry, n):
        LogEntry.objects.create(
            content_type=ct, object_pk=str(n), object_id=n, object_repr=f"帮教记录{n}", action=LogEntry.Action.CREATE,
            changes={"entry": ["None", str(entry.pk)]}, actor=world.superuser,
        )  # fmt: skip

    log(entries[0], 1)
    c = login(world.superuser)
    with django_assert_max_num_queries(14) as few:
        c.get("/manage/audit/", {"content_type": ct.pk})
    for n, entry in enumerate(entries[1:], start=2):
        log(entry, n)
    with django_assert_max_num_queries(len(few)) as many:
        body = c.get("/manage/audit/", {"content_type": ct.pk}).content.decode()
    assert all(f"帮教对象{i}(B)" in body for i in range(12)) and "共 12 条" in body
    assert len(many) <= len(few)  # no more with 12 rows than with one (the second request may reuse a cache)
