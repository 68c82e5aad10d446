"""Exports of a filtered list as .xlsx, once: one row cap for every module, and a notice in the file where it cuts.

A small export in the request::

    rows, cut = export.capped(qs.order_by("occurred_on", "pk"))
    return export.xlsx("三违台账", LEDGER_COLUMNS, [row(n, v) for n, v in enumerate(rows, 1)], cut)

A ledger that can be long is made in the background (``common.generated``), streamed in bounded memory::

    export.register_ledger("hazard_ledger", title="隐患台账", columns=LEDGER_COLUMNS, queryset=rows_of, row=row)
    return export.start_ledger(request, "hazard_ledger")   # the button's POST view: to the file's page
"""

from collections.abc import Callable
from dataclasses import dataclass

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


# ---------------------------------------------------------------- ledgers made in the background


PROGRESS_EVERY = 500  # rows between two progress calls (the progress row itself is throttled by common.generated)


def stream(queryset, progress=None, limit=None, chunk_size=2000):
    """(the rows of ``queryset`` as an iterator, how many it yields, whether the cap cut the list).

    The rows are counted first (up to the cap, without reading them), then read in chunks of ``chunk_size`` (a
    server-side cursor on PostgreSQL; ``prefetch_related`` is done per chunk), so a ledger of 100,000 rows never
    holds more than one chunk of objects. ``progress(done, total)`` is called as the rows go by."""
    limit = limit or max_rows()
    counted = queryset.order_by()[: limit + 1].count()
    total, cut = min(counted, limit), counted > limit

    def rows():
        done = 0
        for obj in queryset[:limit].iterator(chunk_size=chunk_size):
            done += 1
            yield obj
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, total)
        if progress is not None:
            progress(done, max(done, total))

    return rows(), total, cut


def write(path, title, columns, rows, count, cut, unit="条", extra=(), sheet=None):
    """Write one sheet to ``path``, streaming ``rows`` (an iterable of value lists) into a write-only workbook."""
    from common.excel import write_workbook

    columns = [c if isinstance(c, Column) else Column(c[0], c[1], width=c[2]) for c in columns]
    write_workbook(path, [Sheet(sheet or title, columns, rows, notes=notes(title, count, cut, unit, extra))])


@dataclass(frozen=True)
class LedgerSheet:
    """One sheet of a ledger of several sheets (``register_ledger(kind, title=, sheets=[...])``): its title (the
    notes' and, unless ``sheet``, the tab's), columns, ``queryset(user, params)`` and ``row(n, obj)`` or ``rows``."""

    title: str
    columns: list
    queryset: Callable
    row: Callable | None = None
    rows: Callable | None = None
    unit: str = "条"
    sheet: str | None = None
    extra: Callable | None = None


def register_ledger(kind, *, title, columns=None, queryset=None, row=None, rows=None, unit="条", sheet=None,
                    extra=None, sheets=None):  # fmt: skip
    """A ledger export made in the background (``common.generated``), in bounded memory.

    ``queryset(user, params)``: the rows in the user's scope, filtered by ``params`` (the list page's query) and
    ordered; ``row(n, obj)``: the values of one line — or ``rows(user, params, objects)``, a generator of the value
    lists of the streamed ``objects`` (numbered by it), where a line needs something read once or per chunk (a
    mine's numbers, the names of parent nodes, a log of what was shown); ``extra(user, params)``: more lines for the
    title block. ``sheets``: a ledger of several sheets (``LedgerSheet``), in one file named ``title``; all are
    counted first, the progress runs over all. The page starts it with ``start_ledger(request, kind)``."""
    from common import generated

    parts = sheets or [LedgerSheet(title, columns, queryset, row, rows, unit, sheet or title, extra)]

    def build(job, params, progress):
        streams, offset, whole = [], 0, {}
        for part in parts:

            def report(done, _total, base=offset):  # the progress over all sheets
                progress(base + done, whole["total"])

            objects, total, cut = stream(part.queryset(job.user, params), report)
            streams.append((part, objects, total, cut))
            offset += total
        whole["total"] = offset
        book = [
            Sheet(
                part.sheet or part.title,
                [c if isinstance(c, Column) else Column(c[0], c[1], width=c[2]) for c in part.columns],
                _lines(part, job.user, params, objects),
                notes=notes(part.title, total, cut, part.unit, part.extra(job.user, params) if part.extra else ()),
            )
            for part, objects, total, cut in streams
        ]
        with generated.output(job, ".xlsx") as path:
            from common.excel import write_workbook

            write_workbook(path, book)
        return f"{title}-{timezone.localdate():%Y%m%d}.xlsx"

    generated.register(kind, label=title, build=build)
    return build


def _lines(part, user, params, objects):
    if part.rows is not None:
        return part.rows(user, params, objects)
    return (part.row(n, obj) for n, obj in enumerate(objects, start=1))


def start_ledger(request, kind, params=None):
    """Start the ledger ``kind`` for the requesting user with the list's filters (the query string), and send them
    to the file's page (progress, then the download)."""
    from django.shortcuts import redirect

    from common import generated

    if params is None:
        params = {key: value for key, value in request.GET.items() if key != "page"}
    job = generated.start(request.user, kind=kind, params=params)
    return redirect("generated_file", job.pk)
