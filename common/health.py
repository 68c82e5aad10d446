"""``/healthz`` for nginx and monitoring (SPEC §8): the database answers, every migration is applied, and the task
worker (``manage.py db_worker``) was seen recently. JSON; 200 when all is well, 503 otherwise.

The worker is "seen" when it finished any task within ``HONGLING_WORKER_STALE_SECONDS``. So that a quiet night still
shows a live worker, a check that finds no recent task queues one tiny ``heartbeat`` task (at most one waits at a
time); the next check sees it done — or, if the worker is down, still waiting.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django_tasks import task

HEARTBEAT_PATH = "common.health.heartbeat"


@task()
def heartbeat():
    return timezone.now().isoformat()


def database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def pending_migrations():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def uses_database_worker():
    return settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db.")


def worker_state(now=None):
    """``{"ok": bool, "last_seen": iso or None}``; queues a heartbeat when nothing finished lately."""
    if not uses_database_worker():
        return {"ok": True, "last_seen": None, "backend": settings.TASKS["default"]["BACKEND"]}
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    stale = timedelta(seconds=settings.HONGLING_WORKER_STALE_SECONDS)
    last = (
        DBTaskResult.objects.filter(finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    waiting = DBTaskResult.objects.filter(task_path=HEARTBEAT_PATH, finished_at__isnull=True).exists()
    if (last is None or now - last > timedelta(seconds=60)) and not waiting:
        heartbeat.enqueue()
    return {"ok": last is not None and now - last <= stale, "last_seen": last.isoformat() if last else None}


def healthz(request):
    body = {"database": database_ok()}
    if body["database"]:
        try:
            pending = pending_migrations()
            body["migrations"] = {"ok": not pending, "pending": pending[:20]}
            body["worker"] = worker_state()
        except Exception:
            body["migrations"] = {"ok": False, "pending": ["?"]}
            body["worker"] = {"ok": False, "last_seen": None}
    ok = body["database"] and body.get("migrations", {}).get("ok") and body.get("worker", {}).get("ok")
    body["status"] = "ok" if ok else "fail"
    response = JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response
