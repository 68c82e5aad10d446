"""Issue 14, finding 10: /healthz says whether the database answers, migrations are applied and the worker lives."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=False)

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def finished(seconds_ago):
    from django_tasks_db.models import DBTaskResult

    when = timezone.now() - timedelta(seconds=seconds_ago)
    return DBTaskResult.objects.create(
        status="SUCCESSFUL", task_path="common.imports.check_import_task", args_kwargs={"args": [], "kwargs": {}},
        backend_name="default", queue_name="default", run_after=when, started_at=when, finished_at=when,
    )  # fmt: skip


def test_healthy(client, settings):
    settings.TASKS = DB_TASKS
    finished(30)
    r = client.get("/healthz")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    body = r.json()
    assert body["status"] == "ok" and body["database"] is True and body["migrations"]["ok"] is True
    assert body["worker"]["ok"] is True


def test_a_silent_worker_fails_and_is_sent_a_heartbeat(client, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_TASKS
    finished(3600)
    r = client.get("/healthz")
    assert r.status_code == 503 and r.json()["worker"]["ok"] is False
    assert DBTaskResult.objects.filter(task_path="common.health.heartbeat", finished_at__isnull=True).count() == 1
    client.get("/healthz")  # one heartbeat waits at a time
    assert DBTaskResult.objects.filter(task_path="common.health.heartbeat").count() == 1


def test_unapplied_migrations_fail(client, settings):
    settings.TASKS = DB_TASKS
    finished(10)
    with mock.patch("common.health.pending_migrations", return_value=["orgs.0099_new"]):
        r = client.get("/healthz")
    assert r.status_code == 503 and r.json()["migrations"]["pending"] == ["orgs.0099_new"]


def test_database_down_fails(client):
    with mock.patch("common.health.database_ok", return_value=False):
        r = client.get("/healthz")
    assert r.status_code == 503 and r.json() == {"database": False, "status": "fail"}
