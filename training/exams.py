"""每月一考一评: blueprints, one shuffled paper per worker, a server-kept clock, autosave, grading, 补考, results.

Integrity: a paper shows stems and options only; the key stays on the server until the paper is graded. The time
limit is kept by the server (``deadline`` set once at the start), so a reload or a second device does not reset it;
answers after the deadline are refused and the paper is graded with what was saved.
"""

import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.utils import timezone

from common import audit
from common.errors import Conflict, NotFound
from orgs import scope
from orgs.models import OrgKind, OrgNode, Person, WorkStatus
from training import targeting
from training.bank import LETTERS, grade, parse_answer
from training.models import (
    ExamBlueprint,
    ExamPaper,
    KnowledgePoint,
    PaperKind,
    Question,
    QuestionStatus,
    QuestionType,
)

MAX_QUESTIONS = 100


def exam_orgs(user):
    return list(
        OrgNode.objects.visible_to(user, "training_exams")
        .filter(kind__in=(OrgKind.MINE, OrgKind.BRANCH))
        .order_by("path")[:300]
    )


def managed_blueprints(user):
    return ExamBlueprint.objects.filter(
        scope.filter_for(user, "training_exams", path_field="org__path", self_field=None)
    )


def get_blueprint(user, pk):
    blueprint = managed_blueprints(user).filter(pk=pk).select_related("org").first()
    if blueprint is None:
        raise NotFound()
    return blueprint


def create_blueprint(
    user, *, title, org, month, time_limit, pass_mark, opens_at, closes_at, rules, job_types=()
):  # fmt: skip
    """A month's exam (read by ``training.forms.BlueprintForm``: ``rules`` cleaned, ``org`` a record): ``org`` one of
    the user's ``exam_orgs``."""
    orgs = exam_orgs(user)
    if not orgs:
        raise NotFound()
    if org.pk not in {o.pk for o in orgs}:
        raise ValidationError({"org": "请选择参考单位(您负责的矿或党支部)"})
    with transaction.atomic():
        blueprint = ExamBlueprint.objects.create(
            title=title,
            org=org,
            month=month.replace(day=1),
            rules=rules,
            time_limit=time_limit,
            pass_mark=pass_mark,
            opens_at=opens_at,
            closes_at=closes_at,
            author=user,
        )
        blueprint.job_types.set(job_types)
    return blueprint


# ---------------------------------------------------------------- generating papers


def _pool(point_ids):
    """Active current questions of the points: [(id, point, type, difficulty, option count)]."""
    questions = Question.objects.filter(point_id__in=point_ids, status=QuestionStatus.ACTIVE, replaced_by__isnull=True)
    return [
        (q.pk, q.point_id, q.type, q.difficulty, len(q.options))
        for q in questions.only("pk", "point_id", "type", "difficulty", "options")
    ]


def _candidates(rules, pool, job_type_id):
    """For each rule that applies to the 工种: the questions it may draw from (computed once per 工种); a question
    tagged for other 工种组 or 工种 is left out (``training/targeting.py``)."""
    fitting = targeting.fitting_question_ids(job_type_id, [q[0] for q in pool])
    out = []
    for rule in rules:
        if rule["job_type"] not in (None, job_type_id):
            continue
        out.append((rule["count"], [
            q for q in pool
            if q[1] == rule["point"]
            and (rule["type"] is None or q[2] == rule["type"])
            and (rule["difficulty"] is None or q[3] == rule["difficulty"])
            and q[0] in fitting
        ]))  # fmt: skip
    return out


def _draw(candidates, rng):
    """Questions for one worker: each rule's count drawn without repeats; then questions and options shuffled."""
    chosen, taken = [], set()
    for count, pool in candidates:
        free = [q for q in pool if q[0] not in taken] if taken else pool
        for q in rng.sample(free, min(count, len(free))):
            taken.add(q[0])
            chosen.append(q)
    rng.shuffle(chosen)
    items = []
    for q in chosen:
        order = list(range(q[4]))
        rng.shuffle(order)
        items.append({"q": q[0], "o": order})
    return items


def eligible_people(blueprint):
    people = Person.objects.filter(org__path__startswith=blueprint.org.path, work_status=WorkStatus.ON_DUTY)
    jobs = list(blueprint.job_types.values_list("pk", flat=True))
    if jobs:
        people = people.filter(job_type_id__in=jobs)
    return people


