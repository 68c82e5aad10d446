"""隐患台账: the filtered list as .xlsx in the columns a mine keeps, made in the background (``common.generated``)
in bounded memory, at most the export cap (said in the file)."""

from django.utils import timezone

from common import export
from hazards import forms, services

LEDGER_COLUMNS = [
    ("no", "序号", 6), ("id", "隐患编号", 10), ("date", "排查日期", 12), ("shift", "班次", 8), ("location", "地点", 18),
    ("unit", "所属区队", 12), ("category", "专业", 8), ("grade", "等级", 6), ("description", "隐患描述", 40),
    ("clause", "违反条款", 20), ("finder", "发现人", 10), ("party", "党员", 6), ("r_unit", "责任单位", 12),
    ("r_person", "责任人", 10), ("measures", "整改措施", 30), ("funds", "资金(元)", 10), ("deadline", "整改期限", 12),
    ("status", "状态", 10), ("overdue", "超期", 6), ("closed", "销号日期", 12), ("supervised", "挂牌督办", 8),
]  # fmt: skip


def ledger_rows(user, params):
    return (
        services.filter_list(user, **forms.list_filters(params))
        .select_related(
            "location", "location__unit", "category", "grade", "found_by", "responsible_unit", "responsible_person",
            "shift",
        )
        .order_by("found_at", "pk")
    )  # fmt: skip


def ledger_row(n, h):
    return [
        n, h.pk, timezone.localtime(h.found_at).date(), h.shift.name if h.shift_id else "", h.location.name,
        h.location.unit.name, h.category.name, h.grade.name, h.description, h.clause,
        h.found_by.name if h.found_by_id else "", "是" if h.finder_is_party_member else "",
        h.responsible_unit.name if h.responsible_unit_id else "",
        h.responsible_person.name if h.responsible_person_id else "", h.measures, h.funds, h.deadline,
        h.get_status_display(), "是" if h.overdue else "",
        timezone.localtime(h.closed_at).date() if h.closed_at else None, "是" if h.supervised else "",
    ]  # fmt: skip


export.register_ledger("hazard_ledger", title="隐患台账", columns=LEDGER_COLUMNS, queryset=ledger_rows, row=ledger_row)
