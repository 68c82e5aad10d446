"""急难险重任务台账: the filtered list as .xlsx, made in the background (``common.generated``) in bounded memory."""

from common import export
from common.errors import NotFound
from frontline import forms, services

URGENT_COLUMNS = [
    ("no", "序号", 6), ("date", "日期", 12), ("branch", "党支部", 18), ("title", "任务", 28), ("kind", "类别", 12), ("place", "地点", 18),
    ("role", "书记角色", 12), ("content", "任务经过", 40), ("result", "结果", 30), ("people", "参与人员", 30), ("by", "记录人", 10),
]  # fmt: skip


def urgent_rows(user, params):
    if not services.scope.can(user, "frontline"):
        raise NotFound()
    return (
        services.filter_urgent(user, **forms.UrgentFilters(params).values())
        .select_related("branch", "recorded_by", "recorded_by__person")
        .prefetch_related("people")
        .order_by("date", "pk")
    )


def urgent_row(n, t):
    return [
        n, t.date, t.branch.name, t.title, t.get_kind_display(), t.place, t.get_role_display(), t.content, t.result,
        "、".join(p.name for p in t.people.all()), t.recorded_by.display_name(),
    ]  # fmt: skip


export.register_ledger(
    "urgent_ledger", title="急难险重任务台账", columns=URGENT_COLUMNS, queryset=urgent_rows, row=urgent_row, unit="项",
    sheet="急难险重",
)  # fmt: skip
