"""Files made in the background — ledger exports, reports — once for every module.

A module registers what it can make; the build runs in the task worker (django-tasks), never in the request::

    def build_ledger(job, params, progress):
        # job.user: whose scope the file is made in; params: the JSON the page passed to ``start``
        with generated.output(job, ".xlsx") as path:   # a file in the data directory, written in bounded memory
            for done, row in enumerate(rows, 1):
                ...
                progress(done, total)              # as often as you like: written at most every PROGRESS_SECONDS
        return "隐患台账-20261202.xlsx"              # the name the download gets

    generated.register("hazard_ledger", label="隐患台账", build=build_ledger)

    job = generated.start(request.user, kind="hazard_ledger", params={"status": "open"})
    return redirect("generated_file", job.pk)   # the progress page; it offers the download when done

A build may instead return ``(filename, bytes)`` for a small file. ``common.errors.DomainError`` raised by a build
is shown to the user as the reason; any other exception is logged and shown as an internal error.
The files are the user's own: another account gets 404. ``manage.py prune_generated`` removes files older than
``HONGLING_GENERATED_DAYS`` (default 7).
"""

import contextlib
import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from common.errors import DomainError, NotFound
from common.models import FileStatus, GeneratedFile

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 0.5  # the progress row is written at most this often


@dataclass(frozen=True)
class Kind:
    kind: str
    label: str
    build: object


_kinds = {}


def register(kind, *, label, build):
    _kinds[kind] = Kind(kind, label, build)
    return build


def kind_of(kind):
    try:
        return _kinds[kind]
    except KeyError:
        raise NotFound()


def storage_dir():
    path = Path(settings.DATA_DIR) / "generated"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(job):
    return storage_dir() / job.stored_name if job.stored_name else None


def files_of(user):
    """The files a user may see: their own."""
    if not user.is_authenticated:
        return GeneratedFile.objects.none()
    return GeneratedFile.objects.filter(user=user)


def get(user, pk):
    job = files_of(user).filter(pk=pk).first()
    if job is None:
        raise NotFound()
    return job


def start(user, *, kind, params=None, label=None):
    """Queue the file ``kind`` for ``user``; the worker makes it (at once under the tests' immediate backend)."""
    spec = kind_of(kind)
    job = GeneratedFile.objects.create(kind=kind, label=(label or spec.label)[:120], user=user, params=params or {})
    build_file_task.enqueue(job.pk)
    job.refresh_from_db()
    return job


# How a file moves, once: new status -> the statuses it may come from (a compare-and-set, so a second worker that
# picks the same job does nothing).
STEPS = {
    FileStatus.RUNNING: {FileStatus.QUEUED},
    FileStatus.DONE: {FileStatus.RUNNING},
    FileStatus.FAILED: {FileStatus.QUEUED, FileStatus.RUNNING},
}


def _move(job, status, **fields):
    if status in (FileStatus.DONE, FileStatus.FAILED):
        fields.setdefault("finished_at", timezone.now())
    moved = bool(GeneratedFile.objects.filter(pk=job.pk, status__in=STEPS[status]).update(status=status, **fields))
    if moved:
        job.status = status
        for name, value in fields.items():
            setattr(job, name, value)
    return moved


def _progress(job):
    last = [0.0]

    def report(done, total=None):
        now = time.monotonic()
        if now - last[0] < PROGRESS_SECONDS and (total is None or done < total):
            return
        last[0] = now
        fields = {"done": done} if total is None else {"done": done, "total": total}
        GeneratedFile.objects.filter(pk=job.pk).update(**fields)

    return report


@contextlib.contextmanager
def output(job, suffix):
    """A path to write the file to; it becomes the job's file when the block ends without an error."""
    name = f"{uuid.uuid4().hex}{suffix}"
    path = storage_dir() / name
    try:
        yield path
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    job.stored_name = name


def run(job_id):
    """Make one queued file (the task's body; also callable directly)."""
    job = GeneratedFile.objects.select_related("user").filter(pk=job_id).first()
    if job is None or not _move(job, FileStatus.RUNNING):
        return
    try:
        result = kind_of(job.kind).build(job, job.params, _progress(job))
        if isinstance(result, tuple):
            filename, content = result
            with output(job, Path(filename).suffix) as path:
                path.write_bytes(content)
        else:
            filename = result
        path = stored_path(job)
        if path is None or not path.exists():
            raise RuntimeError(f"build of {job.kind} made no file")
    except DomainError as exc:
        _fail(job, exc.message)
        return
    except Exception:
        logger.exception("generated file %s (%s) failed", job.pk, job.kind)
        _fail(job, "生成时发生内部错误,请稍后重试或联系管理员")
        return
    _move(job, FileStatus.DONE, filename=filename[:200], stored_name=job.stored_name, size=path.stat().st_size)


def _fail(job, message):
    path = stored_path(job)
    if path is not None:
        path.unlink(missing_ok=True)
    _move(job, FileStatus.FAILED, message=message[:300], stored_name="")


@task()
def build_file_task(job_id):
    run(job_id)


def open_download(user, pk):
    """(the job, an open binary file) for a finished file of the user's; NotFound otherwise or when pruned."""
    job = get(user, pk)
    path = stored_path(job)
    if job.status != FileStatus.DONE or path is None or not path.exists():
        raise NotFound("文件不存在或已过期,请重新生成")
    return job, path.open("rb")


def prune(days=None, now=None):
    """Remove files (and their rows) older than ``days`` (``HONGLING_GENERATED_DAYS``); returns how many."""
    days = settings.HONGLING_GENERATED_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timezone.timedelta(days=days)
    old = list(GeneratedFile.objects.filter(created_at__lt=cutoff))
    for job in old:
        path = stored_path(job)
        if path is not None:
            path.unlink(missing_ok=True)
    GeneratedFile.objects.filter(pk__in=[j.pk for j in old]).delete()
    return len(old)
