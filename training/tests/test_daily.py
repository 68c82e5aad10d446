"""每日一题: the bank, the choice (FSRS), answering once, mastery, the branch's view, scope and the API."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from orgs.tests.factories import PersonFactory, make_user
from training import services
from training.bank import load_starter_bank, save_question, validate_question
from training.models import Card, DailyQuestion, KnowledgePoint, Question, QuestionStatus

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def at(day, hour=8):
    return datetime.combine(day, time(hour), tzinfo=TZ)


def test_starter_bank_is_big_enough_explained_and_reloads_idempotently(db):
    counts = load_starter_bank()
    assert counts["created"] >= 300
    assert KnowledgePoint.objects.count() >= 15
    assert not Question.objects.filter(explanation="").exists()
    names = set(KnowledgePoint.objects.values_list("name", flat=True))
    assert {"瓦斯", "通风", "顶板", "防治水", "防灭火", "煤尘", "机电", "爆破", "事故案例"} <= names
    again = load_starter_bank()
    assert again["created"] == 0 and again["versioned"] == 0 and again["unchanged"] == counts["created"]


def test_question_of_the_day_is_stable_and_never_carries_the_answer(world, bank, login):
    client = login(world.worker)
    first = services.todays_question(world.worker)
    assert services.todays_question(world.worker).pk == first.pk
    assert DailyQuestion.objects.filter(person=world.worker_person).count() == 1
    page = client.get("/training/").content.decode()
    assert first.question.stem in page
    assert first.question.explanation not in page and "正确答案" not in page
    data = client.get("/api/training/daily").json()
    assert data["id"] == first.pk and data["answer"] is None and data["explanation"] is None


def test_answer_shows_result_and_explanation_and_counts_once(world, bank, login):
    client = login(world.worker)
    daily = services.todays_question(world.worker)
    response = client.post(f"/training/daily/{daily.pk}/answer/", {"type": "single", "answer": "B"})
    assert response.status_code == 302
    page = client.get("/training/").content.decode()
    assert "答对了" in page and daily.question.explanation in page
    again = client.post(f"/api/training/daily/{daily.pk}/answer", {"answer": "A"}, content_type="application/json")
    assert again.status_code == 200 and again.json()["correct"] is True and again.json()["given"] == ["B"]
    # the answer reaches the FSRS card before the mastery is shown (and before tomorrow's question is chosen)
    me = client.get("/api/training/me").json()
    card = Card.objects.get(person=world.worker_person, point=daily.point)
    assert card.reviews == 1 and card.lapses == 0
    assert any(p["point"] == daily.point.name and p["answered"] == 1 and p["percent"] > 0 for p in me["points"])


def test_bad_answer_is_refused_with_a_message_and_nothing_counted(world, bank, login):
    client = login(world.worker)
    daily = services.todays_question(world.worker)
    response = client.post(f"/training/daily/{daily.pk}/answer/", {"type": "single", "answer": "Z"})
    assert response.status_code == 422 and "答案须是选项字母" in response.content.decode()
    daily.refresh_from_db()
    assert daily.answered_at is None


def test_nobody_answers_someone_elses_question(world, bank, login):
    daily = services.todays_question(world.worker)
    response = login(world.member).post(f"/training/daily/{daily.pk}/answer/", {"type": "single", "answer": "B"})
    assert response.status_code == 404
    assert (
        login(world.member)
        .post(f"/api/training/daily/{daily.pk}/answer", {"answer": "B"}, content_type="application/json")
        .status_code
        == 404
    )


def test_yesterdays_question_can_no_longer_be_answered(world, bank):
    yesterday = timezone.localdate() - timedelta(days=1)
    daily = services.todays_question(world.worker, now=at(yesterday))
    from common.errors import Conflict

    with pytest.raises(Conflict):
        services.answer(world.worker, daily.pk, "B")


def _simulate(user, days, wrong_on, start):
    seen = []
    for n in range(days):
        now = at(start + timedelta(days=n))
        daily = services.todays_question(user, now=now)
        seen.append(daily.point.code)
        services.answer(user, daily.pk, "A" if daily.point.code == wrong_on else "B", now=now)
    return seen


def test_a_worker_who_always_fails_a_point_sees_it_more_often(world, bank):
    start = timezone.localdate() - timedelta(days=60)
    strugg = make_user("sim-1", "worker", world.team, person=PersonFactory(org=world.team, name="模拟甲"))
    good = make_user("sim-2", "worker", world.team, person=PersonFactory(org=world.team, name="模拟乙"))
    failing = _simulate(strugg, 60, wrong_on="entry", start=start)
    succeeding = _simulate(good, 60, wrong_on=None, start=start)
    assert failing.count("entry") > succeeding.count("entry") + 5
    assert "pump" not in failing  # never a point of another 工种


def test_new_hire_starts_on_the_points_of_their_job(world, bank):
    recruit = PersonFactory(org=world.team, name="新人", hire_date=timezone.localdate() - timedelta(days=10))
    user = make_user("recruit", "worker", world.team, person=recruit)
    seen = _simulate(user, 2, wrong_on=None, start=timezone.localdate() - timedelta(days=1))
    assert set(seen) == {"gas", "roof"}  # 采煤工's own points first, not the points for everyone


def test_high_risk_points_come_back_sooner(world, bank):
    from training import scheduling

    now = at(date(2026, 1, 1))
    normal = scheduling.review(scheduling.new_card(1, now), False, True, now)
    risky = scheduling.review(scheduling.new_card(2, now), True, True, now)
    later = now + timedelta(days=30)
    assert risky.due < normal.due
    assert scheduling.scheduler_for(True).desired_retention > scheduling.scheduler_for(False).desired_retention
    assert later > risky.due


def test_streak_and_mastery_page(world, bank, login):
    start = timezone.localdate() - timedelta(days=2)
    _simulate(world.worker, 3, wrong_on=None, start=start)
    assert services.streak(world.worker_person) == 3
    page = login(world.worker).get("/training/mastery/").content.decode()
    assert "连续答题 3 天" in page and "瓦斯" in page and "水泵" not in page


def test_todo_until_answered(world, bank, login):
    client = login(world.worker)
    assert "今日一题" in client.get("/").content.decode()
    daily = services.todays_question(world.worker)
    services.answer(world.worker, daily.pk, "B")
    assert "今日一题:还没有作答" not in client.get("/").content.decode()


def test_branch_overview_for_the_secretary_only_in_scope(world, bank, login, django_assert_max_num_queries):
    daily = services.todays_question(world.worker)
    services.answer(world.worker, daily.pk, "B")
    client = login(world.secretary)
    with django_assert_max_num_queries(20):
        response = client.get("/training/branch/")
    page = response.content.decode()
    assert response.status_code == 200 and world.branch.name in page
    missing = page.split('id="missing"')[1].split("</div>")[0]
    assert "党员甲" in missing and "王小二" not in missing
    assert client.get(f"/training/branch/?branch={world.other_branch.pk}").status_code == 404
    assert client.get(f"/api/training/branches/{world.other_branch.pk}").status_code == 404
    data = client.get(f"/api/training/branches/{world.branch.pk}").json()
    assert data["answered_today"] == 1
    assert login(world.worker).get("/training/branch/").status_code == 404


def test_bank_pages_for_the_committee_only(world, bank, login, django_assert_max_num_queries):
    client = login(world.committee_user)
    with django_assert_max_num_queries(12):
        assert client.get("/training/bank/").status_code == 200
    question = Question.objects.get(code="gas-0")
    assert "瓦斯解析0" in client.get(f"/training/bank/{question.pk}/").content.decode()
    for user in (world.secretary, world.worker):
        assert login(user).get("/training/bank/").status_code == 404
        assert login(user).get(f"/training/bank/{question.pk}/").status_code == 404


def test_editing_an_answered_question_makes_a_new_version(world, bank):
    daily = services.todays_question(world.worker)
    services.answer(world.worker, daily.pk, "B")
    old = daily.question
    fields = validate_question(
        {
            "type": "single",
            "stem": old.stem + "(修订)",
            "options": ["甲", "乙", "丙"],
            "answer": "C",
            "explanation": "新解析",
        }
    )
    new, outcome = save_question(old.code, old.point, fields)
    assert outcome == "versioned" and new.version == 2
    old.refresh_from_db()
    assert old.status == QuestionStatus.RETIRED and old.replaced_by == new
    daily.refresh_from_db()
    assert daily.question == old and daily.correct is True  # the old answer keeps its meaning
    untouched = Question.objects.get(code="roof-1")
    same, outcome = save_question(
        "roof-1",
        untouched.point,
        {
            **validate_question(
                {"type": "single", "stem": "改", "options": ["甲", "乙"], "answer": "A", "explanation": "x"}
            )
        },
    )
    assert outcome == "updated" and same.pk == untouched.pk


def test_user_without_person_gets_a_message_not_an_error(world, bank, login):
    response = login(world.committee_user).get("/training/")
    assert response.status_code == 200 and "没有关联职工档案" in response.content.decode()
    assert login(world.committee_user).get("/api/training/daily").status_code == 404


@pytest.mark.parametrize(
    "data, field",
    [
        ({"type": "single", "stem": "", "options": ["a", "b"], "answer": "A", "explanation": "x"}, "stem"),
        ({"type": "single", "stem": "s", "options": ["a"], "answer": "A", "explanation": "x"}, "options"),
        ({"type": "multiple", "stem": "s", "options": ["a", "b", "c"], "answer": "A", "explanation": "x"}, "answer"),
        ({"type": "truefalse", "stem": "s", "answer": "也许", "explanation": "x"}, "answer"),
        ({"type": "fill", "stem": "s", "answer": "", "explanation": "x"}, "answer"),
        ({"type": "single", "stem": "s", "options": ["a", "b"], "answer": "A", "explanation": ""}, "explanation"),
        ({"type": "essay", "stem": "s", "explanation": "x"}, "type"),
    ],
)
def test_question_validation_names_the_field(data, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        validate_question(data)
    assert field in exc.value.message_dict


def test_fill_in_answers_forgive_spaces_width_and_punctuation(world):
    from training.bank import grade

    point = KnowledgePoint.objects.create(code="x", name="x")
    q, _ = save_question(
        "F-1",
        point,
        validate_question({"type": "fill", "stem": "s", "answer": ["瓦斯检查工", "瓦检员"], "explanation": "e"}),
    )
    assert grade(q, [" 瓦检员。"]) and grade(q, ["瓦斯检查工"]) and not grade(q, ["安检员"])


def test_the_nightly_preparation_makes_the_same_question_as_the_first_request(world, bank):
    from django.core.management import call_command

    now = timezone.now()
    answered = services.todays_question(world.worker, now=now - timedelta(days=1))
    services.answer(world.worker, answered.pk, "A", now=now - timedelta(days=1))
    assert not Card.objects.filter(person=world.worker_person).exists()
    applied, made = services.prepare_day(now=now)
    assert applied == 1 and Card.objects.get(person=world.worker_person, point=answered.point).reviews == 1
    batch = {
        d.person_id: (d.question_id, d.point_id) for d in DailyQuestion.objects.filter(date=timezone.localdate(now))
    }
    assert made == len(batch) and world.worker_person.pk in batch
    DailyQuestion.objects.filter(date=timezone.localdate(now)).delete()
    on_demand = services.todays_question(world.worker, now=now)
    assert (on_demand.question_id, on_demand.point_id) == batch[world.worker_person.pk]
    call_command("prepare_daily_questions", verbosity=0)  # again: nobody gets a second question
    assert DailyQuestion.objects.filter(person=world.worker_person, date=timezone.localdate(now)).count() == 1


def test_the_question_of_the_day_is_answered_on_the_home_page(world, bank, login):
    client = login(world.worker)
    home = client.get("/").content.decode()
    daily = DailyQuestion.objects.get(person=world.worker_person)
    assert daily.question.stem in home and 'name="next" value="/"' in home
    answer = {"single": "B", "multiple": ["A", "B"], "truefalse": "T"}.get(daily.question.type, "答案")
    response = client.post(
        f"/training/daily/{daily.pk}/answer/", {"type": daily.question.type, "answer": answer, "next": "/"}
    )
    assert response.status_code == 302 and response["Location"] == "/?daily=1"
    shown = client.get(response["Location"]).content.decode()
    assert daily.question.explanation in shown and 'id="result"' in shown
    assert daily.question.stem not in client.get("/").content.decode()  # answered: the card steps aside for the day
