"""Demo data of the 微训课堂: the starter bank, and a few weeks of daily questions answered in the first mine."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from common.demo import demo_step
from orgs.models import Person, WorkStatus
from training import scheduling
from training.bank import load_starter_bank
from training.models import Card, DailyQuestion, KnowledgePoint
from training.services import eligible_questions

HISTORY_DAYS = {"small": 14, "mine": 21, "group": 7}
PEOPLE = {"small": 200, "mine": 1500, "group": 1500}


@demo_step(order=30)
def training(ctx):
    counts = load_starter_bank()
    ctx.log(f"题库: {sum(counts.values())} 题")
    _history(ctx)


def _history(ctx):
    """Daily questions of the last weeks for part of the first mine: simulated with the real scheduler."""
    rng = ctx.rng
    mine = ctx.mines[0]
    people = list(
        Person.objects.filter(mine=mine, work_status=WorkStatus.ON_DUTY).order_by("emp_no")[: PEOPLE[ctx.size]]
    )
    points = {p.pk: p for p in KnowledgePoint.objects.all()}
    by_job = {}
    tz = timezone.get_current_timezone()
    dailies, cards = [], []
    for person in people:
        if person.job_type_id not in by_job:
            pairs = eligible_questions(person.job_type_id)
            grouped = {}
            for q, p in pairs:
                grouped.setdefault(p, []).append(q)
            by_job[person.job_type_id] = grouped
        grouped = by_job[person.job_type_id]
        skill = rng.uniform(0.45, 0.95)
        state = {}
        seen = {}
        days = HISTORY_DAYS[ctx.size]
        for back in range(days, 0, -1):
            day = ctx.today - timedelta(days=back)
            if rng.random() < 0.2:  # not every worker answers every day
                continue
            now = datetime.combine(day, time(7, 30), tzinfo=tz)
            choices = [
                scheduling.PointChoice(pid, points[pid].high_risk, False, points[pid].order, state.get(pid))
                for pid in grouped
            ]
            choice = scheduling.choose_point(choices, now)
            qid = scheduling.choose_question(grouped[choice.point_id], seen, person.pk, day)
            seen[qid] = seen.get(qid, 0) + 1
            correct = rng.random() < skill
            card = state.get(choice.point_id) or scheduling.new_card(choice.point_id, now)
            state[choice.point_id] = scheduling.review(card, choice.high_risk, correct, now)
            dailies.append(
                DailyQuestion(
                    person=person,
                    date=day,
                    question_id=qid,
                    point_id=choice.point_id,
                    given=[],
                    correct=correct,
                    answered_at=now,
                    reviewed=True,
                )
            )
        for pid, card in state.items():
            cards.append(
                Card(
                    person=person,
                    point_id=pid,
                    state=card.to_dict(),
                    due=card.due,
                    last_review=card.last_review,
                    reviews=1,
                )
            )
    DailyQuestion.objects.bulk_create(dailies, batch_size=2000)
    Card.objects.bulk_create(cards, batch_size=2000)
    ctx.log(f"每日一题: {len(dailies)} 条作答记录")
