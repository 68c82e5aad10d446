"""The Excel import every module uses: upload → check every row (with progress) → preview → confirm → write.

Nothing is written unless every row of the file is valid; the write happens in one transaction, after the rows
are checked again against the data as it is then. A module defines an ``Importer`` and registers it:

    class HazardImporter(Importer):
        kind = "hazards"; title = "隐患台账"; columns = [...]; back_url_name = "hazard_list"
        def targets(self, user): ...            # org nodes the user may import into ([] = may not import)
        def check(self, job, rows, progress):  # -> Checked(errors=[RowError...], plan=..., counts={...})
        def apply(self, job, plan):           # writes the plan, returns {"created": n, "updated": m, ...}

    register(HazardImporter())

Pages: /imports/<kind>/ (upload + template), /imports/jobs/<id>/ (progress, preview, errors, confirm).
Small files are checked in the request; larger ones by the background worker (django-tasks), the page polls.
"""

import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from common.errors import Conflict, NotFound
from common.excel import ExcelError, check_upload, read_table
from common.models import ImportJob, ImportStatus

MAX_STORED_ERRORS = 2000
INLINE_BYTES = 120 * 1024  # files up to this size (≈ 1,500 rows) are checked while the user waits
PROGRESS_EVERY = 250

_importers = {}
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Checked:
    errors: list
    plan: object = None
    counts: dict = field(default_factory=dict)


def external_id(raw, number, seen, err, longest=60):
    """The row's 外部编号 (the other system's own number, by which re-imports update): required, at most ``longest``
    characters, once per file. ``seen`` maps the numbers met so far to their rows; ``err(key, message)`` records a
    problem of the row. Returns the number, or "" when it is not usable."""
    ext = str(raw.get("external_id", "") or "").strip()
    if not ext:
        err("external_id", "必填")
    elif len(ext) > longest:
        err("external_id", f"不能超过{longest}个字符")
    elif ext in seen:
        err("external_id", f"与第 {seen[ext]} 行重复")
    else:
        seen[ext] = number
        return ext
    return ""


class Importer:
    kind = ""
    title = ""
    columns = ()
    instructions = ()
    example_rows = ()
    back_url_name = "home"

    def targets(self, user):
        return []

    def check(self, job, rows, progress):
        raise NotImplementedError

    def apply(self, job, plan):
        raise NotImplementedError


def register(importer):
    _importers[importer.kind] = importer
    return importer


def importer_kinds():
    return sorted(_importers)


def get_importer(kind):
    try:
        return _importers[kind]
    except KeyError:
        raise NotFound()


def import_dir():
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(job):
    return import_dir() / job.stored_name


def has_error_file(job):
    """The annotated original can be offered only while the uploaded file is still kept."""
    return job.status == ImportStatus.INVALID and bool(job.stored_name) and stored_path(job).exists()


def jobs_of(user):
    """Import jobs a user may see: their own."""
    if not user.is_authenticated:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(user=user)


def get_job(user, pk):
    job = jobs_of(user).filter(pk=pk).first()
    if job is None:
        raise NotFound()
    return job


def target_choices(importer, user):
    targets = list(importer.targets(user))
    if not targets:
        raise NotFound()
    return targets


def start_import(user, kind, upload, target=None, name=None):
    """Store the upload and check it: here for small files, in the background for larger ones."""
    importer = get_importer(kind)
    targets = target_choices(importer, user)
    if target is None:
        target = targets[0]
    elif target.pk not in {t.pk for t in targets}:
        raise NotFound()
    check_upload(upload)  # ExcelError: told to the user at once, nothing stored
    stored = f"{uuid.uuid4().hex}.xlsx"
    size = 0
    with open(import_dir() / stored, "wb") as out:
        chunks = upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b"")
        for chunk in chunks:
            size += len(chunk)
            out.write(chunk)
    job = ImportJob.objects.create(
        kind=kind,
        user=user,
        target=target,
        original_name=(name or getattr(upload, "name", "") or "upload.xlsx")[:200],
        stored_name=stored,
    )
    if size <= INLINE_BYTES:
        run_check(job.pk)
    else:
        check_import_task.enqueue(job.pk)
    job.refresh_from_db()
    return job


def _read(job, importer):
    return read_table(stored_path(job), importer.columns)


def _progress(job):
    def report(done):
        if done % PROGRESS_EVERY == 0 or done == job.total:
            ImportJob.objects.filter(pk=job.pk).update(processed=done)

    return report


J = ImportStatus
# How a job moves, once: new status -> the statuses it may come from. Every change of status goes through
# ``_move`` (a compare-and-set on the status, so a double click or a second worker cannot move it twice).
JOB_STEPS = {
    J.CHECKING: {J.QUEUED},
    J.READY: {J.CHECKING},
    J.INVALID: {J.CHECKING, J.APPLYING},
    J.APPLYING: {J.READY},
    J.DONE: {J.APPLYING},
    J.FAILED: {J.QUEUED, J.CHECKING, J.APPLYING},
    J.CANCELLED: {J.READY, J.INVALID},
}
ENDED = {J.READY, J.INVALID, J.DONE, J.FAILED, J.CANCELLED}  # a step into these stamps finished_at


def _move(job, status, user=None, **fields):
    """Move ``job`` to ``status`` as the table allows; False when it is no longer in a state it may come from."""
    jobs = ImportJob.objects.filter(pk=job.pk, status__in=JOB_STEPS[status])
    if user is not None:
        jobs = jobs.filter(user=user)
    if status in ENDED:
        fields.setdefault("finished_at", timezone.now())
    moved = bool(jobs.update(status=status, **fields))
    if moved:
        job.status = status
    return moved


