"""题库 Excel: export, re-import unchanged, import new and changed questions, row errors, access."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.models import ImportJob, ImportStatus
from training import services
from training.models import Question

pytestmark = pytest.mark.django_db


def _rows(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return sheet


def _upload(client, book):
    buffer = io.BytesIO()
    book.save(buffer)
    client.post("/imports/bank/", {"file": SimpleUploadedFile("题库.xlsx", buffer.getvalue())})
    return ImportJob.objects.latest("pk")


def test_export_then_reimport_changes_nothing_and_edits_version_answered_questions(world, bank, login):
    client = login(world.committee_user)
    response = client.get("/training/bank/export.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["题号*", "知识点*", "题型*", "题干*"]
    assert sheet.max_row == 1 + Question.objects.count()
    job = _upload(client, book)
    assert job.status == ImportStatus.READY and job.summary == {"created": 0, "updated": 0, "unchanged": 15}

    daily = services.todays_question(world.worker)
    services.answer(world.worker, daily.pk, "B")
    code_col = header.index("题号*") + 1
    stem_col = header.index("题干*") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, code_col).value == daily.question.code:
            sheet.cell(row, stem_col).value = "修改后的题干"
    sheet.append(
        [
            "NEW-1",
            "瓦斯",
            "判断题",
            "瓦斯无色无味。",
            "",
            "",
            "",
            "",
            "",
            "",
            "正确",
            "所以要靠仪器检测。",
            "",
            "",
            "一通三防类",
            "是",
            "易",
            "",
        ]
    )
    job = _upload(client, book)
    assert job.summary == {"created": 1, "updated": 1, "unchanged": 14}
    client.post(f"/imports/jobs/{job.pk}/confirm/")
    new = Question.objects.get(code="NEW-1")
    assert new.answer == ["T"] and new.underground_only
    assert list(new.groups.values_list("name", flat=True)) == ["一通三防类"]
    newest = Question.objects.get(code=daily.question.code, replaced_by__isnull=True)
    assert newest.version == 2 and newest.stem == "修改后的题干"


def test_bad_rows_are_named(world, bank, login):
    client = login(world.committee_user)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["题号", "知识点", "题型", "题干", "选项A", "选项B", "答案", "解析"])
    sheet.append(["X-1", "不存在", "单选题", "题", "a", "b", "A", "解"])
    sheet.append(["X-2", "瓦斯", "单选题", "题", "a", "b", "C", "解"])
    sheet.append(["X-3", "瓦斯", "问答题", "题", "", "", "", "解"])
    job = _upload(client, book)
    assert job.status == ImportStatus.INVALID
    found = {(e["row"], e["column"]) for e in job.errors}
    assert {(2, "知识点"), (3, "答案"), (4, "题型")} <= found
    assert not Question.objects.filter(code__startswith="X-").exists()


def test_only_bank_managers_import_or_export(world, bank, login):
    for user in (world.secretary, world.worker):
        client = login(user)
        assert client.get("/training/bank/export.xlsx").status_code == 404
        assert client.get("/imports/bank/").status_code == 404


def test_a_file_without_the_group_column_keeps_the_questions_groups(world, bank, login):
    from training.models import JobGroup

    client = login(world.committee_user)
    question = Question.objects.current().order_by("code").first()
    question.groups.set([JobGroup.objects.get(code="management")])
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["题号", "知识点", "题型", "题干", "选项A", "选项B", "选项C", "答案", "解析"])
    sheet.append([question.code, question.point.name, "单选题", "改过的题干", "甲", "乙", "丙", "B", "解析"])
    job = _upload(client, book)
    assert job.status == ImportStatus.READY
    client.post(f"/imports/jobs/{job.pk}/confirm/")
    newest = Question.objects.get(code=question.code, replaced_by__isnull=True)
    assert newest.stem == "改过的题干"
    assert list(newest.groups.values_list("code", flat=True)) == ["management"]
    bad = openpyxl.Workbook()
    bad.active.append(["题号", "知识点", "题型", "题干", "选项A", "选项B", "答案", "解析", "适用工种组"])
    bad.active.append(["Z-1", question.point.name, "单选题", "题", "a", "b", "A", "解", "挖煤组"])
    assert _upload(client, bad).status != ImportStatus.READY
