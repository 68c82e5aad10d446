"""Documents of a branch generated from the records (SPEC §6), as Word (the secretary edits it) and PDF (WeasyPrint;
the server needs a CJK font, fonts-noto-cjk), made in the background on ``common.generated`` with progress:

- the annual 述职 draft of a branch secretary (``scorecard_shuzhi``): the figures of a scoring run, the records behind
  them, and what became of the self-inspection measures;
- the monthly branch report (``scorecard_monthly``, 月度报告): every indicator of the branch computed for the month,
  the hazards not closed on time, the 急难险重 tasks and the measures due, each figure with where its records are.

Scope: a secretary their own branch, the committee its mine, the group all (``scorecard`` capability); the build
checks it again as the user who asked, so a file can never hold another branch.
"""

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from common import generated
from common.errors import NotFound
from common.modules import RESPONSIBILITIES
from common.parsing import as_id
from orgs.models import OrgKind, OrgNode
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


def _figure_text(value, numerator, denominator, unit):
    text = _fmt(value, unit)
    if numerator is not None and denominator is not None:
        text += f"({numerator:g} / {denominator:g})"
    return text


# ---------------------------------------------------------------- one document, two renderings


@dataclass
class Document:
    """What a generated document says, in order: ``blocks`` are (kind, content) — ("h1", text), ("h2", text),
    ("p", text), ("muted", text), ("item", (bold, rest)), ("table", (header, rows))."""

    title: str
    meta: str
    note: str
    blocks: list = field(default_factory=list)
    generated: str = ""

    def add(self, kind, content):
        self.blocks.append((kind, content))

    def items_or(self, items, empty):
        for item in items:
            self.add("item", item)
        if not items:
            self.add("muted", empty)

    def text(self):
        """Every word of it (what a test or a search reads)."""
        out = [self.title, self.meta, self.note]
        for kind, content in self.blocks:
            if kind == "item":
                out.append("".join(content))
            elif kind == "table":
                out.extend(" ".join(map(str, row)) for row in [content[0], *content[1]])
            else:
                out.append(content)
        return "\n".join(out)


