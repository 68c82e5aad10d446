"""Exports of a filtered list as .xlsx, once: one row cap for every module, and a notice in the file where it cuts.

rows, cut = export.capped(qs.order_by("found_at", "pk"))
return export.xlsx("隐患台账", LEDGER_COLUMNS, [row(n, h) for n, h in enumerate(rows, 1)], cut)
"""

from django.conf import settings
from django.utils import timezone

from common.excel import Column, Sheet, workbook_bytes, xlsx_response


def max_rows():
    """The one cap on exported rows (settings ``HONGLING_EXPORT_MAX_ROWS``, default 100,000)."""
    return getattr(settings, "HONGLING_EXPORT_MAX_ROWS", 100_000)


def capped(queryset, limit=None):
    """(the first ``limit`` rows, whether there were more): one query of limit + 1 rows."""
    limit = limit or max_rows()
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit


def notes(title, count, cut, unit="条", extra=()):
    """The lines above the header: what, when, how many; and "仅导出前 N 条" when the cap cut the list."""
    lines = [f"{title} 导出于 {timezone.localtime():%Y-%m-%d %H:%M} 共 {count} {unit}", *extra]
    if cut:
        lines.append(f"仅导出前 {max_rows()} {unit},请缩小筛选范围后分批导出")
    return lines


def sheet_bytes(title, columns, rows, cut, unit="条", extra=(), sheet=None):
    """The .xlsx bytes of one sheet; ``columns``: (key, header, width) triples or ``Column``s."""
    columns = [c if isinstance(c, Column) else Column(c[0], c[1], width=c[2]) for c in columns]
    return workbook_bytes([Sheet(sheet or title, columns, rows, notes=notes(title, len(rows), cut, unit, extra))])


def xlsx(title, columns, rows, cut, unit="条", extra=(), sheet=None):
    """The download: ``<title>-<date>.xlsx``."""
    content = sheet_bytes(title, columns, rows, cut, unit, extra, sheet)
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", content)
