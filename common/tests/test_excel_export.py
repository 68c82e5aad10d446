"""Issue 14, finding 5: a title line or header of an export is escaped like the data (a campaign, exam or org
name starting with `=` is not run as a formula)."""

import io

import openpyxl

from common.excel import Column, Sheet, workbook_bytes


def test_title_row_header_and_data_are_never_formulas():
    content = workbook_bytes(
        [
            Sheet(
                "成绩",
                [Column("a", "=SUM(1,2)"), Column("b", "分数")],
                [['=HYPERLINK("http://x")', -3]],
                notes=['=HYPERLINK("http://evil.example","点击") 成绩 导出于 2026-12-02'],
            )
        ]  # fmt: skip
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert sheet["A1"].value.startswith("'=HYPERLINK") and sheet["A2"].value == "'=SUM(1,2)"
    assert sheet["B3"].value == -3