def generate(user, blueprint):
    """Make one paper per eligible worker (questions and options shuffled per paper). Returns the number made."""
    blueprint = get_blueprint(user, blueprint.pk)
    claimed = ExamBlueprint.objects.filter(pk=blueprint.pk, generated_at__isnull=True).update(
        generated_at=timezone.now()
    )
    if not claimed:
        raise Conflict("试卷已经生成过了")
    audit.audit_update(blueprint, ExamBlueprint.objects.get(pk=blueprint.pk), actor=user)
    pool = _pool({r["point"] for r in blueprint.rules})
    papers, by_job = [], {}
    for person_id, job_type_id in eligible_people(blueprint).values_list("pk", "job_type_id"):
        if job_type_id not in by_job:
            by_job[job_type_id] = _candidates(blueprint.rules, pool, job_type_id)
        rng = random.Random(f"{blueprint.pk}:{person_id}:exam")
        items = _draw(by_job[job_type_id], rng)
        if items:
            papers.append(ExamPaper(blueprint=blueprint, person_id=person_id, items=items))
    ExamPaper.objects.bulk_create(papers, batch_size=1000)
    return len(papers)


def make_up(user, blueprint):
    """补考 for those who failed: the same number of questions, drawn from the points they got wrong."""
    blueprint = get_blueprint(user, blueprint.pk)
    has_makeup = ExamPaper.objects.filter(blueprint=blueprint, kind=PaperKind.MAKEUP, person=OuterRef("person"))
    failed = list(
        ExamPaper.objects.filter(blueprint=blueprint, kind=PaperKind.EXAM, passed=False)
        .exclude(Exists(has_makeup))
        .select_related("person")
    )
    if not failed:
        return 0
    pool = _pool({r["point"] for r in blueprint.rules})
    point_of = {q[0]: q[1] for q in pool} | dict(
        Question.objects.filter(pk__in={i["q"] for p in failed for i in p.items}).values_list("pk", "point_id")
    )
    papers = []
    for paper in failed:
        wrong_points = {point_of[item["q"]] for n, item in enumerate(paper.items) if not paper.results.get(str(n))}
        rng = random.Random(f"{blueprint.pk}:{paper.person_id}:makeup")
        count = len(paper.items)
        rules = [
            {"job_type": None, "point": p, "difficulty": None, "type": None, "count": count}
            for p in sorted(wrong_points)
        ]
        items = _draw(_candidates(rules, pool, paper.person.job_type_id), rng)[:count]
        if items:
            papers.append(ExamPaper(blueprint=blueprint, person_id=paper.person_id, kind=PaperKind.MAKEUP, items=items))
    ExamPaper.objects.bulk_create(papers, batch_size=1000, ignore_conflicts=True)
    return len(papers)


# ---------------------------------------------------------------- taking a paper


def own_paper(user, pk, now=None):
    """The user's own paper (anyone else's answers 404); graded on the spot if its time has run out."""
    if not user.is_authenticated or not user.person_id:
        raise NotFound()
    paper = ExamPaper.objects.filter(pk=pk, person_id=user.person_id).select_related("blueprint").first()
    if paper is None:
        raise NotFound()
    return finish_if_expired(paper, now)


def finish_if_expired(paper, now=None):
    now = now or timezone.now()
    if paper.submitted_at is None and paper.deadline and now >= paper.deadline:
        submit(paper, now=paper.deadline, auto=True)
        paper.refresh_from_db()
    return paper


def start(user, pk, now=None):
    now = now or timezone.now()
    paper = own_paper(user, pk, now)
    if paper.started_at:
        return paper
    blueprint = paper.blueprint
    if now < blueprint.opens_at:
        raise Conflict(f"考试尚未开始,开考时间 {timezone.localtime(blueprint.opens_at):%m-%d %H:%M}")
    if now >= blueprint.closes_at:
        raise Conflict("考试已截止")
    deadline = min(now + timezone.timedelta(minutes=blueprint.time_limit), blueprint.closes_at)
    with transaction.atomic():
        if ExamPaper.objects.filter(pk=paper.pk, started_at__isnull=True).update(started_at=now, deadline=deadline):
            after = ExamPaper.objects.select_related("blueprint").get(pk=paper.pk)
            audit.audit_update(paper, after, actor=user)
            return after
    paper.refresh_from_db()
    return paper


def _to_original(item, question, displayed):
    """Letters as shown on this paper -> the question's own letters."""
    if question.type not in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return displayed
    order = item["o"]
    return sorted(LETTERS[order[LETTERS.index(letter)]] for letter in displayed)


def _to_displayed(item, question, original):
    if question.type not in (QuestionType.SINGLE, QuestionType.MULTIPLE) or not original:
        return original or []
    order = item["o"]
    return sorted(LETTERS[order.index(LETTERS.index(letter))] for letter in original)


