"""The demo shows every part of the 微训课堂 on first start, over fictional names (issue 11)."""

import pytest
from django.utils import timezone

from orgs import demo
from orgs.models import OrgKind, OrgNode, User
from training import evaluation, lessons
from training.models import ExamBlueprint, ExamPaper, PaperKind, QaQuestion

pytestmark = pytest.mark.django_db
REAL_NAMES = ("新矿", "孙村", "协庄", "华丰", "东滩", "翟镇", "良庄", "鄂庄", "赵楼", "新泰", "山东")


@pytest.fixture
def small():
    demo.generate("small", log=lambda message: None)
    return OrgNode.objects.get(kind=OrgKind.MINE, code=demo.MINE_NAMES[0][1])


def test_past_months_exams_give_the_evaluation_and_the_item_analysis_figures(small):
    committee = User.objects.get(username__endswith="100006")
    this_month = timezone.localdate().replace(day=1)
    last = evaluation.previous_month(this_month)
    months = set(ExamBlueprint.objects.filter(org=small).values_list("month", flat=True))
    assert {this_month, last, evaluation.previous_month(last)} <= months and len(months) >= 4
    result = evaluation.evaluate(committee, small, last)
    assert result.rows and all(r.pass_rate is not None and r.average is not None for r in result.rows)
    assert any(r.change is not None for r in result.rows)  # compared with the month before
    assert result.best and result.weakest
    stats, kr20 = evaluation.item_analysis(ExamPaper.objects.filter(blueprint__org=small))
    assert kr20 is not None and any(s.n >= 20 and s.discrimination is not None for s in stats)
    assert ExamPaper.objects.filter(blueprint__month=last, kind=PaperKind.MAKEUP).exists()  # 补考 of the failed
    assert ExamPaper.objects.filter(blueprint__month=this_month, started_at__isnull=True).exists()  # still open


def test_this_weeks_lesson_and_case_and_answered_questions(small):
    worker = User.objects.get(username__endswith="100005")
    kinds = sorted(lesson.kind for lesson in lessons.lessons_of_week(worker))
    assert kinds == ["case", "lesson"]
    asked = QaQuestion.objects.filter(mine=small)
    assert asked.filter(answers__isnull=False).distinct().count() >= 5
    assert asked.filter(accepted__isnull=False).count() >= 3


def test_no_real_group_or_mine_name_and_no_valid_id_number(small):
    from django.core.exceptions import ValidationError

    from orgs.forms import clean_id_number
    from orgs.models import Person

    names = list(OrgNode.objects.values_list("name", flat=True))
    assert not [n for n in names if any(real in n for real in REAL_NAMES)]
    addresses = list(Person.objects.values_list("address", flat=True))
    assert not [a for a in addresses if any(real in a for real in REAL_NAMES)]
    for number in Person.objects.values_list("id_number", flat=True)[:200]:
        with pytest.raises(ValidationError):
            clean_id_number(number)
