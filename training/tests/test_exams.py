"""每月一考: blueprint, one shuffled paper per worker, server clock, autosave, grading, 补考, results, integrity."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from common import inputs
from common.errors import Conflict
from training import exams
from training.forms import BlueprintForm
from training.models import ExamBlueprint, ExamPaper, PaperKind, Question

pytestmark = pytest.mark.django_db


def key_letters(paper, n):
    """The right answer in the letters shown on this paper (what a worker who knows would tick)."""
    q = Question.objects.get(pk=paper.items[n]["q"])
    return exams._to_displayed(paper.items[n], q, q.answer)


def test_blueprint_validation_names_fields(world, bank):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        inputs.parse(
            BlueprintForm,
            {
                "title": "",
                "org": world.other_branch.pk,
                "time_limit": 0,
                "pass_mark": 80,
                "opens_at": "2026-11-02T08:00",
                "closes_at": "2026-11-01T08:00",
                "rules": [],
            },
            user=world.secretary,
        )
    errors = exc.value.message_dict
    assert {"title", "org", "time_limit", "closes_at", "rules", "month"} <= set(errors)


def test_each_worker_gets_an_own_shuffled_paper(world, blueprint):
    assert exams.generate(world.secretary, blueprint) == 4  # 书记甲, 王小二, 党员甲 (早班), 同事乙 (中班)
    papers = list(ExamPaper.objects.filter(blueprint=blueprint))
    assert all(len(p.items) == 5 for p in papers)
    orders = {tuple(i["q"] for i in p.items) for p in papers}
    options = {tuple(tuple(i["o"]) for i in p.items) for p in papers}
    assert len(orders) > 1 or len(options) > 1
    with pytest.raises(Conflict):
        exams.generate(world.secretary, blueprint)
    assert ExamPaper.objects.filter(blueprint=blueprint).count() == 4


def test_taking_the_exam_clock_autosave_and_grading(world, blueprint, login):
    exams.generate(world.secretary, blueprint)
    paper = ExamPaper.objects.get(blueprint=blueprint, person=world.worker_person)
    client = login(world.worker)
    page = client.get(f"/training/papers/{paper.pk}/").content.decode()
    assert "开始考试" in page
    client.post(f"/training/papers/{paper.pk}/start/")
    paper.refresh_from_db()
    deadline = paper.deadline
    assert deadline - paper.started_at == timedelta(minutes=30)
    client.post(f"/training/papers/{paper.pk}/start/")  # a reload or a second device does not reset the clock
    paper.refresh_from_db()
    assert paper.deadline == deadline
    page = client.get(f"/training/papers/{paper.pk}/").content.decode()
    for item in paper.items:  # no answer key, no explanation on the page before grading
        q = Question.objects.get(pk=item["q"])
        assert q.explanation not in page
    assert 'id="exam-clock"' in page and "正确答案" not in page
    for n in range(4):  # four right, one left empty
        saved = client.post(
            f"/training/papers/{paper.pk}/save/", {"index": n, f"a{n}": key_letters(paper, n)[0], "type": "single"}
        )
        assert saved.status_code == 200 and "已保存" in saved.content.decode()
    client.post(f"/training/papers/{paper.pk}/submit/")
    paper.refresh_from_db()
    assert paper.submitted_at and paper.score == 80 and paper.passed
    result = client.get(f"/training/papers/{paper.pk}/").content.decode()
    assert "80 分" in result and "解析" in result
    late = client.post(f"/training/papers/{paper.pk}/save/", {"index": 4, "a4": "A", "type": "single"})
    assert late.status_code == 409


def test_time_up_grades_what_was_saved_and_refuses_more(world, blueprint):
    exams.generate(world.secretary, blueprint)
    paper = ExamPaper.objects.get(blueprint=blueprint, person=world.worker_person)
    start = timezone.now()
    exams.start(world.worker, paper.pk, now=start)
    exams.save_answer(world.worker, paper.pk, 0, key_letters(paper, 0), now=start + timedelta(minutes=5))
    with pytest.raises(Conflict):
        exams.save_answer(world.worker, paper.pk, 1, "A", now=start + timedelta(minutes=31))
    paper.refresh_from_db()
    assert paper.auto_submitted and paper.score == 20 and paper.passed is False


def test_nobody_sees_or_touches_another_workers_paper(world, blueprint, login):
    exams.generate(world.secretary, blueprint)
    paper = ExamPaper.objects.get(blueprint=blueprint, person=world.worker_person)
    other = login(world.member)
    assert other.get(f"/training/papers/{paper.pk}/").status_code == 404
    assert other.post(f"/training/papers/{paper.pk}/start/").status_code == 404
    assert other.post(f"/training/papers/{paper.pk}/save/", {"index": 0, "a0": "A"}).status_code == 404
    assert login(world.secretary).get(f"/training/papers/{paper.pk}/").status_code == 404  # even the secretary
    assert login(world.other_secretary).get(f"/training/exams/{blueprint.pk}/").status_code == 404


def test_makeup_draws_from_the_failed_points_and_results_per_team(world, blueprint, login):
    exams.generate(world.secretary, blueprint)
    paper = ExamPaper.objects.get(blueprint=blueprint, person=world.worker_person)
    exams.start(world.worker, paper.pk)
    wrong_points = set()
    for n, item in enumerate(paper.items):
        q = Question.objects.get(pk=item["q"])
        if q.point.code == "gas":
            exams.save_answer(world.worker, paper.pk, n, "A" if key_letters(paper, n) != ["A"] else "C")
            wrong_points.add(q.point_id)
        else:
            exams.save_answer(world.worker, paper.pk, n, key_letters(paper, n))
    exams.submit_own(world.worker, paper.pk)
    paper.refresh_from_db()
    assert paper.score == 60 and paper.passed  # 3 of 5 with pass mark 60
    ExamBlueprint.objects.filter(pk=blueprint.pk).update(pass_mark=80)
    ExamPaper.objects.filter(pk=paper.pk).update(passed=False)
    assert exams.make_up(world.secretary, blueprint) == 1
    makeup = ExamPaper.objects.get(blueprint=blueprint, person=world.worker_person, kind=PaperKind.MAKEUP)
    assert {Question.objects.get(pk=i["q"]).point_id for i in makeup.items} == wrong_points
    assert exams.make_up(world.secretary, blueprint) == 0  # once
    page = login(world.secretary).get(f"/training/exams/{blueprint.pk}/").content.decode()
    row = re.search(r"<tr><td>早班</td>(.*?)</tr>", page).group(1)
    assert "<td>3</td><td>1</td><td>33%</td>" in row
    xlsx = login(world.secretary).get(f"/training/exams/{blueprint.pk}/results.xlsx")
    assert xlsx.status_code == 200


def test_closed_exam_counts_absent_workers(world, blueprint):
    exams.generate(world.secretary, blueprint)
    assert exams.close_expired(now=blueprint.closes_at + timedelta(minutes=1)) == 4
    assert (
        ExamPaper.objects.filter(blueprint=blueprint, submitted_at__isnull=False, started_at__isnull=True).count() == 4
    )


def test_exam_through_the_api_never_shows_the_key_before_grading(world, blueprint, client):
    exams.generate(world.secretary, blueprint)
    paper = ExamPaper.objects.get(blueprint=blueprint, person=world.worker_person)
    client.force_login(world.worker)
    data = client.get(f"/api/training/papers/{paper.pk}").json()
    assert data["items"] == []  # not started: no questions yet
    data = client.post(f"/api/training/papers/{paper.pk}/start").json()
    assert len(data["items"]) == 5 and data["remaining_seconds"] > 1700
    assert all(i["key"] is None and i["explanation"] is None for i in data["items"])
    response = client.post(
        f"/api/training/papers/{paper.pk}/answers",
        {"index": 0, "answer": key_letters(paper, 0)},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["items"][0]["saved"] == key_letters(paper, 0)
    done = client.post(f"/api/training/papers/{paper.pk}/submit").json()
    assert done["score"] == 20 and done["items"][0]["key"] is not None
    late = client.post(
        f"/api/training/papers/{paper.pk}/answers", {"index": 1, "answer": "A"}, content_type="application/json"
    )
    assert late.status_code == 409
    client.force_login(world.member)
    assert client.get(f"/api/training/papers/{paper.pk}").status_code == 404


def test_reexam_for_another_module_is_a_normal_timed_paper(world, bank, login):
    paper = exams.assign_reexam(
        world.worker_person, [bank["gas"].pk], "三违复考:未检查瓦斯", author=world.safety, count=3
    )
    assert paper.kind == PaperKind.REEXAM and len(paper.items) == 3
    assert {Question.objects.get(pk=i["q"]).point for i in paper.items} == {bank["gas"]}
    page = login(world.worker).get("/training/exams/").content.decode()
    assert "三违复考" in page and "补考" not in page  # a re-exam is not a 补考 of the monthly exam


def test_committee_runs_an_exam_and_reads_the_evaluation_through_the_api(world, bank, client):
    now = timezone.now()
    client.force_login(world.secretary)
    body = {"title": "API 月考", "org": world.branch.pk, "month": timezone.localdate().replace(day=1).isoformat(), "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=1)).isoformat(), "rules": [{"point": bank["gas"].pk, "count": 2}]}  # fmt: skip
    created = client.post("/api/training/exams", body, content_type="application/json")
    assert created.status_code == 201
    bid = created.json()["id"]
    generated = client.post(f"/api/training/exams/{bid}/generate").json()
    assert generated["generated"] and generated["papers"] == 4
    assert client.post(f"/api/training/exams/{bid}/generate").status_code == 409
    evaluation = client.get(f"/api/training/evaluation/{world.branch.pk}").json()
    assert {r["unit"] for r in evaluation["rows"]} == {"早班", "中班"}
    client.force_login(world.other_secretary)
    assert client.get(f"/api/training/exams/{bid}").status_code == 404
    assert client.get(f"/api/training/evaluation/{world.branch.pk}").status_code == 404


def test_the_clock_handing_the_paper_in_says_time_was_up(world, blueprint, login):
    exams.generate(world.secretary, blueprint)
    paper = ExamPaper.objects.get(blueprint=blueprint, person=world.worker_person)
    start = timezone.now() - timedelta(minutes=30)  # the time limit is 30 minutes: the clock reaches zero now
    exams.start(world.worker, paper.pk, now=start)
    client = login(world.worker)
    client.post(f"/training/papers/{paper.pk}/submit/")
    paper.refresh_from_db()
    assert paper.auto_submitted
    assert "时间到,自动交卷" in client.get(f"/training/papers/{paper.pk}/").content.decode()


def test_handing_in_early_is_the_workers_own(world, blueprint, login):
    exams.generate(world.secretary, blueprint)
    paper = ExamPaper.objects.get(blueprint=blueprint, person=world.worker_person)
    exams.start(world.worker, paper.pk)
    login(world.worker).post(f"/training/papers/{paper.pk}/submit/")
    paper.refresh_from_db()
    assert paper.submitted_at and not paper.auto_submitted
