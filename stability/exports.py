"""信访台账: the ledger as filtered on the page (year, colour, class) as .xlsx — dates, status and colour, never the
contents — made in the background (``common.generated``) in bounded memory, at most the export cap (said in the
file)."""

from itertools import islice

from django.utils import timezone

from common import export
from stability import clock, services

COLUMNS = [
    ("received_on", "收到日期", 12), ("org", "支部/单位", 20), ("channel", "渠道", 10), ("klass", "类别", 10),
    ("people", "人数", 6), ("status", "状态", 12), ("colour", "办理情况", 8), ("accepted_on", "受理告知日期", 12),
    ("due", "当前期限", 12), ("answered_on", "答复日期", 12), ("level", "化解层级", 8), ("satisfaction", "满意度", 10),
]  # fmt: skip
CHUNK = 500  # rows given their colours together (the numbers of their mines read once per chunk at most)


def ledger_queryset(user, params):
    """The page's filters (``params``: year, colour, klass as the list read them) on the user's petitions."""
    return services.ledger_rows(
        user, year=params.get("year"), colour=params.get("colour", ""), klass=params.get("klass", "")
    )


def ledger_lines(user, params, values):
    today = timezone.localdate()
    values = iter(values)
    while chunk := [services.PetitionRow(v) for v in islice(values, CHUNK)]:
        for p, colour, due in services.with_clock(user, chunk, today):
            yield [
                p.received_on, p.org.name, p.get_channel_display(), p.get_klass_display(), p.people_count,
                p.get_status_display(), clock.COLOUR_LABELS[colour], p.accepted_on, due[1] if due else None,
                p.answered_on, p.get_level_display(), p.get_satisfaction_display(),
            ]  # fmt: skip


def ledger_notes(user, params):
    return [f"{params['year']}年,不含信访内容" if params.get("year") else "不含信访内容"]


export.register_ledger(
    "petition_ledger",
    title="信访台账",
    columns=COLUMNS,
    queryset=ledger_queryset,
    rows=ledger_lines,
    unit="件",
    extra=ledger_notes,
)
