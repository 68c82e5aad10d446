"""在线答疑 and editing the bank by hand."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from training import services
from training.models import QaAnswer, QaQuestion, Question, QuestionStatus

pytestmark = pytest.mark.django_db


def _jpeg_with_gps():
    from PIL import Image

    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"
    Image.new("RGB", (30, 30), "blue").save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("q.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_ask_answer_accept_search_and_to_bank(world, bank, login):
    worker = login(world.worker)
    response = worker.post(
        "/training/qa/", {"text": "自救器打不开怎么办?", "photo": _jpeg_with_gps(), "point": bank["rescue"].pk}
    )
    question = QaQuestion.objects.get()
    assert response.status_code == 302
    photo = b"".join(worker.get(f"/training/qa/{question.pk}/photo/").streaming_content)
    assert b"SecretPhoneMaker" not in photo
    # the secretary has it in 待办 and answers
    secretary = login(world.secretary)
    assert "1 个问题待解答" in secretary.get("/").content.decode()
    secretary.post(f"/training/qa/{question.pk}/answer/", {"text": "先检查封条,按说明拉开扳手。"})
    assert "待解答" not in login(world.secretary).get("/").content.decode()
    answer = QaAnswer.objects.get()
    # a colleague of the mine finds it; only the asker accepts
    colleague = login(world.member)
    assert "自救器" in colleague.get("/training/qa/?q=封条").content.decode()
    assert colleague.post(f"/training/qa/{question.pk}/accept/", {"answer": answer.pk}).status_code == 404
    login(world.worker).post(f"/training/qa/{question.pk}/accept/", {"answer": answer.pk})
    question.refresh_from_db()
    assert question.accepted == answer
    # workers may not answer; another mine does not see it
    assert login(world.member).post(f"/training/qa/{question.pk}/answer/", {"text": "我也不知道"}).status_code == 404
    from orgs.tests.factories import make_user

    far = make_user("far-worker", "worker", world.team_b, person=world.far_away)
    assert login(far).get(f"/training/qa/{question.pk}/").status_code == 404
    # the committee turns the answer into a draft bank question
    committee = login(world.committee_user)
    response = committee.post(f"/training/qa/{question.pk}/answers/{answer.pk}/to-bank/", {"point": bank["rescue"].pk})
    draft = Question.objects.get(source="qa")
    assert response["Location"] == f"/training/bank/{draft.pk}/edit/"
    assert draft.status == QuestionStatus.DRAFT and draft.explanation == answer.text
    assert draft.pk not in {q for q, _ in services.eligible_questions(world.worker_person.job_type_id)}


def test_question_form_creates_and_versions(world, bank, login):
    client = login(world.committee_user)
    bad = client.post(
        "/training/bank/new/",
        {
            "code": "gas-0",
            "point": bank["gas"].pk,
            "type": "single",
            "stem": "",
            "options": "甲\n乙",
            "answer": "C",
            "explanation": "",
        },
    )
    body = bad.content.decode()
    assert bad.status_code == 422 and "已存在" in body and "题干必填" in body
    ok = client.post(
        "/training/bank/new/",
        {
            "code": "NEW-1",
            "point": bank["gas"].pk,
            "type": "multiple",
            "stem": "哪些是瓦斯来源?",
            "options": "煤层\n采空区\n水",
            "answer": "AB",
            "explanation": "煤层和采空区都会涌出瓦斯。",
            "difficulty": "2",
            "status": "active",
        },
    )
    created = Question.objects.get(code="NEW-1")
    assert ok.status_code == 302 and created.answer == ["A", "B"]
    daily = services.todays_question(world.worker)
    services.answer(world.worker, daily.pk, "B")
    edit = client.post(
        f"/training/bank/{daily.question.pk}/edit/",
        {
            "point": daily.point.pk,
            "type": "single",
            "stem": "改过的题干",
            "options": "甲\n乙\n丙",
            "answer": "B",
            "explanation": "新解析",
            "difficulty": "2",
            "status": "active",
        },
    )
    assert edit.status_code == 302
    assert Question.objects.get(code=daily.question.code, replaced_by__isnull=True).version == 2
    assert login(world.secretary).get("/training/bank/new/").status_code == 404


def test_committee_edits_the_knowledge_point_tree(world, bank, login):
    from training.models import KnowledgePoint

    client = login(world.committee_user)
    assert (
        client.post(
            "/training/points/", {"code": "gas-check", "name": "瓦斯检查", "parent": bank["gas"].pk, "high_risk": "on"}
        ).status_code
        == 302
    )
    child = KnowledgePoint.objects.get(code="gas-check")
    assert child.parent == bank["gas"] and child.high_risk
    cycle = client.post(f"/training/points/{bank['gas'].pk}/", {"name": "瓦斯", "parent": child.pk})
    assert cycle.status_code == 422 and "上级不能是它自己" in cycle.content.decode()
    page = client.get("/training/points/").content.decode()
    assert "\u3000瓦斯检查" in page
    assert login(world.secretary).get("/training/points/").status_code == 404


def test_question_of_the_day_is_the_same_in_another_process(world, bank):
    import subprocess
    import sys

    from training.scheduling import choose_question

    day = __import__("datetime").date(2026, 11, 25)
    here = choose_question([11, 12, 13, 14], {}, 42, day)
    code = "import datetime;from training.scheduling import choose_question;print(choose_question([11,12,13,14],{},42,datetime.date(2026,11,25)))"
    env = {**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "hongling.test_settings", "PYTHONHASHSEED": "123"}
    out = subprocess.run(
        [sys.executable, "-c", "import django;django.setup();" + code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert int(out.stdout.strip()) == here
