"""Issue 14, findings 7 and 9: the lock is the person's, per client address first; the client address comes from
X-Forwarded-For only behind our proxy."""

import pytest
from django.test import override_settings

from orgs.models import SensitiveAccess

pytestmark = pytest.mark.django_db


def fail(client, login, ip, times=1):
    for _ in range(times):
        client.post("/accounts/login/", {"username": login, "password": "wrong-pass-1"}, REMOTE_ADDR=ip)


def can_log_in(client, login, ip):
    r = client.post("/accounts/login/", {"username": login, "password": "Hl-test-pass1"}, REMOTE_ADDR=ip)
    client.logout()
    return r.status_code == 302


def test_both_login_names_share_the_lock(world, client):
    person = world.worker_person
    world.worker.username = f"sc-{person.emp_no}"
    world.worker.save()
    fail(client, person.emp_no, "10.0.0.5", 5)
    assert not can_log_in(client, f"sc-{person.emp_no}", "10.0.0.5")
    assert not can_log_in(client, person.emp_no, "10.0.0.5")


def test_a_stranger_cannot_lock_the_worker_out_of_their_own_phone(world, client):
    login = world.worker_person.emp_no
    fail(client, login, "10.0.0.66", 5)
    assert not can_log_in(client, login, "10.0.0.66")  # the guessing address is locked
    assert can_log_in(client, login, "10.0.0.7")  # the worker's phone is not


def test_many_addresses_lock_the_person_everywhere(world, client):
    login = world.worker_person.emp_no
    for i in range(30):
        fail(client, login, f"10.1.0.{i + 1}")
    assert not can_log_in(client, login, "10.2.0.1")


def test_secretary_and_admin_see_who_is_locked_out(world, login, client):
    fail(client, world.worker_person.emp_no, "10.0.0.66", 5)
    for who in (world.secretary, world.admin):
        body = login(who).get("/manage/lockouts/").content.decode()
        assert "王小二" in body or world.worker.display_name() in body
        assert "10.0.0.66" in body and "部分地址锁定" in body
    body = login(world.other_secretary).get("/manage/lockouts/").content.decode()
    assert "10.0.0.66" not in body
    assert login(world.worker).get("/manage/lockouts/").status_code == 404


def test_client_address_only_from_our_proxy(world, login):
    from django.test import RequestFactory

    from common.client import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.3.3.3")
    with override_settings(TRUSTED_PROXY_HOPS=0):
        assert client_ip(request) == "127.0.0.1"
    with override_settings(TRUSTED_PROXY_HOPS=1):
        assert client_ip(request) == "10.3.3.3"  # what the client wrote itself (6.6.6.6) is not believed
    with override_settings(TRUSTED_PROXY_HOPS=1):
        c = login(world.secretary)
        c.get(f"/people/{world.worker_person.pk}/sensitive/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.4.4.4")
    ips = set(SensitiveAccess.objects.filter(user=world.secretary).values_list("ip", flat=True))
    assert ips == {"10.4.4.4"}
