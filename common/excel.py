"""Reading uploaded .xlsx files safely and writing workbooks (SPEC §7.4).

Reading: ``read_table(file, columns)`` checks the file before openpyxl touches it (size, a real .xlsx zip,
uncompressed size and compression ratio against zip bombs; openpyxl parses XML through defusedxml, so entity
bombs are refused), then maps the header row to ``columns`` and yields ``(row_number, {key: value})``.
Every problem is an ``ExcelError`` with a Chinese message a user can act on.

Writing: ``workbook_bytes(sheets)`` builds a workbook in write-only mode; ``xlsx_response`` sends it.
"""

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UNCOMPRESSED = 300 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per member; real sheets stay well below
MAX_COLUMNS = 200


class ExcelError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    width: int = 14
    example: object = ""
    help: str = ""
    aliases: tuple = field(default_factory=tuple)

    @property
    def title(self):
        return f"{self.header}*" if self.required else self.header


def _normalise_header(text):
    return str(text or "").strip().rstrip("*").replace("*", "").replace(" ", "").replace("\u3000", "")


def check_upload(file, max_bytes=None):
    """Refuse what is not a sane .xlsx before parsing it. ``file`` is a path or a binary file object."""
    max_bytes = max_bytes or settings.HONGLING_IMPORT_MAX_BYTES
    if getattr(file, "refused", False):  # dropped while streaming in (common.uploads.LimitedUploadHandler)
        raise ExcelError(f"文件太大,上限 {max_bytes // 1024 // 1024} MB;请分批导入")
    size = _size_of(file)
    if size == 0:
        raise ExcelError("文件是空的")
    if size > max_bytes:
        raise ExcelError(f"文件太大({size // 1024 // 1024} MB),上限 {max_bytes // 1024 // 1024} MB;请分批导入")
    if not zipfile.is_zipfile(file):
        raise ExcelError("文件不是有效的 .xlsx 工作簿(请在 Excel 或 WPS 中另存为 .xlsx 格式,不支持 .xls / .csv)")
    _rewind(file)
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                raise ExcelError("文件不是有效的 .xlsx 工作簿(缺少工作簿内容)")
            total = 0
            for info in archive.infolist():
                total += info.file_size
                if (
                    info.compress_size
                    and info.file_size / info.compress_size > MAX_RATIO
                    and info.file_size > 1_000_000
                ):
                    raise ExcelError("文件内容异常(压缩比过高),已拒绝")
            if total > MAX_UNCOMPRESSED:
                raise ExcelError("文件解压后过大,已拒绝;请分批导入")
    except zipfile.BadZipFile:
        raise ExcelError("文件已损坏,无法读取")
    finally:
        _rewind(file)


def _size_of(file):
    if isinstance(file, (str, bytes)) or hasattr(file, "__fspath__"):
        import os

        return os.path.getsize(file)
    position = file.tell()
    file.seek(0, 2)
    size = file.tell()
    file.seek(position)
    return size


def _rewind(file):
    if hasattr(file, "seek"):
        file.seek(0)


def open_sheet(file):
    """The first worksheet of a checked upload, read-only."""
    import openpyxl

    check_upload(file)
    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except ExcelError:
        raise
    except Exception as exc:  # defusedxml, KeyError, zip and XML errors of hostile or broken files
        if _refused_xml(exc):
            raise ExcelError("文件包含不允许的 XML 内容(实体/DTD),已拒绝")
        raise ExcelError("无法读取该工作簿,请确认是 Excel 另存的 .xlsx 文件")
    if not book.worksheets:
        raise ExcelError("工作簿中没有工作表")
    return book, book.worksheets[0]