def save_answer(user, pk, index, given, now=None):
    """Autosave one answer (in the letters shown). Refused once the paper is submitted or its time is up."""
    now = now or timezone.now()
    paper = own_paper(user, pk, now)  # grades the paper first if its time is up (kept even though we refuse)
    with transaction.atomic():
        paper = ExamPaper.objects.select_for_update().get(pk=paper.pk)
        if paper.submitted_at:
            raise Conflict("试卷已交,不能再修改")
        if not paper.started_at:
            raise Conflict("请先开始考试")
        if now >= paper.deadline:
            raise Conflict("时间已到,试卷已自动交卷")
        try:
            index = int(index)
            item = paper.items[index]
        except (TypeError, ValueError, IndexError):
            raise NotFound()
        question = Question.objects.get(pk=item["q"])
        if given in (None, "", []):
            paper.answers.pop(str(index), None)
        else:
            try:
                shown = parse_answer(question.type, given, len(question.options))
            except ValidationError as exc:
                raise ValidationError({f"q{index}": exc.messages})
            paper.answers[str(index)] = _to_original(item, question, shown)
        # the worker's answers are not audited (autosaved answer by answer; the hand-in is): no signal, no diff read
        ExamPaper.objects.filter(pk=paper.pk).update(answers=paper.answers)
    return paper


def submit(paper, now=None, auto=False, actor=None):
    """Grade a paper once: score out of 100, passed against the pass mark. The hand-in is audited (``actor``: the
    worker who handed it in; none when the clock or the timer did)."""
    now = now or timezone.now()
    questions = Question.objects.in_bulk([item["q"] for item in paper.items])
    results = {}
    for n, item in enumerate(paper.items):
        given = paper.answers.get(str(n))
        results[str(n)] = bool(given) and grade(questions[item["q"]], given)
    right = sum(results.values())
    score = round(right * 100 / len(paper.items)) if paper.items else 0
    with transaction.atomic():
        graded = ExamPaper.objects.filter(pk=paper.pk, submitted_at__isnull=True).update(
            submitted_at=now, auto_submitted=auto, score=score, passed=score >= paper.blueprint.pass_mark,
            results=results,
        )  # fmt: skip
        if graded:
            audit.audit_update(paper, ExamPaper.objects.get(pk=paper.pk), actor=actor)


AUTO_SUBMIT_GRACE = timezone.timedelta(seconds=5)


def submit_own(user, pk, now=None):
    now = now or timezone.now()
    paper = own_paper(user, pk, now)
    with transaction.atomic():
        if paper.submitted_at:
            return paper
        if not paper.started_at:
            raise Conflict("请先开始考试")
        paper = ExamPaper.objects.select_for_update().select_related("blueprint").get(pk=paper.pk)
        # the page's clock hands the paper in when the time is up: that is 时间到,自动交卷, not the worker's 交卷
        timed_out = paper.deadline is not None and now >= paper.deadline - AUTO_SUBMIT_GRACE
        submit(paper, min(now, paper.deadline) if timed_out else now, auto=timed_out, actor=user)
    paper.refresh_from_db()
    return paper


def close_expired(now=None):
    """Grade every paper whose time is up (run by a timer; pages also do it when a paper is opened)."""
    now = now or timezone.now()
    count = 0
    for paper in ExamPaper.objects.filter(submitted_at__isnull=True, deadline__lte=now).select_related("blueprint"):
        submit(paper, now=paper.deadline, auto=True)
        count += 1
    # papers never started and the exam closed: graded as empty (0 分) so they count as 缺考
    for paper in ExamPaper.objects.filter(
        submitted_at__isnull=True, started_at__isnull=True, blueprint__closes_at__lte=now
    ).select_related("blueprint"):
        submit(paper, now=paper.blueprint.closes_at, auto=True)
        count += 1
    return count


def shown_items(paper):
    """What the worker sees: stem and options in the paper's order, their saved answer in the letters shown.
    After grading, also the key, right/wrong and the explanation."""
    questions = Question.objects.in_bulk([item["q"] for item in paper.items])
    graded = paper.submitted_at is not None
    out = []
    for n, item in enumerate(paper.items):
        q = questions[item["q"]]
        options = [(LETTERS[i], q.options[original]) for i, original in enumerate(item["o"])] if q.options else []
        entry = {
            "index": n,
            "type": q.type,
            "type_label": q.get_type_display(),
            "stem": q.stem,
            "options": options,
            "saved": _to_displayed(item, q, paper.answers.get(str(n))),
        }
        if graded:
            entry.update(
                correct=paper.results.get(str(n)),
                key=_to_displayed(item, q, q.answer) if q.options else q.answer,
                explanation=q.explanation,
            )
        out.append(entry)
    return out


