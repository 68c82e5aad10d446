"""The legal clock of a petition (《信访工作条例》2022), in one place.

- 受理: decide and tell the petitioner in writing within ``accept_days`` (15) of receipt (第二十四条).
- 办理: answer within ``handle_days`` (60) of acceptance; once, with approval and a reason told to the petitioner,
  longer by at most ``extend_days`` (30) (第三十五条).
- 复查: the petitioner may ask within ``review_request_days`` (30) of the answer; the answer to it is due within
  ``review_answer_days`` (30) of the request. 复核 after the 复查 likewise (第三十六、三十七条).

Counting (民法典 第二百零一、二百零三条, which the 条例 follows): the day of the event is not counted, so "within 15
days" of a receipt on the 1st ends on the 16th; when the last day is a rest day (Saturday, Sunday, or a date in
``settings.HONGLING_HOLIDAYS``) the period ends on the next working day. A mine may switch that roll-over off
(``StabilitySettings.roll_holidays``). Everything here is a pure function of dates and the mine's numbers.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings as django_settings

# ledger colours
DONE = "done"  # 办结
NEAR = "near"  # 临期
OVERDUE = "overdue"  # 超期
SUSPENDED = "suspended"  # 中止
RUNNING = "running"  # 在办 (in time)
COLOUR_LABELS = {DONE: "办结", NEAR: "临期", OVERDUE: "超期", SUSPENDED: "中止", RUNNING: "在办"}
COLOUR_CLASSES = {
    DONE: "success",
    NEAR: "warning",
    OVERDUE: "danger",
    SUSPENDED: "secondary",
    RUNNING: "primary",
}


@dataclass(frozen=True)
class Numbers:
    accept_days: int = 15
    handle_days: int = 60
    extend_days: int = 30
    review_request_days: int = 30
    review_answer_days: int = 30
    near_days: int = 5
    roll_holidays: bool = True

    @classmethod
    def of(cls, cfg):
        """The numbers of a ``StabilitySettings`` row (or the defaults for None)."""
        if cfg is None:
            return cls()
        return cls(**{f: getattr(cfg, f) for f in cls.__dataclass_fields__})


def holidays():
    return {
        date.fromisoformat(d) if isinstance(d, str) else d for d in getattr(django_settings, "HONGLING_HOLIDAYS", ())
    }


def is_rest_day(day, extra=None):
    return day.weekday() >= 5 or day in (extra if extra is not None else holidays())


def period_end(start, days, numbers=Numbers()):
    """The last day of a period of ``days`` days after ``start`` (``start`` itself not counted)."""
    end = start + timedelta(days=days)
    if numbers.roll_holidays:
        rest = holidays()
        while is_rest_day(end, rest):
            end += timedelta(days=1)
    return end


def accept_due(received_on, numbers=Numbers()):
    return period_end(received_on, numbers.accept_days, numbers)


def handle_due(accepted_on, extended_days=0, numbers=Numbers()):
    return period_end(accepted_on, numbers.handle_days + extended_days, numbers)


def review_request_until(answered_on, numbers=Numbers()):
    return period_end(answered_on, numbers.review_request_days, numbers)


def review_answer_due(requested_on, numbers=Numbers()):
    return period_end(requested_on, numbers.review_answer_days, numbers)


def deadline(petition, numbers=Numbers()):
    """What the mine must do next and by when: (label, date), or None when nothing is running on the mine's side."""
    s = petition.status
    # a record missing the date of its step (typed in elsewhere, imported) counts from the step before it
    accepted = petition.accepted_on or petition.received_on
    answered = petition.answered_on or accepted
    reviewed = petition.review_answered_on or answered
    if s == "received":
        return ("书面告知受理", accept_due(petition.received_on, numbers))
    if s == "accepted":
        return ("办结答复", handle_due(accepted, petition.extended_days + petition.paused_days, numbers))
    if s == "reviewing":
        return ("复查答复", review_answer_due(petition.review_requested_on or answered, numbers))
    if s == "rechecking":
        return ("复核答复", review_answer_due(petition.recheck_requested_on or reviewed, numbers))
    return None


def colour(petition, today, numbers=Numbers()):
    """The ledger colour: 中止, 办结 (nothing running on the mine's side), 超期 (past the last day), 临期 (at most
    ``near_days`` left), else 在办."""
    if petition.status == "suspended":
        return SUSPENDED
    due = deadline(petition, numbers)
    if due is None:
        return DONE
    if today > due[1]:
        return OVERDUE
    if (due[1] - today).days <= numbers.near_days:
        return NEAR
    return RUNNING


def was_late(petition, numbers=Numbers()):
    """Whether any step was done after its last day (for a petition already answered)."""
    if petition.accepted_on and petition.accepted_on > accept_due(petition.received_on, numbers):
        return True
    if petition.accepted_on and petition.answered_on:
        extra = petition.extended_days + petition.paused_days
        if petition.answered_on > handle_due(petition.accepted_on, extra, numbers):
            return True
    for asked, answered in (
        (petition.review_requested_on, petition.review_answered_on),
        (petition.recheck_requested_on, petition.recheck_answered_on),
    ):
        if asked and answered and answered > review_answer_due(asked, numbers):
            return True
    return False


def is_overdue(petition, today, numbers=Numbers()):
    return colour(petition, today, numbers) == OVERDUE or (
        colour(petition, today, numbers) == DONE and was_late(petition, numbers)
    )