def docx_bytes(doc):
    from docx import Document as Word
    from docx.oxml.ns import qn
    from docx.shared import Pt

    word = Word()
    style = word.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    word.add_heading(doc.title, level=0)
    word.add_paragraph(doc.meta)
    word.add_paragraph(doc.note)
    for kind, content in doc.blocks:
        if kind in ("h1", "h2"):
            word.add_heading(content, level=1 if kind == "h1" else 2)
        elif kind in ("p", "muted"):
            word.add_paragraph(content)
        elif kind == "item":
            p = word.add_paragraph(style="List Bullet")
            p.add_run(content[0]).bold = True
            p.add_run(content[1])
        elif kind == "table":
            header, rows = content
            table = word.add_table(rows=1, cols=len(header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, header):
                cell.text = text
            for values in rows:
                for cell, text in zip(table.add_row().cells, values):
                    cell.text = str(text)
    word.add_paragraph(f"生成时间:{doc.generated}")
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def pdf_bytes(doc):
    from weasyprint import HTML

    return HTML(string=render_to_string("scorecard/report_pdf.html", {"d": doc})).write_pdf()


# ---------------------------------------------------------------- the 述职 draft


def shuzhi_document(d):
    doc = Document(
        title=d.title,
        meta=f"党支部:{d.branch}    书记:{d.secretary}    考核期:{d.period}",
        note="本初稿由红领平台根据台账记录生成,数字均可在平台上追溯到具体记录;请书记在此基础上修改、补充。",
        generated=d.generated,
    )
    doc.add("h1", "一、总体情况")
    doc.add("p", f"综合得分:{d.total}。" + ";".join(f"{k}:{v}" for k, v in d.components))
    doc.add("h1", "二、履行六项“第一责任”情况")
    for title, items in d.sections:
        doc.add("h2", title)
        doc.items_or([(f"{name}:{text}。", f"口径:{formula}") for name, text, formula in items], "(本期无计算指标)")
    doc.add("h1", "三、亲自参与的急难险重任务")
    doc.items_or([(f"{day} {title}:", result) for day, title, result in d.urgent], "(本期没有记录)")
    doc.add("h1", "四、“六个反问”查摆问题整改落实情况")
    if d.measures:
        doc.add("table", (("期限", "目标", "任务", "落实情况"), d.measures))
    else:
        doc.add("muted", "(没有整改措施)")
    doc.add("h1", "五、存在的不足和下一步打算")
    doc.add("muted", "(请书记填写)")
    return doc


def _shuzhi_source(user, params):
    from scorecard import services

    the_run = services.get_run(user, _int(params.get("run")))
    row = services.branch_row(user, the_run, _int(params.get("branch")))
    return the_run, row


def build_shuzhi(job, params, progress):
    fmt = _format(params)
    progress(0, 3)
    the_run, row = _shuzhi_source(job.user, params)
    d = draft(job.user, the_run, row)
    progress(1, 3)
    doc = shuzhi_document(d)
    content = docx_bytes(doc) if fmt == "docx" else pdf_bytes(doc)
    progress(3, 3)
    return f"{d.branch}-述职报告初稿-{the_run.as_of:%Y}.{fmt}", content


def start_shuzhi(user, *, run_pk, branch_pk, fmt):
    """Queue the 述职 draft of a branch in a run (NotFound out of scope, at once, before anything is queued)."""
    the_run, row = _shuzhi_source(user, {"run": run_pk, "branch": branch_pk})
    fmt = _format({"format": fmt})
    label = f"{row.branch.name}述职报告初稿({'docx' if fmt == 'docx' else 'PDF'})"
    return generated.start(user, kind="scorecard_shuzhi", params={"run": the_run.pk, "branch": row.branch_id,
                                                                   "format": fmt}, label=label)  # fmt: skip


# ---------------------------------------------------------------- the monthly branch report


def _int(value):
    """An id from a form or a query (read by the one parser, ``common.parsing.as_id``); anything else is not found."""
    pk = as_id(value)
    if pk is None:
        raise NotFound()
    return pk


def _format(params):
    fmt = params.get("format")
    if fmt not in ("docx", "pdf"):
        raise NotFound()
    return fmt


def report_branches(user):
    """The branches whose reports the user may make: a secretary (支委) their own, the committee its mine's."""
    return OrgNode.objects.visible_to(user, "scorecard").filter(kind=OrgKind.BRANCH)


def report_branch(user, pk):
    branch = report_branches(user).filter(pk=_int(pk)).first()
    if branch is None:
        raise NotFound()
    return branch


def parse_month(value):
    try:
        year, month = (int(x) for x in str(value or "").strip().split("-")[:2])
        return date(year, month, 1)
    except ValueError:
        raise ValidationError({"month": ["请选择月份(如 2026-10)"]})


def month_end(first):
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def monthly_document(user, *, branch, month, today=None, progress=None):
    """The monthly report of ``branch`` for the month starting ``month``, computed from the records now (as of the
    month's end, or today while the month runs)."""
    from scorecard import services

    progress = progress or (lambda done, total=None: None)
    today = today or timezone.localdate()
    end = month_end(month)
    if month > today:
        raise ValidationError({"month": ["这个月还没有开始"]})
    as_of = min(end, today)
    ctx = indicators.Context(branches=[branch], start=month, end=end, as_of=as_of)
    inds = indicators.available()
    steps = len(inds) + 4
    by_resp = {}
    for n, ind in enumerate(inds, 1):
        v = ind.fn(ctx).get(branch.pk)
        text = _figure_text(v.value, v.numerator, v.denominator, ind.unit) if v else "无数据"
        score = ind.score(v.value if v else None)
        target = f"目标{ind.direction_label[:2]}{ind.target:g}{ind.unit}"
        rest = f"{target};" + (f"得分 {score:g};" if score is not None else "") + f"口径:{ind.formula}"
        if v and v.url:
            rest += f";记录:{v.url}"
        by_resp.setdefault(ind.responsibility, []).append((f"{ind.name}:{text}。", rest))
        progress(n, steps)
    secretary = services.secretaries_of([branch]).get(branch.pk, "—")
    doc = Document(
        title=f"{branch.name}{month:%Y年%m月}工作月报",
        meta=f"党支部:{branch.name}    书记:{secretary}    月份:{month:%Y年%m月}    数据截至:{as_of:%Y-%m-%d}",
        note="本月报由红领平台根据台账记录生成,每个数字都注明了口径和记录所在的页面;请书记核对后补充说明。",
        generated=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    )
    doc.add("h1", "一、六项“第一责任”本月指标")
    for n in range(1, 7):
        doc.add("h2", f"{n}. {RESPONSIBILITIES[n][0]}")
        doc.items_or(by_resp.get(n, []), "(本月无计算指标)")
    doc.add("h1", "二、本月未按期整改的隐患")
    late = _late_hazards(ctx)
    if late:
        doc.add("table", (("发现日期", "地点", "隐患", "整改期限", "状态"), late))
    else:
        doc.add("muted", "(本月发现的限时整改隐患均已按期销号或尚未到期)")
    progress(steps - 3, steps)
    doc.add("h1", "三、急难险重任务")
    from frontline.models import UrgentTask

    urgent = UrgentTask.objects.filter(branch=branch, date__gte=month, date__lte=as_of).order_by("date", "pk")[:50]
    doc.items_or([(f"{t.date:%m-%d} {t.title}:", t.result or "(未填写结果)") for t in urgent], "(本月没有记录)")
    progress(steps - 2, steps)
    doc.add("h1", "四、“六个反问”整改措施(本月到期)")
    measures = _measures(branch, month, end, as_of)
    if measures:
        doc.add("table", (("期限", "目标", "任务", "落实情况"), measures))
    else:
        doc.add("muted", "(本月没有到期的整改措施)")
    doc.add("h1", "五、下月打算")
    doc.add("muted", "(请书记填写)")
    progress(steps - 1, steps)
    return doc


def _late_hazards(ctx):
    from hazards.models import Hazard, HazardStatus

    start, end = ctx.moments()
    rows = []
    qs = (
        Hazard.objects.filter(
            location_id__in=list(ctx.places()), found_at__gte=start, found_at__lt=end, deadline__isnull=False
        )
        .select_related("location")
        .order_by("found_at", "pk")
    )
    for h in qs[:2000]:
        closed = timezone.localdate(h.closed_at) if h.closed_at and h.status == HazardStatus.CLOSED else None
        if closed is not None and closed <= ctx.last and closed <= h.deadline:
            continue  # on time
        if closed is None and h.deadline >= ctx.last:
            continue  # not yet due
        state = f"{closed:%m-%d} 逾期销号" if closed and closed <= ctx.last else "逾期未销号"
        rows.append((f"{timezone.localdate(h.found_at):%m-%d}", h.location.name, h.description[:40],
                     f"{h.deadline:%m-%d}", state))  # fmt: skip
        if len(rows) >= 100:
            break
    return rows


def _measures(branch, start, end, as_of):
    from django.apps import apps

    if not apps.is_installed("selfcheck"):
        return []
    from selfcheck.models import Measure

    states = {True: "已按期完成", False: "未按期完成", None: "进行中"}
    return [
        (m.due.isoformat(), m.goal, m.task, states[m.met_on(as_of)])
        for m in Measure.objects.filter(inspection__branch=branch, due__gte=start, due__lte=end).order_by("due", "pk")[
            :100
        ]
    ]


def build_monthly(job, params, progress):
    fmt = _format(params)
    branch = report_branch(job.user, params.get("branch"))
    month = parse_month(params.get("month"))
    doc = monthly_document(job.user, branch=branch, month=month, progress=progress)
    content = docx_bytes(doc) if fmt == "docx" else pdf_bytes(doc)
    return f"{branch.name}-{month:%Y年%m月}工作月报.{fmt}", content


def start_monthly(user, *, branch, month, fmt):
    """Queue the monthly report of ``branch`` for the month starting ``month`` (``scorecard.forms.MonthlyForm``):
    NotFound for a branch out of scope, ValidationError for a month not begun, before anything is queued."""
    branch = report_branch(user, branch.pk)
    if month > timezone.localdate():
        raise ValidationError({"month": ["这个月还没有开始"]})
    fmt = _format({"format": fmt})
    label = f"{branch.name}{month:%Y年%m月}工作月报({'docx' if fmt == 'docx' else 'PDF'})"
    params = {"branch": branch.pk, "month": f"{month:%Y-%m}", "format": fmt}
    return generated.start(user, kind="scorecard_monthly", params=params, label=label)


# ---------------------------------------------------------------- the committee's comparison report of a run

COMPARE_FORMATS = ("xlsx", "pdf")


def _compare_source(user, run_pk):
    """The run and its branch rows, ranked, for the committee of its mine or the group (NotFound for anybody else:
    a secretary reads their own row on the ranking page, not the mine's comparison)."""
    from scorecard import access, services
    from scorecard.models import RunBranch

    the_run = services.get_run(user, _int(run_pk))
    if not access.manages(user, the_run.scheme.mine):
        raise NotFound()
    rows = list(RunBranch.objects.visible_to(user).filter(run=the_run).select_related("branch"))
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.branch.path))
    if not rows:
        raise NotFound()
    return the_run, rows


