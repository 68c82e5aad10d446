"""每周一课一案: a secretary writes and publishes, workers read and pass the check questions, completion counts."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from training.models import Lesson, LessonCompletion, Question

pytestmark = pytest.mark.django_db


def _post_lesson(client, world, **extra):
    questions = list(Question.objects.filter(code__in=["gas-0", "entry-0"]).values_list("pk", flat=True))
    data = {
        "kind": "lesson",
        "title": "瓦斯检查",
        "week": timezone.localdate().isoformat(),
        "org": world.branch.pk,
        "body": "瓦斯检查要点……",
        "questions": questions,
    }
    data.update(extra)
    return client.post("/training/lessons/new/", data)


def test_secretary_publishes_and_workers_pass_the_checks(world, bank, login):
    secretary = login(world.secretary)
    response = _post_lesson(secretary, world)
    lesson = Lesson.objects.get()
    assert response.status_code == 302 and lesson.published_at is None
    # a draft reaches nobody
    assert "瓦斯检查" not in login(world.worker).get("/").content.decode()
    assert login(world.worker).get(f"/training/lessons/{lesson.pk}/").status_code == 404
    login(world.secretary).post(f"/training/lessons/{lesson.pk}/publish/")
    lesson.refresh_from_db()
    assert lesson.published_at is not None

    worker = login(world.worker)
    assert "本周一课:瓦斯检查" in worker.get("/").content.decode()
    page = worker.get(f"/training/lessons/{lesson.pk}/").content.decode()
    assert "瓦斯检查要点" in page and "gas解析" not in page.lower()
    completion = LessonCompletion.objects.get(person=world.worker_person)
    assert completion.read_at is not None and completion.passed_at is None
    ids = {q.code: q.pk for q in lesson.questions.all()}
    wrong = worker.post(f"/training/lessons/{lesson.pk}/check/", {f"q{ids['gas-0']}": "A", f"q{ids['entry-0']}": "B"})
    assert "答错了" in wrong.content.decode() and "瓦斯解析0" in wrong.content.decode()
    right = worker.post(f"/training/lessons/{lesson.pk}/check/", {f"q{ids['gas-0']}": "B", f"q{ids['entry-0']}": "B"})
    assert 'id="lesson-passed"' in right.content.decode()
    completion.refresh_from_db()
    assert completion.attempts == 2 and completion.passed_at
    assert "本周一课:瓦斯检查" not in worker.get("/").content.decode()

    detail = login(world.secretary).get(f"/training/lessons/{lesson.pk}/").content.decode()
    table = detail.split('id="completion"')[1]
    assert "<td>早班</td><td>3</td><td>2</td><td>1</td><td>33%</td>" in table.replace("\n", "")
    assert "<td>中班</td><td>1</td><td>0</td><td>0</td><td>0%</td>" in table.replace("\n", "")


def test_lesson_reaches_only_its_branch(world, bank, login):
    _post_lesson(login(world.secretary), world)
    lesson = Lesson.objects.get()
    login(world.secretary).post(f"/training/lessons/{lesson.pk}/publish/")
    assert login(world.other_secretary).get(f"/training/lessons/{lesson.pk}/").status_code == 404
    assert login(world.other_secretary).post(f"/training/lessons/{lesson.pk}/publish/").status_code == 404


def test_form_errors_are_named_and_nothing_typed_is_lost(world, bank, login):
    client = login(world.secretary)
    one = Question.objects.get(code="gas-0").pk
    response = _post_lesson(client, world, kind="case", questions=[one], title="冒顶事故")
    body = response.content.decode()
    assert response.status_code == 422
    assert "请选 2–5 道检查题" in body and "事故经过必填" in body and 'value="冒顶事故"' in body
    assert not Lesson.objects.exists()
    assert _post_lesson(client, world, org=world.other_branch.pk).status_code == 422  # not theirs


def test_attachments_are_checked_and_images_reencoded(world, bank, login):
    from PIL import Image

    client = login(world.secretary)
    svg = SimpleUploadedFile(
        "x.svg",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        content_type="image/svg+xml",
    )
    assert _post_lesson(client, world, attachment=svg).status_code == 422
    buffer = io.BytesIO()
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    image.save(buffer, "JPEG", exif=exif)
    photo = SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")
    assert _post_lesson(client, world, attachment=photo).status_code == 302
    lesson = Lesson.objects.get()
    served = client.get(f"/training/lessons/{lesson.pk}/file/")
    content = b"".join(served.streaming_content)
    assert served["Content-Type"] == "image/jpeg" and b"Phone maker" not in content


def test_workers_cannot_write_lessons(world, bank, login):
    assert login(world.worker).get("/training/lessons/new/").status_code == 404
    assert login(world.worker).get("/training/lessons/").status_code == 200
