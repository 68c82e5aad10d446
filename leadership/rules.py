"""The numbers and the steps of 基层班子建设 (SPEC §4.5), from 《中国共产党支部工作条例（试行）》.

Every number is a default a deployment may change in ``settings.HONGLING_LEADERSHIP`` (a dict with the same keys),
e.g. ``HONGLING_LEADERSHIP = {"term_years": 5}``. The steps of the 组织生活会 and of the 民主评议党员 are tables of
allowed transitions, run by the workflow kernel (``common.workflow``): the states and their labels are here, the
tables in ``leadership/services.py``.
"""

from django.conf import settings

DEFAULTS = {
    # 支委会 每届任期 (years); 区队行政班子 has no elected term (None = open)
    "term_years": 3,
    # meeting kind -> the interval (months) within which one must be held
    "interval_months": {"committee": 1, "general": 3, "group": 1, "theme_day": 1},
    # 主题党日: the fixed day of each month
    "theme_day": 15,
    # a notice not read after this many days is a 待办 of its sender
    "notice_unread_days": 3,
    # a 组织生活会 at least once a year
    "life_meetings_per_year": 1,
}


def setting(name):
    return getattr(settings, "HONGLING_LEADERSHIP", {}).get(name, DEFAULTS[name])


def more_than_half(present, expected):
    """会议有效:应到会人员过半数到会 (strictly more than half)."""
    return expected > 0 and present * 2 > expected


# ---------------------------------------------------------------- 组织生活会: a closed loop in the rules' steps

# state -> label
LIFE_STATES = {
    "planned": "确定主题",
    "study": "会前学习",
    "talks": "谈心谈话",
    "opinions": "征求意见",
    "meeting": "召开会议",
    "rectify": "整改落实",
    "closed": "已闭环",
}

# the transitions (who, guards) are the table ``LIFE_MACHINE`` in leadership/services.py (common.workflow)

# ---------------------------------------------------------------- 民主评议党员

APPRAISAL_STATES = {
    "self": "个人自评",
    "mutual": "党员互评",
    "poll": "民主测评",
    "decide": "支委会评定",
    "done": "已评定",
}

# the transitions: ``APPRAISAL_MACHINE`` in leadership/services.py
