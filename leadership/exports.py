"""会议与整改台账: the meetings of the list (its 会议类型 filter) with their decisions, and the rectification items
of the user's scope, in one file of three sheets made in the background (``common.generated``) in bounded memory,
at most the export cap per sheet (said in it). Criticism contents are not in it (sensitive)."""

from django.db.models import Count

from common import export
from common.excel import Column
from leadership import services
from leadership.models import Decision, MeetingKind, Rectification
from orgs import scope


def _kind(params):
    return services.meeting_kind(params.get("kind", ""))


def _in_reach(user, qs):
    return qs if scope.can(user, "leadership") else qs.none()


def meetings(user, params):
    return _in_reach(user, services.meetings_listed(user, kind=_kind(params)).annotate(n=Count("decisions")))


def meeting_line(n, m):
    held = ("有效" if m.valid else "未过半数") if m.held else "未登记出席"
    return [m.date, m.org.name, m.get_kind_display(), m.topic, m.expected, m.present, held, m.n]


def decisions(user, params):
    qs = Decision.objects.visible_to(user).select_related("meeting", "owner").order_by("deadline", "pk")
    kind = _kind(params)
    return _in_reach(user, qs.filter(meeting__kind=kind) if kind else qs)


def decision_line(n, d):
    done = d.done_on or ("已超期" if d.overdue else "办理中")
    return [str(d.meeting), d.text, d.get_mode_display(), d.owner.name, d.deadline, done]


def rectifications(user, params):
    qs = Rectification.objects.visible_to(user).select_related("life__org", "owner", "checked_by__person")
    return _in_reach(user, qs.order_by("checked_on", "deadline", "pk"))


def rectification_line(n, r):
    checked = f"{r.checked_by.display_name()} {r.checked_on:%Y-%m-%d}" if r.checked_on else ""
    return [r.life.org.name, r.life.year, r.problem, r.measure, r.owner.name, r.deadline, r.status_label, checked]


def _kind_note(user, params):
    kind = _kind(params)
    return [f"会议类型:{MeetingKind(kind).label}"] if kind else []


export.register_ledger(
    "leadership_ledger",
    title="班子建设台账",
    sheets=[
        export.LedgerSheet(
            "会议",
            [Column("date", "日期", width=12), Column("org", "组织", width=20), Column("kind", "类型", width=10),
             Column("topic", "主题", width=36), Column("expected", "应到", width=6), Column("present", "实到", width=6),
             Column("valid", "是否有效", width=10), Column("n", "决议数", width=8)],
            meetings, meeting_line, unit="次", extra=_kind_note,
        ),
        export.LedgerSheet(
            "会议决议",
            [Column("meeting", "会议", width=30), Column("text", "决议事项", width=40), Column("mode", "决策方式", width=10),
             Column("owner", "责任人", width=10), Column("deadline", "期限", width=12), Column("done", "完成", width=12)],
            decisions, decision_line, sheet="决议", extra=_kind_note,
        ),
        export.LedgerSheet(
            "整改事项",
            [Column("org", "支部", width=20), Column("year", "年度", width=6), Column("problem", "问题", width=36),
             Column("measure", "措施", width=36), Column("owner", "责任人", width=10), Column("deadline", "期限", width=12),
             Column("status", "状态", width=8), Column("checked", "验收", width=16)],
            rectifications, rectification_line,
        ),
    ],
)  # fmt: skip