def _finish(job, status, **fields):
    _move(job, status, **fields)
    if status in (J.DONE, J.FAILED, J.CANCELLED):
        stored_path(job).unlink(missing_ok=True)


def _record_errors(job, checked):
    errors = sorted(checked.errors, key=lambda e: (e.row, e.column))
    _finish(
        job,
        ImportStatus.INVALID,
        error_count=len(errors),
        errors=[e.as_dict() for e in errors[:MAX_STORED_ERRORS]],
        summary=checked.counts,
        processed=job.total,
    )


def run_check(job_id):
    """Read and check every row; the job ends INVALID (errors listed) or READY (counts of what would change)."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportStatus.QUEUED:
        return
    importer = get_importer(job.kind)
    _move(job, ImportStatus.CHECKING)
    try:
        rows = _read(job, importer)
        job.total = len(rows)
        ImportJob.objects.filter(pk=job.pk).update(total=job.total)
        if not rows:
            raise ExcelError("文件中没有数据行")
        checked = importer.check(job, rows, _progress(job))
    except ExcelError as exc:
        _finish(job, ImportStatus.FAILED, message=exc.message)
        return
    except Exception:
        logger.exception("import %s: check failed", job.pk)
        _finish(job, ImportStatus.FAILED, message="校验时发生内部错误,文件未导入;请联系管理员")
        return
    if checked.errors:
        _record_errors(job, checked)
    else:
        _move(job, ImportStatus.READY, summary=checked.counts, processed=job.total)


def confirm(user, job):
    """The user confirms a checked file: it is written (in the background for large files)."""
    if not _move(job, ImportStatus.APPLYING, user=user, processed=0):
        raise Conflict("该导入已确认或已失效,请勿重复提交")
    if stored_path(job).stat().st_size <= INLINE_BYTES:
        run_apply(job.pk)
    else:
        apply_import_task.enqueue(job.pk)
    job.refresh_from_db()
    return job


def cancel(user, job):
    if not _move(job, ImportStatus.CANCELLED, user=user):
        raise Conflict("该导入正在进行或已结束,不能取消")
    stored_path(job).unlink(missing_ok=True)


def run_apply(job_id):
    """Check the rows again against today's data, then write all of them in one transaction or none."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportStatus.APPLYING:
        return
    importer = get_importer(job.kind)
    try:
        rows = _read(job, importer)
        job.total = len(rows)
        checked = importer.check(job, rows, _progress(job))
        if checked.errors:
            _record_errors(job, checked)
            return
        with transaction.atomic():
            summary = importer.apply(job, checked.plan)
    except ExcelError as exc:
        _finish(job, ImportStatus.FAILED, message=exc.message)
        return
    except Exception:
        logger.exception("import %s: apply failed", job.pk)
        _finish(job, ImportStatus.FAILED, message="写入时发生内部错误,没有任何数据被导入;请联系管理员")
        return
    _finish(job, ImportStatus.DONE, summary=summary, processed=job.total)


@task()
def check_import_task(job_id):
    run_check(job_id)


@task()
def apply_import_task(job_id):
    run_apply(job_id)


GAP_KEPT = 1000  # up to this many blank rows in a row are kept, so row numbers line up with the messages


def annotated_errors(job):
    """The user's own file with the bad cells marked red and a 错误说明 column: fix it there and upload again.

    Returns an open temporary file (already unlinked) to stream: the original is read row by row through the
    same bounded reader as the check (``real_rows``), the copy written by a write-only workbook, so memory stays
    flat whatever the size of the file. Values are copied, not formatting."""
    import tempfile

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    from common.excel import _safe_value as safe_value
    from common.excel import open_sheet, read_deadline, real_rows

    importer = get_importer(job.kind)
    path = stored_path(job)
    if job.status != ImportStatus.INVALID or not path.exists():
        raise NotFound("原文件已不存在,请重新上传")
    headers = {c.header: c for c in importer.columns}
    by_row = {}
    for error in job.errors:
        by_row.setdefault(error["row"], []).append(error)
    red = PatternFill("solid", fgColor="F8D7DA")
    source_book, source = open_sheet(str(path))
    out_book = Workbook(write_only=True)
    out = out_book.create_sheet(source.title[:31] or "Sheet1")
    written, columns, note_col = 0, {}, None
    try:
        for number, values in real_rows(source, deadline=read_deadline()):
            if number - written - 1 > GAP_KEPT:
                written = number - 1  # a long run of blank rows is not copied
            while written < number - 1:
                out.append([])
                written += 1
            if note_col is None and number <= 10:
                found = {str(v or "").strip().replace("*", ""): i for i, v in enumerate(values)}
                found = {k: i for k, i in found.items() if k in headers}
                if found:
                    columns = found
                    note_col = max(len(values), len(importer.columns))
                    head = WriteOnlyCell(out, value="错误说明")
                    head.font = Font(bold=True, color="B02A37")
                    values = [safe_value(v) for v in values] + [None] * (note_col - len(values))
                    out.append([*values, head])
                    written = number
                    continue
            cells = [WriteOnlyCell(out, value=safe_value(v)) for v in values]
            errors = by_row.get(number, [])
            for error in errors:
                index = columns.get(error["column"])
                if index is not None:
                    while len(cells) <= index:
                        cells.append(WriteOnlyCell(out, value=None))
                    cells[index].fill = red
                    cells[index].comment = Comment(error["message"], "红领")
            if errors and note_col is not None:
                while len(cells) < note_col:
                    cells.append(WriteOnlyCell(out, value=None))
                cells.append(WriteOnlyCell(out, value=";".join(f"{e['column']}:{e['message']}" for e in errors)))
            out.append(cells)
            written = number
    finally:
        source_book.close()
    handle = tempfile.TemporaryFile(dir=import_dir())
    out_book.save(handle)
    handle.seek(0)
    return handle
