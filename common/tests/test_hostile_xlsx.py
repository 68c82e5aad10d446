"""Issue 14, findings 2 and 4: a tiny sheet that claims (or holds) a far-away row cannot stall a request or the
task worker; a long read is refused with a Chinese message; the confirm step reads the same bounded way."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from common.excel import Column, ExcelError, read_table
from common.models import ImportJob, ImportStatus
from common.tests.hostile import sparse_xlsx

COLUMNS = [Column("emp_no", "工号", required=True), Column("name", "姓名")]


def test_one_row_far_down_and_a_huge_declared_dimension_read_at_once():
    content = sparse_xlsx({1: ["工号", "姓名"], 1_000_000: ["100001", "张三"]})
    assert len(content) < 3000
    started = time.monotonic()
    rows = read_table(io.BytesIO(content), COLUMNS)
    assert time.monotonic() - started < 2
    assert rows == [(1_000_000, {"emp_no": "100001", "name": "张三"})]


def test_a_row_beyond_excel_is_refused_at_once():
    content = sparse_xlsx({1: ["工号", "姓名"], 20_000_000: ["100001", "张三"]})
    started = time.monotonic()
    with pytest.raises(ExcelError, match="超出了 Excel 的最大行数"):
        read_table(io.BytesIO(content), COLUMNS)
    assert time.monotonic() - started < 2


def test_too_many_real_rows_stop_the_read():
    rows = {1: ["工号", "姓名"], **{n: [str(n), "某"] for n in range(2, 40)}}
    with override_settings(HONGLING_IMPORT_MAX_ROWS=10), pytest.raises(ExcelError, match="数据超过 10 行"):
        read_table(io.BytesIO(sparse_xlsx(rows)), COLUMNS)


def test_a_read_past_the_time_budget_is_refused():
    content = sparse_xlsx({1: ["工号", "姓名"]}, filler_rows=5000)
    with override_settings(HONGLING_IMPORT_MAX_SECONDS=0), pytest.raises(ExcelError, match="读取超时"):
        read_table(io.BytesIO(content), COLUMNS)


@pytest.mark.django_db
def test_upload_of_a_hostile_sheet_answers_quickly_with_the_reason(world, login):
    from orgs.roster_excel import COLUMNS as ROSTER

    content = sparse_xlsx({1: [c.header for c in ROSTER], 2_000_000_000: ["100001", "张三"]})
    c = login(world.secretary)
    started = time.monotonic()
    c.post("/imports/roster/", {"file": SimpleUploadedFile("花名册.xlsx", content)})
    assert time.monotonic() - started < 3
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportStatus.FAILED and "超出了 Excel 的最大行数" in job.message
    body = c.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "超出了 Excel 的最大行数" in body


@pytest.mark.django_db
def test_errors_file_is_streamed_with_flat_memory(world, login):
    """An invalid file: the marked copy is built row by row into a temporary file and streamed from disk."""
    import openpyxl

    from common import imports

    rows = {1: ["工号", "姓名", *[f"备注{i}" for i in range(1, 9)]]}
    rows.update({n: [f"x{n}", "某", *["一些文字"] * 8] for n in range(2, 2002)})
    job = ImportJob.objects.create(
        kind="roster", user=world.secretary, original_name="大表.xlsx", stored_name="big-test.xlsx",
        status=ImportStatus.INVALID, error_count=2000,
        errors=[{"row": n, "column": "工号", "message": "工号应为数字"} for n in range(2, 1002)],
    )  # fmt: skip
    imports.stored_path(job).write_bytes(sparse_xlsx(rows, dimension="A1:XFD1048576"))
    response = login(world.secretary).get(f"/imports/jobs/{job.pk}/errors.xlsx")
    assert response.status_code == 200 and response.streaming and hasattr(response, "file_to_stream")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
    marked = list(sheet.iter_rows(min_row=1, max_row=3, values_only=True))
    assert marked[0][-1] == "错误说明" and "工号应为数字" in marked[1][-1]
    imports.stored_path(job).unlink()


@pytest.mark.django_db
def test_the_worker_and_the_confirm_step_read_the_same_bounded_way(world):
    """A large upload is checked by the task worker (run_check), a checked one read again on confirm (run_apply):
    both refuse the hostile sheet with the reason instead of reading 20 million rows."""
    from common import imports
    from orgs.roster_excel import COLUMNS as ROSTER

    hostile = sparse_xlsx({1: [c.header for c in ROSTER], 20_000_000: ["100001", "张三"]})
    job = ImportJob.objects.create(kind="roster", user=world.secretary, target=world.branch,
                                   original_name="大.xlsx", stored_name="worker-test.xlsx")  # fmt: skip
    imports.stored_path(job).write_bytes(hostile)
    started = time.monotonic()
    imports.run_check(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "超出了 Excel 的最大行数" in job.message
    ready = ImportJob.objects.create(kind="roster", user=world.secretary, target=world.branch, status=ImportStatus.APPLYING,
                                     original_name="大.xlsx", stored_name="apply-test.xlsx")  # fmt: skip
    imports.stored_path(ready).write_bytes(hostile)
    imports.run_apply(ready.pk)
    ready.refresh_from_db()
    assert ready.status == ImportStatus.FAILED and "超出了 Excel 的最大行数" in ready.message
    assert time.monotonic() - started < 5
