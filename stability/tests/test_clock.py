"""The petition clock at its boundaries (《信访工作条例》2022; counting as 民法典 第二百零一、二百零三条)."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.test import override_settings

from stability import clock

N = clock.Numbers(roll_holidays=False)
ROLL = clock.Numbers(roll_holidays=True)
MON = date(2026, 3, 2)  # a Monday


def p(status, **dates):
    base = dict(
        received_on=MON, accepted_on=None, answered_on=None, extended_days=0, paused_days=0,
        review_requested_on=None, review_answered_on=None, recheck_requested_on=None, recheck_answered_on=None,
    )  # fmt: skip
    base.update(dates)
    return SimpleNamespace(status=status, **base)


def test_acceptance_notice_is_due_on_day_15_and_late_on_day_16():
    petition = p("received")
    assert clock.accept_due(MON, N) == MON + timedelta(days=15)
    assert clock.colour(petition, MON + timedelta(days=15), N) == clock.NEAR
    assert clock.colour(petition, MON + timedelta(days=16), N) == clock.OVERDUE
    in_time = p("accepted", accepted_on=MON + timedelta(days=15))
    late = p("accepted", accepted_on=MON + timedelta(days=16))
    assert not clock.was_late(in_time, N)
    assert clock.was_late(late, N)


def test_handling_is_due_60_days_after_acceptance_not_receipt():
    accepted = MON + timedelta(days=10)
    petition = p("accepted", accepted_on=accepted)
    assert clock.deadline(petition, N) == ("办结答复", accepted + timedelta(days=60))
    assert clock.colour(petition, accepted + timedelta(days=60), N) == clock.NEAR
    assert clock.colour(petition, accepted + timedelta(days=61), N) == clock.OVERDUE
    answered_61 = p("answered", accepted_on=accepted, answered_on=accepted + timedelta(days=61))
    answered_60 = p("answered", accepted_on=accepted, answered_on=accepted + timedelta(days=60))
    assert clock.was_late(answered_61, N) and not clock.was_late(answered_60, N)
    assert clock.colour(answered_61, accepted + timedelta(days=100), N) == clock.DONE


def test_the_extension_moves_the_last_day_and_a_suspension_does_not_count():
    accepted = MON
    extended = p("accepted", accepted_on=accepted, extended_days=30)
    assert clock.deadline(extended, N)[1] == accepted + timedelta(days=90)
    assert clock.colour(extended, accepted + timedelta(days=61), N) == clock.RUNNING
    assert clock.colour(extended, accepted + timedelta(days=91), N) == clock.OVERDUE
    paused = p("accepted", accepted_on=accepted, paused_days=7)
    assert clock.deadline(paused, N)[1] == accepted + timedelta(days=67)
    assert clock.colour(p("suspended", accepted_on=accepted), accepted + timedelta(days=200), N) == clock.SUSPENDED


def test_review_and_recheck_windows_are_30_plus_30_days():
    answered = MON
    assert clock.review_request_until(answered, N) == answered + timedelta(days=30)
    asked = answered + timedelta(days=30)
    reviewing = p("reviewing", accepted_on=MON, answered_on=answered, review_requested_on=asked)
    assert clock.deadline(reviewing, N) == ("复查答复", asked + timedelta(days=30))
    assert clock.colour(reviewing, asked + timedelta(days=31), N) == clock.OVERDUE
    rechecking = p("rechecking", accepted_on=MON, answered_on=answered, review_requested_on=asked,
                   review_answered_on=asked + timedelta(days=5), recheck_requested_on=asked + timedelta(days=20))  # fmt: skip
    assert clock.deadline(rechecking, N) == ("复核答复", asked + timedelta(days=50))


def test_near_starts_when_near_days_are_left():
    petition = p("received")
    due = MON + timedelta(days=15)
    assert clock.colour(petition, due - timedelta(days=5), N) == clock.NEAR
    assert clock.colour(petition, due - timedelta(days=6), N) == clock.RUNNING


def test_a_period_ending_on_a_rest_day_ends_on_the_next_working_day():
    friday = date(2026, 3, 6)
    # 15 days after a Friday is a Saturday: the last day becomes Monday
    assert friday + timedelta(days=15) == date(2026, 3, 21)
    assert clock.accept_due(friday, ROLL) == date(2026, 3, 23)
    assert clock.accept_due(friday, N) == date(2026, 3, 21)
    with override_settings(HONGLING_HOLIDAYS=["2026-03-23"]):
        assert clock.accept_due(friday, ROLL) == date(2026, 3, 24)


@pytest.mark.parametrize("status", ["answered", "declined", "reviewed", "rechecked"])
def test_nothing_running_on_the_mines_side_is_done(status):
    petition = p(status, accepted_on=MON, answered_on=MON + timedelta(days=3))
    assert clock.deadline(petition, N) is None
    assert clock.colour(petition, MON + timedelta(days=400), N) == clock.DONE