def papers_of(user):
    if not user.person_id:
        return ExamPaper.objects.none()
    return (
        ExamPaper.objects.filter(person_id=user.person_id)
        .select_related("blueprint")
        .order_by("-blueprint__month", "-pk")
    )


def open_papers_of(user, now=None):
    """The user's papers they can sit now (正考, 补考, 三违复考 not yet handed in, the exam open), soonest closing
    first, each with ``closes``: when it must be handed in. Read once per request (home card and 待办 share it)."""
    if not user.is_authenticated or not user.person_id:
        return []

    def read():
        at = now or timezone.now()
        papers = (
            ExamPaper.objects.filter(
                person_id=user.person_id,
                submitted_at__isnull=True,
                blueprint__opens_at__lte=at,
                blueprint__closes_at__gt=at,
            )
            .exclude(deadline__lte=at)
            .select_related("blueprint")
            .order_by("blueprint__closes_at", "pk")[:10]
        )
        out = []
        for paper in papers:
            paper.closes = min(d for d in (paper.blueprint.closes_at, paper.deadline) if d is not None)
            kind, title = paper.get_kind_display(), paper.blueprint.title
            paper.label = title if title.startswith(kind) else f"{kind}:{title}"
            out.append(paper)
        return out

    return scope.memo(user, "open_papers", read) if now is None else read()


# ---------------------------------------------------------------- results


def results_by_unit(user, blueprint):
    """Per branch (exam of a mine) or team (exam of a branch): papers, taken, passed, average — within scope."""
    papers = ExamPaper.objects.visible_to(user).filter(blueprint=blueprint, kind=PaperKind.EXAM)
    level = OrgKind.BRANCH if blueprint.org.kind == OrgKind.MINE else OrgKind.TEAM
    units = list(OrgNode.objects.filter(path__startswith=blueprint.org.path, kind=level).order_by("path"))
    rows = (
        papers.values("person__org__path")
        .annotate(
            n=Count("pk"),
            taken=Count("pk", filter=Q(started_at__isnull=False)),
            passed=Count("pk", filter=Q(passed=True)),
            avg=Avg("score", filter=Q(started_at__isnull=False)),
        )
        .order_by()
    )
    totals = {u.path: {"unit": u, "n": 0, "taken": 0, "passed": 0, "sum": 0.0} for u in units}
    for row in rows:
        key = next((u.path for u in units if row["person__org__path"].startswith(u.path)), None)
        if key is None:
            continue
        t = totals[key]
        t["n"] += row["n"]
        t["taken"] += row["taken"]
        t["passed"] += row["passed"]
        t["sum"] += (row["avg"] or 0) * row["taken"]
    result = [t for t in totals.values() if t["n"]]
    for t in result:
        t["participation"] = round(t["taken"] * 100 / t["n"])
        t["pass_rate"] = round(t["passed"] * 100 / t["n"])
        t["average"] = round(t["sum"] / t["taken"], 1) if t["taken"] else None
    return result


# ---------------------------------------------------------------- re-exams asked for by other modules


def assign_reexam(person, point_ids, title, opens_at=None, days=14, count=10, time_limit=20, pass_mark=80, author=None):
    """A one-person exam over the given knowledge points (e.g. the 复考 a 三违 requires). Returns the paper.

    The violations module calls this when a violation requires a re-exam; the paper then appears in the worker's
    每月一考 list like any other, is timed and graded the same way, and ``paper.passed`` tells the caller the result.
    """
    from orgs.models import User

    opens_at = opens_at or timezone.now()
    author = author or User.objects.filter(is_superuser=True).order_by("pk").first()
    points = list(KnowledgePoint.objects.filter(pk__in=point_ids).values_list("pk", flat=True)) or targeting.point_ids(
        person.job_type_id
    )
    per_point = max(1, count // max(1, len(points)))
    rules = [{"job_type": None, "point": p, "difficulty": None, "type": None, "count": per_point} for p in points]
    with transaction.atomic():
        blueprint = ExamBlueprint.objects.create(
            title=title[:100], org=person.org, month=opens_at.date().replace(day=1), rules=rules, time_limit=time_limit,
            pass_mark=pass_mark, opens_at=opens_at, closes_at=opens_at + timezone.timedelta(days=days), author=author,
            generated_at=timezone.now(),
        )  # fmt: skip
        rng = random.Random(f"{blueprint.pk}:{person.pk}:reexam")
        items = _draw(_candidates(rules, _pool(set(points)), person.job_type_id), rng)[:count]
        if not items:
            raise Conflict("题库中没有可用于复考的题目")
        return ExamPaper.objects.create(blueprint=blueprint, person=person, kind=PaperKind.REEXAM, items=items)
