"""Domain operations of the 微训课堂: the question of the day, answering it, mastery, the branch's view."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from common.errors import Conflict, NotFound
from orgs import scope
from orgs.models import OrgKind, OrgNode, Person, Transfer, WorkStatus, window_start
from training import scheduling, targeting
from training.bank import grade, parse_answer
from training.models import Card, DailyQuestion, JobGroup, KnowledgePoint, Question, QuestionStatus


def person_of(user):
    if not user.is_authenticated or not user.person_id:
        raise NotFound("您的账号没有关联职工档案,没有每日一题")
    return user.person


def eligible_questions(job_type_id):
    """[(question id, point id)] of active current questions for a 工种 (the rule: ``training/targeting.py``)."""
    return targeting.eligible_questions(job_type_id)


def _point_choices(person, point_ids, now):
    own = targeting.own_point_ids(person.job_type_id)
    points = KnowledgePoint.objects.filter(pk__in=point_ids)
    cards = {c.point_id: c for c in Card.objects.filter(person=person, point_id__in=point_ids)}
    return [
        scheduling.PointChoice(
            point_id=p.pk,
            high_risk=p.high_risk,
            for_job=p.pk in own,
            order=p.order,
            card=scheduling.load_card(cards[p.pk].state, p.pk) if p.pk in cards else None,
        )
        for p in points
    ]


_questions = {}  # question id -> (expires, Question with its point): a served question is never edited in place
QUESTION_CACHE_SECONDS = 600


def _daily_where(condition, params):
    """[the DailyQuestion row] matching ``condition``: the hot path of every worker's day, read with one plain
    statement (a raw query still gets the fields' conversions) instead of building a QuerySet for it."""
    table = DailyQuestion._meta.db_table
    return list(DailyQuestion.objects.raw(f"SELECT * FROM {table} WHERE {condition} LIMIT 1", params))


def _with_question(daily):
    """Attach the question and its point from a small per-process cache (the daily question's hot path reads one
    row). Questions that have been served are immutable (an edit makes a new version, bank.save_question); the
    point's name may change, so entries expire after ten minutes."""
    import time

    now = time.monotonic()
    hit = _questions.get(daily.question_id)
    if hit is None or hit[0] < now:
        if len(_questions) > 5000:
            _questions.clear()
        question = Question.objects.select_related("point").get(pk=daily.question_id)
        hit = (now + QUESTION_CACHE_SECONDS, question)
        _questions[daily.question_id] = hit
    daily.question = hit[1]
    daily.point = hit[1].point if hit[1].point_id == daily.point_id else KnowledgePoint.objects.get(pk=daily.point_id)
    return daily


def todays_question(user, now=None):
    """The worker's question of today: the same one all day, made on the first request of the day."""
    if not user.is_authenticated or not user.person_id:
        person_of(user)  # raises the message
    now = now or timezone.now()
    today = timezone.localdate(now)
    existing = _daily_where("person_id = %s AND date = %s", [user.person_id, today])
    if existing:
        return _with_question(existing[0])
    return _make_daily(person_of(user), today, now)


def _make_daily(person, today, now):
    apply_reviews([person.pk])
    pairs = eligible_questions(person.job_type_id)
    if not pairs:
        raise NotFound("题库中还没有适用于您工种的题目")
    by_point = {}
    for question_id, point_id in pairs:
        by_point.setdefault(point_id, []).append(question_id)
    choice = scheduling.choose_point(_point_choices(person, list(by_point), now), now)
    candidates = by_point[choice.point_id]
    seen = dict(
        DailyQuestion.objects.filter(person=person, question_id__in=candidates)
        .values_list("question_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    question_id = scheduling.choose_question(candidates, seen, person.pk, today)
    try:
        with transaction.atomic():
            daily = DailyQuestion.objects.create(
                person=person, date=today, question_id=question_id, point_id=choice.point_id
            )
    except IntegrityError:  # another request of the same worker made it first: use theirs
        return DailyQuestion.objects.select_related("question", "point").get(person=person, date=today)
    daily.question = Question.objects.select_related("point").get(pk=question_id)
    daily.point = daily.question.point
    return daily


def _own_daily(user, pk):
    if not user.is_authenticated or not user.person_id:
        raise NotFound("您的账号没有关联职工档案,没有每日一题")
    daily = _daily_where("id = %s AND person_id = %s", [pk, user.person_id])
    if not daily:
        raise NotFound()
    return _with_question(daily[0])


def answer(user, pk, given, now=None):
    """Answer the question of the day once. A second submit (double tap, retry) returns the first result.

    One conditional UPDATE records it; the FSRS card follows in ``apply_reviews`` (before the worker's next question
    is chosen, before their mastery is shown, and in the nightly ``prepare_daily_questions``)."""
    now = now or timezone.now()
    daily = _own_daily(user, pk)
    if daily.answered_at:
        return daily
    if daily.date != timezone.localdate(now):
        raise Conflict("这是往日的题目,已不能作答;请做今天的题")
    question = daily.question
    try:
        parsed = parse_answer(question.type, given, len(question.options))
    except ValidationError as exc:
        raise ValidationError({"answer": exc.messages})
    correct = grade(question, parsed)
    claimed = _claim(daily.pk, parsed, correct, now)
    if not claimed:  # the other submit won: return what it recorded
        return DailyQuestion.objects.select_related("question", "point").get(pk=daily.pk)
    daily.given, daily.correct, daily.answered_at = parsed, correct, now
    return daily


def _claim(pk, given, correct, now):
    """Record the answer if nobody has yet: one conditional UPDATE (the same as
    ``filter(pk=pk, answered_at__isnull=True).update(...)``, written out because it runs for every worker every day);
    the fields prepare their values for the database as the ORM would."""
    from django.db import connection

    meta = DailyQuestion._meta
    values = [
        meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in (("given", given), ("correct", correct), ("answered_at", now))
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {meta.db_table} SET given = %s, correct = %s, answered_at = %s WHERE id = %s AND answered_at IS NULL",
            [*values, pk],
        )
        return cursor.rowcount


def apply_reviews(person_ids=None, batch=2000):
    """Apply answered, not yet reviewed daily questions to the workers' FSRS cards, oldest first (per person:
    one query when there is nothing to do). ``person_ids`` None = everybody. Returns the number applied."""
    pending = DailyQuestion.objects.filter(answered_at__isnull=False, reviewed=False)
    if person_ids is not None:
        pending = pending.filter(person_id__in=list(person_ids))
    done = 0
    while True:
        rows = list(pending.select_related("point").order_by("person_id", "date")[:batch])
        if not rows:
            return done
        with transaction.atomic():
            keys = {(r.person_id, r.point_id) for r in rows}
            cards = {
                (c.person_id, c.point_id): c
                for c in Card.objects.select_for_update().filter(
                    person_id__in={p for p, _ in keys}, point_id__in={q for _, q in keys}
                )
                if (c.person_id, c.point_id) in keys
            }
            new, changed = {}, {}
            for r in rows:
                key = (r.person_id, r.point_id)
                card = cards.get(key) or new.get(key)
                current = (
                    scheduling.load_card(card.state, r.point_id)
                    if card
                    else scheduling.new_card(r.point_id, r.answered_at)
                )
                updated = scheduling.review(current, r.point.high_risk, bool(r.correct), r.answered_at)
                if card is None:
                    card = Card(person_id=r.person_id, point_id=r.point_id, reviews=0, lapses=0)
                    new[key] = card
                elif key in cards:
                    changed[key] = card
                card.state, card.due, card.last_review = updated.to_dict(), updated.due, r.answered_at
                card.reviews += 1
                card.lapses += 0 if r.correct else 1
            Card.objects.bulk_create(list(new.values()))
            Card.objects.bulk_update(list(changed.values()), ["state", "due", "last_review", "reviews", "lapses"])
            DailyQuestion.objects.filter(pk__in=[r.pk for r in rows]).update(reviewed=True)
        done += len(rows)


def streak(person, today=None):
    """Days in a row with the daily question answered, ending today (or yesterday if today is still open)."""
    today = today or timezone.localdate()
    days = set(
        DailyQuestion.objects.filter(
            person=person, answered_at__isnull=False, date__gte=today - timedelta(days=400)
        ).values_list("date", flat=True)
    )
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


@dataclass
class Mastery:
    point: KnowledgePoint
    percent: int  # retrievability now, 0–100
    answered: int
    correct: int
    due_text: str
    for_job: bool


def mastery(person, now=None):
    """The worker's own mastery per knowledge point of their 工种."""
    now = now or timezone.now()
    apply_reviews([person.pk])
    point_ids = {p for _, p in eligible_questions(person.job_type_id)}
    choices = {c.point_id: c for c in _point_choices(person, list(point_ids), now)}
    stats = {
        row["point_id"]: row
        for row in DailyQuestion.objects.filter(person=person, answered_at__isnull=False)
        .values("point_id")
        .annotate(answered=Count("pk"), correct=Count("pk", filter=Q(correct=True)))
    }
    result = []
    for point in KnowledgePoint.objects.filter(pk__in=point_ids):
        choice = choices[point.pk]
        row = stats.get(point.pk, {})
        result.append(
            Mastery(
                point=point,
                percent=round(scheduling.retrievability(choice, now) * 100),
                answered=row.get("answered", 0),
                correct=row.get("correct", 0),
                due_text=scheduling.next_due_text(choice.card, now),
                for_job=choice.for_job,
            )
        )
    return sorted(result, key=lambda m: (m.answered == 0, m.percent, m.point.order))


# ---------------------------------------------------------------- the branch's view (secretary)


BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.TEAM)


def branches_of(user):
    """The branches whose training the user may follow (their own first); a 班组长's own team(s) otherwise."""
    visible = OrgNode.objects.visible_to(user, "training_results").order_by("path")
    return list(visible.filter(kind=OrgKind.BRANCH)[:300]) or list(visible.filter(kind=OrgKind.TEAM)[:300])


def get_branch(user, pk):
    branch = OrgNode.objects.visible_to(user, "training_results").filter(pk=pk, kind__in=BRANCH_KINDS).first()
    if branch is None:
        raise NotFound()
    return branch


@dataclass
class BranchOverview:
    branch: OrgNode
    on_duty: int
    answered_today: int
    correct_today: int
    missing_this_week: list
    weakest_points: list
    newcomers: list

    @property
    def participation(self):
        return round(self.answered_today * 100 / self.on_duty) if self.on_duty else 0


def branch_overview(user, branch, today=None):
    """Today's participation, who has not answered this week, the weakest points, new / transferred workers."""
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    people = Person.objects.visible_to(user, "training_results").filter(
        org__path__startswith=branch.path, work_status=WorkStatus.ON_DUTY
    )
    daily = DailyQuestion.objects.filter(person__in=people.values("pk"), answered_at__isnull=False)
    on_duty = people.count()
    today_stats = daily.filter(date=today).aggregate(n=Count("pk"), right=Count("pk", filter=Q(correct=True)))
    answered_week = daily.filter(date__gte=monday).values("person_id")
    missing = list(people.exclude(pk__in=answered_week).select_related("org").order_by("org__path", "emp_no")[:200])
    since = today - timedelta(days=30)
    weakest = list(
        daily.filter(date__gte=since)
        .values("point__name")
        .annotate(n=Count("pk"), right=Count("pk", filter=Q(correct=True)))
        .filter(n__gte=3)
        .order_by("point__name")
    )
    for row in weakest:
        row["rate"] = round(row["right"] * 100 / row["n"])
    weakest.sort(key=lambda r: (r["rate"], -r["n"]))
    newcomers = _newcomers(people, today)
    return BranchOverview(branch, on_duty, today_stats["n"], today_stats["right"], missing, weakest[:5], newcomers)


def _newcomers(people, today):
    hire_since = window_start(settings.HONGLING_NEW_HIRE_DAYS)
    moved_since = window_start(settings.HONGLING_TRANSFER_DAYS)
    moved = Transfer.objects.filter(person=OuterRef("pk"), date__gte=moved_since)
    since = today - timedelta(days=30)
    rows = (
        people.annotate(recently_moved=Exists(moved))
        .filter(Q(hire_date__gte=hire_since) | Q(recently_moved=True))
        .annotate(
            answered=Count(
                "daily_questions",
                filter=Q(daily_questions__answered_at__isnull=False, daily_questions__date__gte=since),
            ),
            right=Count("daily_questions", filter=Q(daily_questions__correct=True, daily_questions__date__gte=since)),
        )
        .select_related("job_type", "org")
        .order_by("hire_date", "emp_no")[:100]
    )
    result = []
    for p in rows:
        p.rate = round(p.right * 100 / p.answered) if p.answered else None
        p.reason = "新入职" if p.hire_date >= hire_since else "转岗"
        result.append(p)
    return result


def set_question_status(user, pk, status):
    """Start, stop or draft a question (its current version)."""
    if not scope.can(user, "training_bank"):
        raise NotFound()
    question = Question.objects.filter(pk=pk, replaced_by__isnull=True).first()
    if question is None or status not in QuestionStatus.values:
        raise NotFound()
    question.status = status
    question.save(update_fields=["status"])
    return question


def save_bank_question(
    user, *, code, point, type, stem, options, answer, explanation, clause, difficulty, status, job_types=(),
    groups=(), underground_only=False, current=None,
):  # fmt: skip
    """Create or edit a bank question (read by ``training.forms.QuestionForm``); an answered question gets a new
    version (see bank.save_question). A new question's 题号 must be free."""
    from training.bank import save_question

    if not scope.can(user, "training_bank"):
        raise NotFound()
    if current is None and Question.objects.filter(code=code).exists():
        raise ValidationError({"code": f"题号 {code} 已存在"})
    fields = {"type": type, "stem": stem, "options": options, "answer": answer, "explanation": explanation,
              "clause": clause, "difficulty": difficulty}  # fmt: skip
    return save_question(
        code,
        point,
        fields,
        list(job_types),
        status=status,
        source=current.source if current else "manual",
        groups=list(groups),
        underground_only=underground_only,
    )


def save_point(
    user, *, code, name, parent=None, order=0, high_risk=False, underground_only=False, every_underground=False,
    job_types=(), groups=(), current=None,
):  # fmt: skip
    """Create or edit a knowledge point of the tree (the committee's; read by ``training.forms.PointForm``)."""
    if not scope.can(user, "training_bank"):
        raise NotFound()
    if current is None and KnowledgePoint.objects.filter(code=code).exists():
        raise ValidationError({"code": f"编码 {code} 已存在"})
    node = parent
    while node is not None:  # no cycles: a point cannot sit under itself or its own descendants
        if current is not None and node.pk == current.pk:
            raise ValidationError({"parent": "上级不能是它自己或它的下级"})
        node = node.parent
    point = current or KnowledgePoint(code=code)
    point.name, point.parent, point.order = name, parent, order
    point.high_risk, point.underground_only, point.every_underground = high_risk, underground_only, every_underground
    point.save()
    point.job_types.set(job_types)
    point.groups.set(groups)
    return point


def answered_today(user):
    """Whether the user's own question of today is answered (None: the user has no daily question)."""
    if not user.is_authenticated or not user.person_id:
        return None
    return DailyQuestion.objects.filter(
        person_id=user.person_id, date=timezone.localdate(), answered_at__isnull=False
    ).exists()


# ---------------------------------------------------------------- the nightly preparation


def prepare_day(day=None, now=None, mine=None, chunk=1000, log=lambda msg: None):
    """Apply the answers not yet on the cards, then make the day's question for every on-duty worker who has none
    (``manage.py prepare_daily_questions``, run by a timer shortly after midnight). Workers who open the app before
    it ran, or join during the day, get theirs made on their first request as before; the result is the same."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    applied = apply_reviews()
    people = Person.objects.filter(work_status=WorkStatus.ON_DUTY).exclude(daily_questions__date=day)
    if mine is not None:
        people = people.filter(mine=mine)
    rows = list(people.order_by("pk").values_list("pk", "job_type_id"))
    by_job, points = {}, {}
    made = 0
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        ids = [pk for pk, _ in part]
        cards = {}
        for c in Card.objects.filter(person_id__in=ids):
            cards[(c.person_id, c.point_id)] = c
        seen = {}
        for person_id, question_id, n in (
            DailyQuestion.objects.filter(person_id__in=ids)
            .values_list("person_id", "question_id")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            seen.setdefault(person_id, {})[question_id] = n
        batch = []
        for person_id, job_type_id in part:
            if job_type_id not in by_job:
                grouped = {}
                for question_id, point_id in eligible_questions(job_type_id):
                    grouped.setdefault(point_id, []).append(question_id)
                by_job[job_type_id] = grouped
                fits = targeting.own_point_ids(job_type_id)
                points[job_type_id] = {
                    p.pk: (p.high_risk, p.order, p.pk in fits)
                    for p in KnowledgePoint.objects.filter(pk__in=list(grouped))
                }
            grouped = by_job[job_type_id]
            if not grouped:
                continue
            choices = [
                scheduling.PointChoice(
                    point_id=pid,
                    high_risk=hr,
                    for_job=fj,
                    order=order,
                    card=scheduling.load_card(cards[(person_id, pid)].state, pid)
                    if (person_id, pid) in cards
                    else None,
                )  # fmt: skip
                for pid, (hr, order, fj) in points[job_type_id].items()
            ]
            choice = scheduling.choose_point(choices, now)
            question_id = scheduling.choose_question(grouped[choice.point_id], seen.get(person_id, {}), person_id, day)
            batch.append(
                DailyQuestion(person_id=person_id, date=day, question_id=question_id, point_id=choice.point_id)
            )
        made += len(DailyQuestion.objects.bulk_create(batch, ignore_conflicts=True, batch_size=1000))
        log(f"{min(start + chunk, len(rows))}/{len(rows)}")
    return applied, made


# ---------------------------------------------------------------- 工种组 (whom the bank is targeted at)


def save_group(user, *, code, name, order=0, underground=False, job_types=(), current=None):
    """Create or edit a 工种组 (name, underground, order, its 工种); the committee's, like the knowledge points."""
    if not scope.can(user, "training_bank"):
        raise NotFound()
    if current is None and JobGroup.objects.filter(code=code).exists():
        raise ValidationError({"code": f"编码 {code} 已存在"})
    if JobGroup.objects.filter(name=name).exclude(pk=current.pk if current else None).exists():
        raise ValidationError({"name": f"已有名为 {name} 的工种组"})
    group = current or JobGroup(code=code)
    group.name, group.order, group.underground = name, order, underground
    group.save()
    group.job_types.set(job_types)
    return group
