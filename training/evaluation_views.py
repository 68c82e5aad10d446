"""Pages of 每月一评 (page, chart, Excel, PDF) and the item analysis of the bank."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from common import homecache
from common.excel import Column, Sheet, workbook_bytes, xlsx_response
from orgs import scope
from orgs.models import OrgKind, OrgNode
from training import evaluation, exams
from training.models import ExamPaper


def _choices(user):
    """Mines and branches the user follows; a 班组长, who follows only a team, gets their team(s)."""
    visible = OrgNode.objects.visible_to(user, "training_results").order_by("path")
    return list(visible.filter(kind__in=(OrgKind.MINE, OrgKind.BRANCH))[:300]) or list(
        visible.filter(kind__in=(OrgKind.UNIT, OrgKind.TEAM))[:300]
    )


def _params(request):
    orgs = _choices(request.user)
    if not orgs:
        raise Http404
    org = orgs[0]
    if request.GET.get("org"):
        org = next((o for o in orgs if str(o.pk) == request.GET["org"]), None)
        if org is None:
            raise Http404
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-")[:2])
        month = date(year, month, 1)
    except ValueError:
        month = timezone.localdate().replace(day=1)
    return orgs, org, month


@login_required
def monthly(request):
    orgs, org, month = _params(request)
    result = evaluation.evaluate(request.user, org, month)
    chart = {
        "units": [r.unit.name for r in result.rows],
        "participation": [r.participation for r in result.rows],
        "pass_rate": [r.pass_rate or 0 for r in result.rows],
        "average": [r.average or 0 for r in result.rows],
    }
    context = {
        "orgs": orgs,
        "org": org,
        "month": month,
        "e": result,
        "chart": chart,  # json_script in the template encodes it once
        "query": f"org={org.pk}&month={month:%Y-%m}",
    }
    return render(request, "training/evaluation.html", context)


def _sheet_rows(result):
    return [
        [r.unit.name, r.people, r.participation, r.right_rate, r.papers, r.taken, r.pass_rate, r.average, r.change]
        for r in result.rows
    ]


COLUMNS = [Column("unit", "单位", width=18), Column("people", "在岗人数"), Column("p", "每日一题参与率%"), Column("r", "答对率%"),
           Column("papers", "应考"), Column("taken", "实考"), Column("pass", "及格率%"), Column("avg", "平均分"), Column("chg", "较上月")]  # fmt: skip


@login_required
def monthly_xlsx(request):
    _orgs, org, month = _params(request)
    result = evaluation.evaluate(request.user, org, month)
    named = [["最好", p.person.name, p.person.org.name, p.score] for p in result.best] + [
        ["最弱", p.person.name, p.person.org.name, p.score] for p in result.weakest
    ]
    content = workbook_bytes([
        Sheet("每月一评", COLUMNS, _sheet_rows(result), notes=[f"{org.name} {month:%Y年%m月} 每月一评"]),
        Sheet("点名", [Column("k", "类别"), Column("n", "姓名"), Column("o", "班组", width=16), Column("s", "分数")], named),
    ])  # fmt: skip
    return xlsx_response(f"{org.name}-{month:%Y%m}-每月一评.xlsx", content)


@login_required
def monthly_pdf(request):
    from weasyprint import HTML

    _orgs, org, month = _params(request)
    result = evaluation.evaluate(request.user, org, month)
    html = render_to_string(
        "training/evaluation_pdf.html", {"e": result, "org": org, "month": month, "now": timezone.localtime()}
    )
    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = "inline"
    return response


@login_required
def analysis(request):
    if not scope.can(request.user, "training_bank"):
        raise Http404
    blueprints = exams.managed_blueprints(request.user).filter(generated_at__isnull=False).order_by("-month")[:24]
    chosen = request.GET.get("blueprint")
    papers = ExamPaper.objects.visible_to(request.user, "training_results")
    if chosen and chosen.isdigit():
        papers = papers.filter(blueprint_id=int(chosen))
        key = f"bank_analysis:{int(chosen)}"
    else:
        since = timezone.localdate().replace(day=1)
        for _ in range(5):
            since = evaluation.previous_month(since)
        papers = papers.filter(blueprint__month__gte=since)
        key = "bank_analysis:half-year"

    def analyse():
        stats, kr20 = evaluation.item_analysis(papers)
        return stats[:300], kr20

    # half a year of a mine's papers is read whole (~300 ms at mine size): kept, like a home part, for the user and
    # the day while no paper, question or blueprint has been written since (common.homecache)
    stats, kr20 = homecache.cached(key, request.user, analyse)
    context = {"stats": stats, "kr20": kr20, "blueprints": blueprints, "chosen": chosen or ""}
    return render(request, "training/analysis.html", context)
