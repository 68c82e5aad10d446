"""One declaration per input (``training.forms``): the page and the API read a field by the same rules and answer
with the same Chinese message next to the field (page) or naming it (API's 422); the question-bank import reads each
row with the page's own question form, so a row is refused with the words the page uses."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from common.models import ImportJob, ImportStatus
from training.forms import CODE_MESSAGE
from training.models import ExamBlueprint, Lesson, QaQuestion, Question

pytestmark = pytest.mark.django_db


def test_a_too_short_question_is_refused_by_the_page_and_the_api_with_the_same_message(world, bank, login):
    c = login(world.worker)
    page = c.post("/training/qa/", {"text": "怎么办", "point": bank["rescue"].pk})
    assert page.status_code == 422
    html = page.content.decode()
    assert "请把问题写清楚(至少5个字)" in html and "怎么办" in html  # what was typed stays
    api = c.post("/api/training/qa", {"text": "怎么办"}, content_type="application/json")
    assert api.status_code == 422 and api.json()["errors"] == {"text": ["请把问题写清楚(至少5个字)"]}
    assert not QaQuestion.objects.exists()


def _exam(world, bank, **changes):
    now = timezone.localtime()
    data = {
        "title": "十二月安全考试",
        "org": world.branch.pk,
        "month": timezone.localdate().isoformat(),
        "time_limit": 30,
        "pass_mark": 60,
        "opens_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": now.strftime("%Y-%m-%dT%H:%M"),
    }
    return {**data, **changes}


def test_an_exam_closing_before_it_opens_names_the_field_on_the_page_and_in_the_api(world, bank, login):
    c = login(world.secretary)
    page = c.post("/training/exams/new/", {**_exam(world, bank), "rule-0-point": bank["gas"].pk, "rule-0-count": 2})
    assert page.status_code == 422
    html = page.content.decode()
    assert "截止时间须晚于开考时间" in html and "十二月安全考试" in html
    body = {**_exam(world, bank), "rules": [{"point": bank["gas"].pk, "count": 2}]}
    api = c.post("/api/training/exams", body, content_type="application/json")
    assert api.status_code == 422 and api.json()["errors"] == {"closes_at": ["截止时间须晚于开考时间"]}
    assert not ExamBlueprint.objects.exists()


def test_an_org_the_user_does_not_lead_is_a_field_error_not_a_leak(world, bank, login):
    c = login(world.secretary)
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    for org in (world.other_branch.pk, 987654321):  # out of reach, and no such org: the same words
        body = {**_exam(world, bank, org=org, closes_at=later), "rules": [{"point": bank["gas"].pk, "count": 2}]}
        api = c.post("/api/training/exams", body, content_type="application/json")
        assert api.status_code == 422 and api.json()["errors"] == {"org": ["请选择参考单位(您负责的矿或党支部)"]}
        page = c.post("/training/exams/new/", {**_exam(world, bank, org=org, closes_at=later), "rule-0-point":
                      bank["gas"].pk, "rule-0-count": 2})  # fmt: skip
        assert page.status_code == 422 and "请选择参考单位(您负责的矿或党支部)" in page.content.decode()
    assert not ExamBlueprint.objects.exists()


def test_a_long_lesson_clause_is_named_and_nothing_typed_is_lost(world, bank, login):
    questions = list(Question.objects.filter(code__in=["gas-0", "entry-0"]).values_list("pk", flat=True))
    page = login(world.secretary).post("/training/lessons/new/", {
        "kind": "lesson", "title": "瓦斯检查", "week": timezone.localdate().isoformat(), "org": world.branch.pk,
        "body": "瓦斯检查要点", "questions": questions, "clauses": "条" * 301,
    })  # fmt: skip
    assert page.status_code == 422
    html = page.content.decode()
    assert "相关条款最长300字" in html and "瓦斯检查要点" in html
    assert not Lesson.objects.exists()


def _question(**changes):
    data = {"code": "NEW-1", "type": "single", "stem": "瓦斯爆炸的浓度范围?", "options": "1%~5%\n5%~16%",
            "answer": "B", "explanation": "5%~16%。", "difficulty": "2", "status": "active"}  # fmt: skip
    return {**data, **changes}


def _import(client, book):
    buffer = io.BytesIO()
    book.save(buffer)
    client.post("/imports/bank/", {"file": SimpleUploadedFile("题库.xlsx", buffer.getvalue())})
    return ImportJob.objects.latest("pk")


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"stem": "题" * 2001}, "题干", "题干最长2000字"),
        ({"code": "新 题"}, "题号", CODE_MESSAGE),
        ({"clause": "条" * 201}, "依据条款", "依据条款最长200字"),
        ({"answer": "C"}, "答案", "答案须是选项字母 A、B"),
        ({"difficulty": "极难"}, "难度", "难度须为 易 / 中 / 难"),
    ],
)
def test_the_bank_import_refuses_a_row_the_question_page_refuses_with_the_same_words(
    world, bank, login, changes, column, message
):
    client = login(world.committee_user)
    page = client.post("/training/bank/new/", {**_question(**changes), "point": bank["gas"].pk})
    assert page.status_code == 422 and message in page.content.decode()

    row = _question(**changes)
    book = openpyxl.Workbook()
    book.active.append(["题号", "知识点", "题型", "题干", "选项A", "选项B", "答案", "解析", "依据条款", "难度"])
    options = row["options"].split("\n")
    book.active.append([row["code"], "瓦斯", "单选题", row["stem"], *options, row["answer"], row["explanation"],
                        row.get("clause", ""), row["difficulty"]])  # fmt: skip
    job = _import(client, book)
    assert job.status == ImportStatus.INVALID
    assert {"row": 2, "column": column, "message": message} in job.errors
    assert not Question.objects.filter(code=row["code"]).exists()


def test_a_row_the_form_accepts_is_imported_as_the_page_would_save_it(world, bank, login):
    client = login(world.committee_user)
    book = openpyxl.Workbook()
    book.active.append(["题号", "知识点", "题型", "题干", "选项A", "选项B", "答案", "解析", "难度", "状态"])
    book.active.append(["NEW-2", "gas", "单选", "  瓦斯来自哪里?  ", "煤层", "水", "a", "煤层涌出。", "难", "草稿"])
    job = _import(client, book)
    assert job.status == ImportStatus.READY, job.errors
    client.post(f"/imports/jobs/{job.pk}/confirm/")
    q = Question.objects.get(code="NEW-2")
    assert (q.stem, q.answer, q.difficulty, q.status, q.point) == ("瓦斯来自哪里?", ["A"], 3, "draft", bank["gas"])


def test_an_unanswered_check_question_is_named_by_the_page_and_the_api(world, bank, login):
    from training import lessons
    from training.models import LessonKind

    gas, entry = Question.objects.get(code="gas-0"), Question.objects.get(code="entry-0")
    lesson = lessons.save_lesson(world.secretary, kind=LessonKind.LESSON, title="瓦斯检查", week=timezone.localdate(),
                                 org=world.branch, body="要点", questions=[gas, entry])  # fmt: skip
    lessons.publish(world.secretary, lesson)
    c = login(world.worker)
    page = c.post(f"/training/lessons/{lesson.pk}/check/", {f"q{gas.pk}": "B"})
    assert page.status_code == 422 and "请选择答案" in page.content.decode()
    api = c.post(f"/api/training/lessons/{lesson.pk}/check", {"answers": {str(gas.pk): "B"}},
                 content_type="application/json")  # fmt: skip
    assert api.status_code == 422 and api.json()["errors"] == {f"q{entry.pk}": ["请选择答案"]}
    assert not lesson.completions.filter(passed_at__isnull=False).exists()


def test_a_code_given_twice_in_the_file_is_refused_on_the_second_row(world, bank):
    from training.bank_excel import check_rows

    row = {"code": "NEW-3", "point": "瓦斯", "type": "判断题", "stem": "瓦斯无色无味。", "answer": "正确",
           "explanation": "靠仪器检测。"}  # fmt: skip
    checked = check_rows([(2, row), (3, dict(row))])
    assert [(e.row, e.column, e.message) for e in checked.errors] == [(3, "题号", "与第 2 行的题号重复")]
    assert checked.plan is None