def _compare_format(params):
    fmt = params.get("format")
    if fmt not in COMPARE_FORMATS:
        raise NotFound()
    return fmt


def _score_text(value):
    if value is None:
        return "—"
    if isinstance(value, str | int):
        return str(value)
    return f"{value:g}"


def compare_tables(the_run, rows):
    """(title, notes, (ranking header, rows), (six header, rows)) of the comparison, what both renderings print first
    (figures as numbers, None where there is no data)."""
    names = [c["name"] for c in the_run.weights]
    axes = [RESPONSIBILITIES[n][0] for n in range(1, 7)]
    scheme = the_run.scheme
    title = f"{scheme.mine.name}{scheme.name}对比报告"
    notes = [
        f"{scheme.mine.name} {scheme.name} · 考核期 {scheme.start:%Y-%m-%d} 至 {scheme.end:%Y-%m-%d}",
        f"数据截至 {the_run.as_of:%Y-%m-%d} · {timezone.localtime(the_run.created_at):%Y-%m-%d %H:%M} 计算"
        f"(第 {the_run.pk} 次计算,输入指纹 {the_run.fingerprint[:12]})",
    ]
    ranking = (["名次", "党支部", "书记", "总分", *names], [
        [r.rank or "—", r.branch.name, r.secretary or "—", "否决" if r.vetoed else r.total,
         *[r.components.get(n) for n in names]] for r in rows
    ])  # fmt: skip
    six = (["党支部", *axes], [[r.branch.name, *[r.responsibilities.get(str(n)) for n in range(1, 7)]]
                               for r in rows])  # fmt: skip
    return title, notes, ranking, six