def _refused_xml(exc):
    """Whether defusedxml refused the XML somewhere down the exception chain (openpyxl wraps it)."""
    from defusedxml.common import DefusedXmlException

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def cell_text(value):
    """A cell as text, the way a user sees it: numbers without '.0', dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


EXCEL_MAX_ROW = 1_048_576  # the last row Excel itself can hold


def real_rows(sheet, deadline=None, max_columns=MAX_COLUMNS):
    """``(row_number, values)`` of the rows the sheet's XML really holds, values padded to the last cell present
    (at most ``max_columns``). The declared dimension is ignored: a file claiming A1:XFD1048576, or holding one
    row at row 20,000,000, costs what its XML costs, not what it claims. Past ``deadline`` (time.monotonic())
    or past Excel's own last row it is refused."""
    import time

    from openpyxl.worksheet._reader import WorkSheetParser

    book = sheet.parent
    with sheet._get_source() as src:
        parser = WorkSheetParser(
            src,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for parsed, (number, cells) in enumerate(parser.parse(), start=1):
            if number > EXCEL_MAX_ROW:
                raise ExcelError(f"文件内容异常:第 {number} 行超出了 Excel 的最大行数,已拒绝")
            if deadline is not None and parsed % 200 == 0 and time.monotonic() > deadline:
                raise ExcelError("文件读取超时(内容过多或格式异常),已拒绝;请删除多余的行列或分批导入")
            values = [None] * min(max((c["column"] for c in cells), default=0), max_columns)
            for cell in cells:
                if cell["column"] <= max_columns:
                    values[cell["column"] - 1] = cell["value"]
            yield number, values


def read_deadline():
    import time

    return time.monotonic() + settings.HONGLING_IMPORT_MAX_SECONDS


def read_table(file, columns, max_rows=None):
    """``(rows, total)`` of the first sheet: rows are ``(row_number, {key: text})``, blank rows skipped.

    The header row is the first row holding at least one known header (a title row above it is allowed).
    Missing required columns, too many rows, a read longer than ``HONGLING_IMPORT_MAX_SECONDS`` or a broken file
    raise ``ExcelError``. Only the rows the file really holds are read (see ``real_rows``).
    """
    max_rows = max_rows or settings.HONGLING_IMPORT_MAX_ROWS
    book, sheet = open_sheet(file)
    try:
        known = {}
        for column in columns:
            for name in (column.header, *column.aliases):
                known[_normalise_header(name)] = column.key
        rows_iter = real_rows(sheet, deadline=read_deadline())
        mapping = None
        for number, values in rows_iter:
            if number > 10:
                break
            found = {i: known[_normalise_header(v)] for i, v in enumerate(values) if _normalise_header(v) in known}
            if found:
                mapping = found
                break
        if mapping is None:
            raise ExcelError("找不到表头行:请使用下载的导入模板,第一行为列名")
        present = set(mapping.values())
        missing = [c.header for c in columns if c.required and c.key not in present]
        if missing:
            raise ExcelError("缺少必填列:" + "、".join(missing))
        rows = []
        for number, values in rows_iter:
            record = {key: cell_text(values[i]) if i < len(values) else "" for i, key in mapping.items()}
            if not any(record.values()):
                continue
            if len(rows) >= max_rows:
                raise ExcelError(f"数据超过 {max_rows} 行,请分批导入")
            rows.append((number, record))
        return rows
    except ExcelError:
        raise
    except Exception as exc:
        if _refused_xml(exc):
            raise ExcelError("文件包含不允许的 XML 内容(实体/DTD),已拒绝")
        raise ExcelError("读取工作表时出错,文件可能已损坏")
    finally:
        book.close()


@dataclass
class Sheet:
    title: str
    columns: list  # of Column
    rows: list  # of sequences, in column order (any iterable: write_workbook streams it)
    notes: list = field(default_factory=list)  # lines written above the header (e.g. filters of an export)


def workbook_bytes(sheets):
    """An .xlsx with one sheet per ``Sheet``: bold frozen header, column widths, dates as dates."""
    buffer = io.BytesIO()
    write_workbook(buffer, sheets)
    return buffer.getvalue()


def write_workbook(target, sheets):
    """Write the workbook of ``sheets`` to ``target`` (a path or a binary file) in write-only mode: a sheet's rows
    may be any iterable (a generator over a queryset's ``iterator()``), streamed through, never all in memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE7F3")
    for spec in sheets:
        sheet = book.create_sheet(spec.title[:31])
        for index, column in enumerate(spec.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = f"A{len(spec.notes) + 2}"
        for note in spec.notes:  # a title line can hold a campaign, exam or org name: escaped like the data
            sheet.append([_safe_value(note)])
        header = []
        for column in spec.columns:
            cell = WriteOnlyCell(sheet, value=_safe_value(column.title))
            cell.font = bold
            cell.fill = fill
            cell.alignment = Alignment(horizontal="center")
            header.append(cell)
        sheet.append(header)
        for row in spec.rows:
            sheet.append([_safe_value(v) for v in row])
    book.save(target)


def _safe_value(value):
    """Text that a spreadsheet would run as a formula is written as plain text (CSV/formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _is_number(value):
        return "'" + value
    return value


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def xlsx_response(filename, content):
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def template_bytes(title, columns, example_rows=(), instructions=()):
    """An import template: the header (required columns marked *), example rows, and a sheet of instructions."""
    lines = [[line] for line in instructions]
    lines += [[f"{c.title}:{c.help}"] for c in columns if c.help]
    help_columns = [Column("text", "填写说明", width=100)]
    return workbook_bytes([Sheet(title, list(columns), list(example_rows)), Sheet("填写说明", help_columns, lines)])
