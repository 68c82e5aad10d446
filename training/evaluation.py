"""每月一评 and item analysis.

The evaluation of a month, per branch (of a mine) or team (of a branch): daily-question participation and right
rate, the month's exam (taken, pass rate, average) and the change from last month, the best and weakest named.
Item analysis flags bank questions that are too easy, too hard, or that the best workers get wrong.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone

from orgs.models import OrgKind, OrgNode, Person, WorkStatus
from training.models import DailyQuestion, ExamPaper, PaperKind, Question


def month_start(day):
    return day.replace(day=1)


def next_month(day):
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(day):
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


@dataclass
class UnitRow:
    unit: OrgNode
    people: int = 0
    answered: int = 0  # daily answers in the month
    right: int = 0
    papers: int = 0
    taken: int = 0
    passed: int = 0
    score_sum: float = 0.0
    last_avg: float = None
    days: int = 30

    @property
    def participation(self):
        return round(self.answered * 100 / (self.people * self.days)) if self.people else 0

    @property
    def right_rate(self):
        return round(self.right * 100 / self.answered) if self.answered else None

    @property
    def pass_rate(self):
        return round(self.passed * 100 / self.papers) if self.papers else None

    @property
    def average(self):
        return round(self.score_sum / self.taken, 1) if self.taken else None

    @property
    def change(self):
        if self.average is None or self.last_avg is None:
            return None
        return round(self.average - self.last_avg, 1)


@dataclass
class Evaluation:
    org: OrgNode
    month: date
    rows: list
    best: list = field(default_factory=list)
    weakest: list = field(default_factory=list)


def units_of(org):
    level = OrgKind.BRANCH if org.kind in (OrgKind.MINE, OrgKind.COMMITTEE, OrgKind.GROUP) else OrgKind.TEAM
    if org.kind == OrgKind.GROUP:
        level = OrgKind.MINE
    return list(OrgNode.objects.filter(path__startswith=org.path, kind=level).order_by("path"))


def _fold(rows, units, key, apply):
    """Add rows keyed by an org path into the unit whose subtree holds it."""
    paths = sorted(((u.path, u) for u in units), key=lambda pu: -len(pu[0]))
    for row in rows:
        path = row[key]
        for prefix, unit in paths:
            if path.startswith(prefix):
                apply(unit, row)
                break


def evaluate(user, org, month):
    month = month_start(month)
    end = next_month(month)
    units = units_of(org)
    table = {
        u.pk: UnitRow(u, days=(min(end, timezone.localdate() + timedelta(days=1)) - month).days or 1) for u in units
    }
    people = Person.objects.visible_to(user, "training_results").filter(
        org__path__startswith=org.path, work_status=WorkStatus.ON_DUTY
    )
    counts = people.values("org__path").annotate(n=Count("pk")).order_by()
    _fold(counts, units, "org__path", lambda u, r: setattr(table[u.pk], "people", table[u.pk].people + r["n"]))
    # Daily answers grouped by person (an index range scan, no join), then folded into units through the people's paths.
    path_of = dict(people.values_list("pk", "org__path"))
    daily = (
        DailyQuestion.objects.filter(
            person__in=people.values("pk"), date__gte=month, date__lt=end, answered_at__isnull=False
        )
        .values("person_id")
        .annotate(n=Count("pk"), right=Count("pk", filter=Q(correct=True)))
        .order_by()
    )
    daily = [{"path": path_of.get(row["person_id"], ""), **row} for row in daily]

    def add_daily(unit, row):
        t = table[unit.pk]
        t.answered += row["n"]
        t.right += row["right"]

    _fold(daily, units, "path", add_daily)
    papers = ExamPaper.objects.filter(person__in=people.values("pk"), kind=PaperKind.EXAM)
    this_month = (
        papers.filter(blueprint__month=month)
        .values("person__org__path")
        .annotate(
            n=Count("pk"),
            taken=Count("pk", filter=Q(started_at__isnull=False)),
            passed=Count("pk", filter=Q(passed=True)),
            avg=Avg("score", filter=Q(started_at__isnull=False)),
        )
        .order_by()
    )

    def add_exam(unit, row):
        t = table[unit.pk]
        t.papers += row["n"]
        t.taken += row["taken"]
        t.passed += row["passed"]
        t.score_sum += (row["avg"] or 0) * row["taken"]

    _fold(this_month, units, "person__org__path", add_exam)
    last = (
        papers.filter(blueprint__month=previous_month(month), started_at__isnull=False)
        .values("person__org__path")
        .annotate(n=Count("pk"), avg=Avg("score"))
        .order_by()
    )
    sums = {}

    def add_last(unit, row):
        total, n = sums.get(unit.pk, (0.0, 0))
        sums[unit.pk] = (total + (row["avg"] or 0) * row["n"], n + row["n"])

    _fold(last, units, "person__org__path", add_last)
    for pk, (total, n) in sums.items():
        table[pk].last_avg = round(total / n, 1) if n else None
    taken = papers.filter(blueprint__month=month, started_at__isnull=False).select_related("person", "person__org")
    best = list(taken.order_by("-score", "submitted_at")[:3])
    weakest = list(taken.order_by("score", "-submitted_at")[:3])
    rows = [t for t in table.values() if t.people]
    return Evaluation(org, month, rows, best, weakest)


# ---------------------------------------------------------------- item analysis


@dataclass
class ItemStat:
    question: Question
    n: int
    facility: float
    discrimination: float = None
    flags: list = field(default_factory=list)


def item_analysis(papers, min_n=20):
    """Facility and point-biserial discrimination of every question on graded papers; KR-20 of the set.

    Papers are drawn per worker, so KR-20 is computed on the papers' own lengths and the items' facilities
    (an approximation for randomised forms; it still falls when items do not measure the same thing).
    """
    responses = {}  # question id -> [(correct, paper score)]
    scores = []
    lengths = []
    for items, results, score in papers.filter(submitted_at__isnull=False, started_at__isnull=False).values_list(
        "items", "results", "score"
    ):
        scores.append(score or 0)
        lengths.append(len(items))
        for n, item in enumerate(items):
            responses.setdefault(item["q"], []).append((bool(results.get(str(n))), score or 0))
    questions = Question.objects.in_bulk(list(responses))
    stats = []
    for qid, rows in responses.items():
        n = len(rows)
        p = sum(c for c, _ in rows) / n
        stat = ItemStat(questions[qid], n, round(p, 2))
        if n >= 2:
            right = [s for c, s in rows if c]
            wrong = [s for c, s in rows if not c]
            all_scores = [s for _, s in rows]
            mean = sum(all_scores) / n
            sd = math.sqrt(sum((s - mean) ** 2 for s in all_scores) / n)
            if right and wrong and sd > 0:
                stat.discrimination = round(
                    (sum(right) / len(right) - sum(wrong) / len(wrong)) / sd * math.sqrt(p * (1 - p)), 2
                )
        if n >= min_n:
            if p > 0.95:
                stat.flags.append("太容易")
            if p < 0.3:
                stat.flags.append("太难")
            if stat.discrimination is not None and stat.discrimination < 0:
                stat.flags.append("优秀者反而答错")
            elif stat.discrimination is not None and stat.discrimination < 0.15:
                stat.flags.append("区分度低")
        stats.append(stat)
    kr20 = None
    if len(scores) >= 2 and lengths:
        k = sum(lengths) / len(lengths)
        raw = [s * k / 100 for s in scores]
        mean = sum(raw) / len(raw)
        variance = sum((r - mean) ** 2 for r in raw) / len(raw)
        pq = sum(s.facility * (1 - s.facility) for s in stats) / len(stats) * k if stats else 0
        if k > 1 and variance > 0:
            kr20 = round(k / (k - 1) * (1 - pq / variance), 2)
    stats.sort(key=lambda s: (not s.flags, s.discrimination if s.discrimination is not None else 9, s.facility))
    return stats, kr20
