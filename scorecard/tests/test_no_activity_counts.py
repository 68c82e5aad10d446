"""No indicator counts activity (SPEC §6; 2024 减负 rules, 2026 rules on official apps): log-ins, clicks, time online,
reading time, photos, points, or whether a meeting was held or a document issued as such."""

import inspect
import re

from scorecard import indicators

# models whose rows are activity, not results
FORBIDDEN_SOURCES = {
    "sessions.Session",  # time online
    "axes.AccessAttempt",  # log-ins
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "auditlog.LogEntry",  # clicks and edits
    "orgs.SensitiveAccess",  # page views
    "orgs.ApiToken",
    "frontline.DiaryRead",  # reading
    "training.DailyQuestion",  # answers given, streaks (not mastery)
    "training.LessonCompletion",  # lessons opened / read
    "hazards.HazardPhoto",  # photos
    "leadership.Meeting",  # a meeting held as such
    "leadership.Notice",  # a document issued as such
}
# names in an indicator's code that would read activity
FORBIDDEN_NAMES = re.compile(
    r"last_login|Session|AccessLog|AccessAttempt|LogEntry|SensitiveAccess|DiaryRead|DailyQuestion|LessonCompletion"
    r"|HazardPhoto|\bphoto|\bpoints\b|streak|Meeting\.objects|Notice\.objects|read_at|time_online"
)
FORBIDDEN_WORDS = (
    "登录",
    "点击",
    "在线",
    "时长",
    "照片",
    "拍照",
    "积分",
    "打卡",
    "签到",
    "开会次数",
    "发文",
    "学习笔记",
)


def test_no_indicator_reads_an_activity_source():
    offending = [(i.code, sorted(set(i.sources) & FORBIDDEN_SOURCES)) for i in indicators.all_indicators()]
    assert not [o for o in offending if o[1]], offending


def test_no_indicator_code_touches_activity_records():
    offending = [i.code for i in indicators.all_indicators() if FORBIDDEN_NAMES.search(inspect.getsource(i.fn))]
    assert not offending


def test_no_indicator_is_named_or_defined_by_activity():
    offending = [i.code for i in indicators.all_indicators() if any(w in i.name + i.formula for w in FORBIDDEN_WORDS)]
    assert not offending


def test_the_checks_catch_an_activity_indicator():
    """The checks above would fail on an indicator that counted log-ins."""

    def logins(ctx):
        from orgs.models import User

        return User.objects.filter(last_login__gte=ctx.start).count()

    bad = indicators.Indicator(code="X", name="登录次数", responsibility=1, direction="up", target=1, unit="次",
                               formula="登录次数", sources=("axes.AccessLog",), fn=logins)  # fmt: skip
    assert set(bad.sources) & FORBIDDEN_SOURCES
    assert FORBIDDEN_NAMES.search(inspect.getsource(bad.fn))
    assert any(w in bad.name for w in FORBIDDEN_WORDS)
