"""Issue 14, finding 1: an admin cannot read care files by granting itself 党委 or by resetting a 党委 password."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from orgs.models import ApiToken, GrantStatus, PendingRoleGrant, Role, RoleAssignment
from orgs.tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_admin_cannot_grant_itself_a_role(world, login):
    c = login(world.admin)
    r = c.post(f"/manage/accounts/{world.admin.pk}/roles/", {"role": "committee", "org": world.mine.pk})
    assert r.status_code == 409 and "不能给自己授予角色" in r.content.decode()
    assert not RoleAssignment.objects.filter(user=world.admin, role="committee").exists()
    assert not PendingRoleGrant.objects.filter(user=world.admin).exists()


def test_committee_grant_waits_for_a_second_committee_member(world, login, client):
    accomplice = make_user("helper", "worker", world.team)
    c = login(world.admin)
    r = c.post(f"/manage/accounts/{accomplice.pk}/roles/", {"role": "committee", "org": world.mine.pk}, follow=True)
    assert "须另一位党委成员确认后生效" in r.content.decode()
    assert not RoleAssignment.objects.filter(user=accomplice, role="committee").exists()
    grant = PendingRoleGrant.objects.get(user=accomplice)
    # the helper cannot read care contents yet
    c.force_login(accomplice)
    assert "care_read" not in str(Role.COMMITTEE)  # guard: the test is about scope, not names
    from orgs import scope

    assert not scope.can(accomplice, "care_read")
    # the committee is told at once: a 待办 on their home page
    home = login(world.committee_user).get("/").content.decode()
    assert "确认角色授予" in home and "helper" in login(world.committee_user).get("/manage/grants/").content.decode()
    # the admin cannot confirm their own request
    assert login(world.admin).post(f"/manage/grants/{grant.pk}/").status_code == 404
    r = login(world.committee_user).post(f"/manage/grants/{grant.pk}/", {"decision": "confirm"})
    assert r.status_code == 302
    grant.refresh_from_db()
    assert grant.status == GrantStatus.CONFIRMED and grant.decided_by == world.committee_user
    assert RoleAssignment.objects.filter(user=accomplice, role="committee", org=world.mine).exists()


def test_committee_of_another_mine_cannot_confirm(world, login):
    target = make_user("helper", "worker", world.team)
    other = make_user("committee-xz", "committee", world.mine_b)
    login(world.admin).post(f"/manage/accounts/{target.pk}/roles/", {"role": "secretary", "org": world.branch.pk})
    grant = PendingRoleGrant.objects.get(user=target)
    assert login(other).post(f"/manage/grants/{grant.pk}/").status_code == 404
    assert not RoleAssignment.objects.filter(user=target, role="secretary").exists()


def test_plain_roles_take_effect_at_once(world, login):
    login(world.admin).post(f"/manage/accounts/{world.worker.pk}/roles/", {"role": "team_leader", "org": world.team.pk})
    assert RoleAssignment.objects.filter(user=world.worker, role="team_leader").exists()


def test_operator_confirms_when_the_mine_has_one_committee_member(world):
    target = world.committee_user  # the only committee member asks for a second role: nobody else can confirm
    grant = PendingRoleGrant.objects.create(user=target, role="secretary", org=world.branch, requested_by=world.admin)
    with pytest.raises(CommandError):
        call_command("confirm_role_grant", grant.pk)  # no note
    call_command("confirm_role_grant", grant.pk, note="组织部王部长 2026-12-02 电话确认")
    assert RoleAssignment.objects.filter(user=target, role="secretary", org=world.branch).exists()
    other = PendingRoleGrant.objects.create(
        user=world.worker, role="committee", org=world.mine, requested_by=world.admin
    )
    with pytest.raises(CommandError, match="其他成员"):
        call_command("confirm_role_grant", other.pk, note="x")


def test_reset_revokes_tokens_blocks_api_and_tells_the_user(world, login, client):
    from orgs.token_services import create_token

    raw = create_token(world.committee_user, "脚本")
    raw = raw[0] if isinstance(raw, tuple) else raw
    raw = getattr(raw, "raw", raw)
    admin = login(world.admin)
    r = admin.post(f"/manage/accounts/{world.committee_user.pk}/reset/")
    code = re.search(r'id="temp-password">([^<]+)<', r.content.decode()).group(1)
    assert not ApiToken.objects.filter(user=world.committee_user, revoked=False).exists()
    admin.logout()
    # the admin logs in with the code: nothing but the password change opens, the API included
    r = client.post("/accounts/login/", {"username": "committee-sc", "password": code})
    assert r.status_code == 302
    assert client.get("/api/care/people/").status_code == 403
    assert client.get("/care/").status_code == 302
    page = client.get("/accounts/password/").content.decode()
    assert "由 admin-sc 重置" in page and "接口令牌已全部作废" in page


def test_only_committee_members_open_the_confirmation_page(world, login):
    assert login(world.worker).get("/manage/grants/").status_code == 404
    assert login(world.admin).get("/manage/grants/").status_code == 404
    assert login(world.committee_user).get("/manage/grants/").status_code == 200


def test_a_reset_of_a_committee_members_password_is_announced_to_the_committee(world, login):
    second = make_user("committee-2", "committee", world.mine)
    login(world.admin).post(f"/manage/accounts/{world.committee_user.pk}/reset/")
    home = login(second).get("/").content.decode()
    assert "committee-sc 的密码已由 admin-sc" in home
    # a worker's reset is nobody's business but theirs
    login(world.admin).post(f"/manage/accounts/{world.worker.pk}/reset/")
    assert "王小二 的密码" not in login(second).get("/").content.decode()
