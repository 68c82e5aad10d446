"""Which question a worker gets today: FSRS over (worker, knowledge point) cards. Pure functions, no database.

- Every knowledge point of the worker's 工种 is a card. A card never reviewed is new (retrievability 0).
- The point chosen is the due one with the lowest retrievability now; ties go to points written for the worker's
  own 工种 (so new hires and transferred workers start on the points of their job), then high-risk points.
  When nothing is due, the lowest retrievability wins anyway: there is a question every day.
- Inside the point, the question the worker has seen least; ties broken by a hash of (person, date, question),
  the same in every process, so the choice is stable within a day.
- High-risk points (瓦斯, 水, 火, 顶板, 煤尘) are scheduled for a higher retention, i.e. they come back sooner.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache

from django.conf import settings
from fsrs import Card, Rating, Scheduler


@lru_cache(maxsize=8)
def _scheduler(retention):
    # Daily questions: no intra-day learning steps, no fuzz (the same history gives the same schedule everywhere).
    return Scheduler(desired_retention=retention, learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def scheduler_for(high_risk):
    retention = settings.HONGLING_RETENTION_HIGH_RISK if high_risk else settings.HONGLING_RETENTION
    return _scheduler(retention)


def utc(moment):
    """fsrs works in UTC only."""
    return moment.astimezone(UTC)


def load_card(state, point_id):
    return Card.from_dict(state) if state else None


def new_card(point_id, now):
    return Card(card_id=point_id, due=utc(now))


@dataclass(frozen=True)
class PointChoice:
    point_id: int
    high_risk: bool
    for_job: bool  # written for the worker's own 工种 (not a point for everyone)
    order: int
    card: Card | None  # None: never reviewed


def retrievability(choice, now):
    if choice.card is None or choice.card.last_review is None:
        return 0.0
    return scheduler_for(choice.high_risk).get_card_retrievability(choice.card, utc(now))


def choose_point(choices, now):
    """The point of today's question; ``choices`` are the worker's points (with at least one question each)."""
    if not choices:
        return None
    end_of_day = datetime.combine(now.date(), time.max, tzinfo=now.tzinfo)
    due = [c for c in choices if c.card is None or c.card.due is None or c.card.due <= end_of_day]
    pool = due or list(choices)
    return min(
        pool, key=lambda c: (round(retrievability(c, now), 6), not c.for_job, not c.high_risk, c.order, c.point_id)
    )


def stable_rank(person_id, day, question_id):
    digest = hashlib.sha256(f"{person_id}:{day.isoformat()}:{question_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def choose_question(question_ids, seen, person_id, day):
    """The question of the point the worker has seen least (``seen``: {question id: times}), stable per day."""
    return min(question_ids, key=lambda q: (seen.get(q, 0), stable_rank(person_id, day, q)))


def review(card, high_risk, correct, now):
    """The card after an answer: right = Good, wrong = Again."""
    updated, _log = scheduler_for(high_risk).review_card(card, Rating.Good if correct else Rating.Again, utc(now))
    return updated


def next_due_text(card, now):
    if card is None or card.due is None:
        return ""
    days = (card.due - now) / timedelta(days=1)
    return "明天" if days < 1.5 else f"{round(days)} 天后"
