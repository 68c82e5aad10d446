"""待办 per actor (issue 9, defect 6): for each kind of work, the person who must act sees it on their home and it
leaves when done; a person is told on their home when something is recorded about them or answered for them."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.test_crawl import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world():
    from orgs import demo

    demo.generate("small", log=lambda message: None)
    return roles()


def _home(user):
    client = Client()
    client.force_login(user)
    return client.get("/").content.decode()


def _a_point_for(person):
    """A knowledge point the worker's 工种 is served (the re-exam draws from those)."""
    from training.services import eligible_questions

    return eligible_questions(person.job_type_id)[0][1]


def _todos(html):
    return html.split('id="todos"', 1)[1]


def test_a_worker_sees_an_open_exam_with_its_time_left_and_it_leaves_when_handed_in(demo_world):
    from training import exams

    worker = demo_world["worker@team"]
    point = _a_point_for(worker.person)
    paper = exams.assign_reexam(worker.person, [point], "三违复考:未敲帮问顶", count=2)
    html = _home(worker)
    assert f'id="exam-card-{paper.pk}"' in html and "还剩" in html and "截止" in html
    assert "三违复考:未敲帮问顶" in _todos(html) and "三违复考:三违复考" not in html
    assert "补考" not in html  # a 三违 re-exam is not called a 补考
    exams.start(worker, paper.pk)
    exams.submit_own(worker, paper.pk)
    html = _home(worker)
    assert f'id="exam-card-{paper.pk}"' not in html and "未敲帮问顶" not in _todos(html)


def test_a_closed_exam_is_not_offered(demo_world):
    from training import exams

    worker = demo_world["worker@team"]
    point = _a_point_for(worker.person)
    exams.assign_reexam(worker.person, [point], "过期的复考", count=2, opens_at=timezone.now() - timedelta(days=30))
    assert "过期的复考" not in _home(worker)


def test_a_helper_sees_the_people_they_help(demo_world):
    from care.models import Entry, EntryStatus
    from orgs.models import User

    with_accounts = User.objects.filter(person__isnull=False).values("person_id")
    entry = (
        Entry.objects.filter(status=EntryStatus.ACTIVE, helper_id__in=with_accounts)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    assert entry is not None, "the demo has a 帮教 pair whose 帮教人 has an account"

    helper = User.objects.get(person=entry.helper)
    assert f"帮教:{entry.person.name}" in _todos(_home(helper)) or f"评估(帮教):{entry.person.name}" in _todos(
        _home(helper)
    )
    Entry.objects.filter(pk=entry.pk).update(status=EntryStatus.RELEASED)
    assert entry.person.name not in _todos(_home(helper))


def test_a_model_post_holder_is_reminded_to_assess_the_month(demo_world):
    from orgs.models import User
    from vanguard.models import Assessment, ModelPost

    post = ModelPost.objects.filter(active=True).select_related("holder").first()
    assert post is not None, "the demo has a 示范岗"
    Assessment.objects.filter(post=post).delete()
    holder = User.objects.get(person=post.holder)
    assert f"示范岗月度自评:{post.name}" in _todos(_home(holder))
    Assessment.objects.create(post=post, month=timezone.localdate().replace(day=1), submitted_at=timezone.now())
    assert f"示范岗月度自评:{post.name}" not in _todos(_home(holder))


def test_a_person_is_told_of_a_violation_an_answer_and_a_closed_hazard(demo_world):
    from hazards.models import Hazard, HazardStatus
    from training.models import QaAnswer, QaQuestion
    from violations.models import Violation

    worker = demo_world["worker@team"]
    person = worker.person
    other = demo_world["secretary@branch"]
    model = Violation.objects.filter(mine=person.mine).first()
    model.pk = model.id = None
    model.person, model.occurred_on, model.status = person, timezone.localdate(), "recorded"
    model.description = "未按规定佩戴自救器"
    model.token = None
    model.external_id = ""
    model.save()
    question = QaQuestion.objects.create(asker=person, mine=person.mine, org=person.org, text="瓦斯浓度多少要停电?")
    QaAnswer.objects.create(question=question, author=other, text="达到1.5%时。")
    hazard = Hazard.objects.filter(mine=person.mine, status=HazardStatus.CLOSED).first()
    Hazard.objects.filter(pk=hazard.pk).update(found_by=person, closed_at=timezone.now())
    html = _home(worker)
    notices = html.split('id="notices"', 1)[1]
    assert "您有一条三违记录" in notices and "未按规定佩戴自救器" in notices and "前可申诉" in notices
    assert "您的提问有了解答" in notices and "您发现的隐患已销号" in notices
    assert 'id="todo-count"' in html and html.index('id="todo-count"') < html.index('id="todos"')