def _figures(user, the_run):
    return RunFigure.objects.visible_to(user).filter(run=the_run).order_by("branch__path", "code")


def _compare_xlsx(job, the_run, rows, progress):
    from common.excel import Column, Sheet, write_workbook

    user = job.user
    title, notes, ranking, six = compare_tables(the_run, rows)
    branch_names = {r.branch_id: r.branch.name for r in rows}
    figures = _figures(user, the_run)
    total = figures.count() + 1
    progress(1, total)

    def detail():
        for n, f in enumerate(figures.iterator(chunk_size=2000), 1):
            ind = indicators.get(f.code)
            yield [branch_names.get(f.branch_id, ""), f.code, getattr(ind, "name", f.code), f.value, f.numerator,
                   f.denominator, f.score, getattr(ind, "formula", "")]  # fmt: skip
            if n % 500 == 0:
                progress(1 + n, total)

    def columns(header, first=18):
        return [Column(f"c{i}", h, width=first if h == "党支部" else 12) for i, h in enumerate(header)]

    sheets = [
        Sheet("排名", columns(ranking[0]), ranking[1], notes=[title, *notes]),
        Sheet("六项第一责任", columns(six[0]), six[1], notes=[title]),
        Sheet("指标明细", [Column("branch", "党支部", width=18), Column("code", "指标编码"),
                       Column("name", "指标", width=22), Column("value", "结果"), Column("num", "分子"),
                       Column("den", "分母"), Column("score", "得分"), Column("formula", "计算公式", width=60)],
              detail()),
    ]  # fmt: skip
    with generated.output(job, ".xlsx") as path:
        write_workbook(path, sheets)
    progress(total, total)


