"""The annual 述职 draft of a branch secretary, generated from the records (SPEC §6): the figures of a scoring run,
the records behind them, and what became of the self-inspection measures; as Word (the secretary edits it) and PDF."""

import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from common.modules import RESPONSIBILITIES
from scorecard import indicators
from scorecard.models import RunFigure


@dataclass
class Draft:
    title: str
    branch: str
    secretary: str
    period: str
    total: str
    components: list  # [(name, text)]
    sections: list  # [(responsibility title, [(indicator name, value text, formula)])]
    urgent: list  # [(date, title, result)]
    measures: list  # [(due, goal, task, state)]
    generated: str


def _fmt(value, unit):
    if value is None:
        return "无数据"
    return f"{value:g}{unit}"


def draft(user, the_run, row):
    """The draft's contents, read through the user's scope (the caller has checked ``row`` is theirs to read)."""
    scheme = the_run.scheme
    figures = list(RunFigure.objects.visible_to(user).filter(run=the_run, branch=row.branch))
    by_resp = {}
    for f in figures:
        ind = indicators.get(f.code)
        if ind is None:
            continue
        text = _fmt(f.value, ind.unit)
        if f.numerator is not None and f.denominator is not None:
            text += f"({f.numerator:g} / {f.denominator:g})"
        by_resp.setdefault(ind.responsibility, []).append((ind.name, text, ind.formula))
    sections = [(f"{n}. {RESPONSIBILITIES[n][0]}", by_resp.get(n, [])) for n in range(1, 7)]
    from frontline.models import UrgentTask

    urgent = [
        (t.date.isoformat(), t.title, t.result)
        for t in UrgentTask.objects.filter(branch=row.branch, date__gte=scheme.start, date__lte=the_run.as_of).order_by(
            "date", "pk"
        )[:50]
    ]
    measures = []
    from django.apps import apps

    if apps.is_installed("selfcheck"):
        from selfcheck.models import Measure

        for m in Measure.objects.filter(
            inspection__branch=row.branch, due__year__in=(the_run.as_of.year - 1, the_run.as_of.year)
        ).order_by("due", "pk")[:100]:
            state = m.met_on(the_run.as_of)
            measures.append(
                (m.due.isoformat(), m.goal, m.task, {True: "已按期完成", False: "未按期完成", None: "进行中"}[state])
            )
    total = "否决" if row.vetoed else ("—" if row.total is None else f"{row.total:.1f} 分")
    if row.rank:
        total += f",全矿第 {row.rank} 名"
    return Draft(
        title=f"{row.branch.name}党支部书记述职报告(初稿)",
        branch=row.branch.name,
        secretary=row.secretary or "—",
        period=f"{scheme.start:%Y年%m月%d日}至{the_run.as_of:%Y年%m月%d日}",
        total=total,
        components=[(k, "无数据" if v is None else str(v)) for k, v in row.components.items()],
        sections=sections,
        urgent=urgent,
        measures=measures,
        generated=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    )


def docx_bytes(d):
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    doc.add_heading(d.title, level=0)
    doc.add_paragraph(f"党支部:{d.branch}    书记:{d.secretary}    考核期:{d.period}")
    doc.add_paragraph("本初稿由红领平台根据台账记录生成,数字均可在平台上追溯到具体记录;请书记在此基础上修改、补充。")
    doc.add_heading("一、总体情况", level=1)
    doc.add_paragraph(f"综合得分:{d.total}。" + ";".join(f"{k}:{v}" for k, v in d.components))
    doc.add_heading("二、履行六项“第一责任”情况", level=1)
    for title, items in d.sections:
        doc.add_heading(title, level=2)
        if not items:
            doc.add_paragraph("(本期无计算指标)")
        for name, text, formula in items:
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(f"{name}:{text}。").bold = True
            p.add_run(f"口径:{formula}")
    doc.add_heading("三、亲自参与的急难险重任务", level=1)
    if not d.urgent:
        doc.add_paragraph("(本期没有记录)")
    for day, title, result in d.urgent:
        doc.add_paragraph(f"{day} {title}:{result}", style="List Bullet")
    doc.add_heading("四、“六个反问”查摆问题整改落实情况", level=1)
    if d.measures:
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("期限", "目标", "任务", "落实情况")):
            cell.text = text
        for values in d.measures:
            cells = table.add_row().cells
            for cell, text in zip(cells, values):
                cell.text = text
    else:
        doc.add_paragraph("(没有整改措施)")
    doc.add_heading("五、存在的不足和下一步打算", level=1)
    doc.add_paragraph("(请书记填写)")
    doc.add_paragraph(f"生成时间:{d.generated}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def pdf_bytes(d):
    from weasyprint import HTML

    return HTML(string=render_to_string("scorecard/report_pdf.html", {"d": d})).write_pdf()
