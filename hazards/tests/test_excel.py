"""Import of hazards from another system, keyed by 外部编号: valid, bad rows, re-import updates without duplicates."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.models import ImportJob, ImportStatus
from hazards.excel import COLUMNS
from hazards.models import Hazard, HazardStatus
from hazards.tests.test_loop import site  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _file(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    headers = [c.header for c in COLUMNS]
    sheet.append(headers)
    for r in rows:
        sheet.append([r.get(h, "") for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def excel_row(ext, **extra):
    row = {
        "外部编号": ext,
        "排查日期": "2026-10-08",
        "地点": "1302工作面",
        "专业": "顶板",
        "等级": "B",
        "隐患描述": "锚杆托盘松动",
    }
    row.update(extra)
    return row


def import_sheet(client, rows):
    client.post("/imports/hazards/", {"file": SimpleUploadedFile("台账.xlsx", _file(rows))})
    job = ImportJob.objects.latest("pk")
    if job.status == ImportStatus.READY:
        client.post(f"/imports/jobs/{job.pk}/confirm/")
        job.refresh_from_db()
    return job


def test_import_then_reimport_updates_by_external_id(site, login):
    w = site
    client = login(w.safety)
    job = import_sheet(
        client,
        [excel_row("YH-1"), excel_row("YH-2", 状态="已销号", 销号日期="2026-10-10", 发现人工号=w.member_person.emp_no)],
    )
    assert job.status == ImportStatus.DONE and job.summary["created"] == 2
    second = Hazard.objects.get(external_id="YH-2")
    assert second.status == HazardStatus.CLOSED and second.finder_is_party_member
    job = import_sheet(
        client,
        [
            excel_row("YH-1", 状态="整改中", 整改期限="2026-10-15"),
            excel_row("YH-2", 状态="已销号", 销号日期="2026-10-10", 发现人工号=w.member_person.emp_no),
        ],
    )
    assert job.summary == {"created": 0, "updated": 1}
    assert Hazard.objects.filter(external_id="YH-1").count() == 1
    assert Hazard.objects.get(external_id="YH-1").status == HazardStatus.RECTIFYING


def test_bad_rows_are_named_and_nothing_written(site, login):
    job = import_sheet(
        login(site.safety),
        [
            excel_row("YH-1", 地点="不存在的地点"),
            excel_row("YH-2", 排查日期="2026-10-08", 整改期限="2026-10-01"),
            excel_row("YH-3", 状态="已销号"),
        ],
    )
    assert job.status == ImportStatus.INVALID
    found = {(e["row"], e["column"]) for e in job.errors}
    assert {(2, "地点"), (3, "整改期限"), (4, "销号日期")} <= found
    assert not Hazard.objects.exists()


def test_only_safety_and_admins_import(site, login):
    assert login(site.secretary).get("/imports/hazards/").status_code == 404
    assert login(site.worker).get("/imports/hazards/").status_code == 404