def compare_document(user, the_run, rows, progress=None):
    """The comparison as a document (the PDF): the ranking, the six responsibilities, then each indicator across the
    branches."""
    progress = progress or (lambda done, total=None: None)
    title, notes, ranking, six = compare_tables(the_run, rows)
    doc = Document(
        title=title,
        meta=" ".join(notes),
        note="本报告由红领平台根据评分结果生成,每个数字都可以在平台上追溯到具体记录。",
        generated=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    )
    doc.add("h1", "一、综合排名")
    doc.add("table", (ranking[0], [[_score_text(v) for v in row] for row in ranking[1]]))
    doc.add("h1", "二、六项“第一责任”并排")
    doc.add("table", (six[0], [[_score_text(v) for v in row] for row in six[1]]))
    doc.add("h1", "三、各项指标对比")
    names = {r.branch_id: r.branch.name for r in rows}
    by_code = {}
    figures = _figures(user, the_run)
    total = figures.count() + 2  # the last step: WeasyPrint lays the pages out
    for n, f in enumerate(figures.iterator(chunk_size=2000), 1):
        by_code.setdefault(f.code, []).append(f)
        if n % 500 == 0:
            progress(n, total)
    ordered = sorted(by_code, key=lambda c: (getattr(indicators.get(c), "responsibility", 9), c))
    for code in ordered:
        ind = indicators.get(code)
        unit = getattr(ind, "unit", "")
        doc.add("h2", f"{getattr(ind, 'name', code)}({code})")
        if ind is not None:
            doc.add("muted", f"口径:{ind.formula}")
        doc.add("table", (("党支部", "结果", "得分"), [
            (names.get(f.branch_id, ""), _figure_text(f.value, f.numerator, f.denominator, unit), _score_text(f.score))
            for f in by_code[code]
        ]))  # fmt: skip
    if not ordered:
        doc.add("muted", "(本次计算没有指标)")
    progress(total - 1, total)
    return doc


def build_compare(job, params, progress):
    fmt = _compare_format(params)
    the_run, rows = _compare_source(job.user, params.get("run"))
    filename = f"{the_run.scheme.mine.name}-{the_run.scheme.name}-对比报告.{fmt}"
    if fmt == "xlsx":
        _compare_xlsx(job, the_run, rows, progress)
        return filename
    doc = compare_document(job.user, the_run, rows, progress=progress)
    return filename, pdf_bytes(doc)


def start_compare(user, *, run_pk, fmt):
    """Queue the comparison report of a run (NotFound out of scope or for an unknown format, before anything is
    queued)."""
    fmt = _compare_format({"format": fmt})
    the_run, _rows = _compare_source(user, run_pk)
    label = f"{the_run.scheme.name}对比报告({'Excel' if fmt == 'xlsx' else 'PDF'})"
    return generated.start(user, kind="scorecard_compare", params={"run": the_run.pk, "format": fmt}, label=label)


generated.register("scorecard_shuzhi", label="述职报告初稿", build=build_shuzhi)
generated.register("scorecard_monthly", label="支部工作月报", build=build_monthly)
generated.register("scorecard_compare", label="履职评价对比报告", build=build_compare)
