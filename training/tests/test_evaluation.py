"""每月一评 (page, Excel, PDF) and item analysis."""

import io
import re

import openpyxl
import pytest

from common import inputs
from training import exams, services
from training.evaluation import item_analysis
from training.forms import BlueprintForm
from training.models import ExamPaper, Question
from training.tests.test_exams import key_letters

pytestmark = pytest.mark.django_db


def _take(user, paper, right):
    exams.start(user, paper.pk)
    for n in range(len(paper.items)):
        answer = key_letters(paper, n) if n < right else ("A" if key_letters(paper, n) != ["A"] else "C")
        exams.save_answer(user, paper.pk, n, answer)
    exams.submit_own(user, paper.pk)


def test_monthly_evaluation_page_excel_pdf(world, blueprint, login):
    exams.generate(world.secretary, blueprint)
    _take(world.worker, ExamPaper.objects.get(person=world.worker_person), right=5)
    _take(world.member, ExamPaper.objects.get(person=world.member_person), right=1)
    daily = services.todays_question(world.worker)
    services.answer(world.worker, daily.pk, "B")
    client = login(world.secretary)
    page = client.get(f"/training/evaluation/?org={world.branch.pk}").content.decode()
    assert "早班" in page and "中班" in page
    best = page.split('id="best"')[1].split("</ol>")[0]
    weakest = page.split('id="weakest"')[1].split("</ol>")[0]
    assert best.index("王小二") < best.index("党员甲") and "100 分" in best
    assert weakest.strip().startswith(">") and "党员甲" in weakest.split("</li>")[0]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/training/evaluation.xlsx?org={world.branch.pk}").content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    early = next(r for r in rows if r[0] == "早班")
    assert early[4] == 3 and early[5] == 2 and early[6] == 33  # 3 papers, 2 taken, 1 of 3 passed
    pdf = client.get(f"/training/evaluation.pdf?org={world.branch.pk}")
    assert pdf.content.startswith(b"%PDF")
    assert login(world.secretary).get(f"/training/evaluation/?org={world.other_branch.pk}").status_code == 404
    assert login(world.worker).get("/training/evaluation/").status_code == 404


def test_item_analysis_flags_a_question_the_best_get_wrong(world, bank):
    from datetime import timedelta

    from django.utils import timezone

    from orgs.tests.factories import PersonFactory, make_user

    now = timezone.now()
    bp = exams.create_blueprint(world.secretary, **inputs.parse(BlueprintForm, {
        "title": "分析", "org": world.branch.pk, "month": timezone.localdate().isoformat(), "time_limit": 30, "pass_mark": 60,
        "opens_at": (now - timedelta(hours=1)).isoformat(), "closes_at": (now + timedelta(days=1)).isoformat(),
        "rules": [{"point": bank["gas"].pk, "count": 3}, {"point": bank["roof"].pk, "count": 3}],
    }, user=world.secretary))  # fmt: skip
    users = [make_user(f"ia-{i}", "worker", world.team, person=PersonFactory(org=world.team)) for i in range(24)]
    exams.generate(world.secretary, bp)
    tricky = Question.objects.get(code="gas-0")
    for i, user in enumerate(users):
        paper = ExamPaper.objects.get(blueprint=bp, person=user.person)
        exams.start(user, paper.pk)
        skill = i / len(users)
        for n, item in enumerate(paper.items):
            good = (n / len(paper.items)) < skill
            if item["q"] == tricky.pk:
                good = skill < 0.5  # the weaker half gets it right, the stronger half wrong
            answer = key_letters(paper, n) if good else ("A" if key_letters(paper, n) != ["A"] else "C")
            exams.save_answer(user, paper.pk, n, answer)
        exams.submit_own(user, paper.pk)
    stats, kr20 = item_analysis(ExamPaper.objects.filter(blueprint=bp))
    by_code = {s.question.code: s for s in stats}
    assert by_code["gas-0"].discrimination < 0 and "优秀者反而答错" in by_code["gas-0"].flags
    assert stats[0].question.code == "gas-0"
    assert kr20 is not None


@pytest.mark.django_db(transaction=True)  # each write commits, and so raises the write generations for real
def test_item_analysis_page_is_kept_until_a_paper_is_graded(world, blueprint, login, settings):
    """The page keeps its figures for the day (common.homecache) and shows a newly graded paper at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from common import homecache

    settings.HONGLING_HOME_CACHE = True
    homecache.clear()
    exams.generate(world.secretary, blueprint)
    _take(world.worker, ExamPaper.objects.get(person=world.worker_person), right=5)
    client = login(world.committee_user)
    url = f"/training/bank/analysis/?blueprint={blueprint.pk}"

    def answered(counted=None):  # the 作答 column of every question row
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        if counted is not None:
            counted.append(" ".join(q["sql"] for q in queries.captured_queries))
        body = page.split('id="analysis"')[1].split("</tbody>")[0]
        return sorted(int(n) for n in re.findall(r"</a></td><td>[^<]*</td><td>(\d+)</td>", body))

    worker_paper = ExamPaper.objects.get(person=world.worker_person)
    reads = []
    first = answered(reads)
    assert sum(first) == len(worker_paper.items)  # one answer per item of the one graded paper
    assert answered(reads) == first  # kept: the same figures again, without reading the papers' answers
    assert '"results"' in reads[0] and '"results"' not in reads[1]
    member_paper = ExamPaper.objects.get(person=world.member_person)
    _take(world.member, member_paper, right=1)
    assert sum(answered()) == len(worker_paper.items) + len(member_paper.items)  # the second paper shows at once
    homecache.clear()
