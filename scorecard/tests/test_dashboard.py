"""驾驶舱 of a mine and of the group, the committee's comparison report (Excel and PDF, made in the background), and
the records page without a branch (issue 13 §4)."""

import io
import json
import re
from datetime import date

import pytest

from common.models import FileStatus, GeneratedFile
from orgs.tests.factories import make_user
from scorecard import services
from scorecard.models import RunBranch
from scorecard.tests.helpers import END, START, hazard
from scorecard.tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 15)


@pytest.fixture
def scored(site, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    w = site
    hazard(w, date(2026, 10, 2), deadline=date(2026, 10, 9), closed=date(2026, 10, 9))
    hazard(w, date(2026, 10, 3), place=w.other_place, deadline=date(2026, 10, 9))
    w.scheme = services.create_example_scheme(w.committee_user, mine=w.mine, start=START, end=END)
    w.run = services.run(w.committee_user, scheme=w.scheme, today=TODAY)
    w.group_user = make_user("group-c", "committee", w.group)
    w.committee_b_user = make_user("committee-xz", "committee", w.mine_b)
    return w


def _chart(page):
    return json.loads(re.search(r'id="scorecard-data" type="application/json">(.*?)</script>', page, re.S).group(1))


def test_the_mine_committee_sees_every_branch_side_by_side_and_taps_through_to_the_records(
    scored, login, django_assert_max_num_queries
):
    w = scored
    c = login(w.committee_user)
    with django_assert_max_num_queries(20):
        page = c.get("/scorecard/dashboard/").content.decode()
    assert "云杉煤矿 · 履职评价驾驶舱" in page and 'id="to-group"' not in page
    assert f"第 {w.run.pk} 次计算" in page and "数据截至 2026-10-31" in page
    assert f"/scorecard/runs/{w.run.pk}/changed/" in page  # when data changed since: asked after the page shows
    branch_link = f"/scorecard/runs/{w.run.pk}/branches/{w.branch.pk}/"
    assert branch_link in page and f"/scorecard/runs/{w.run.pk}/branches/{w.other_branch.pk}/" in page
    chart = _chart(page)
    assert set(chart["names"]) == {"综采一区党支部", "掘进一区党支部"} and len(chart["series"]) == 6
    assert branch_link in chart["links"]
    first = chart["names"].index("综采一区党支部")
    row = RunBranch.objects.get(run=w.run, branch=w.branch)
    assert [chart["series"][n - 1][first] for n in range(1, 7)] == [
        row.responsibilities.get(str(n)) for n in range(1, 7)
    ]
    assert chart["series"][0][first] > chart["series"][0][1 - first]  # its hazard closed on time, the other's not
    branch_page = c.get(branch_link).content.decode()
    assert "/hazards/" in branch_page  # the figure links to the records behind it


def test_the_group_sees_every_mine_and_opens_a_mines_dashboard(scored, login, django_assert_max_num_queries):
    w = scored
    c = login(w.group_user)
    with django_assert_max_num_queries(20):
        page = c.get("/scorecard/dashboard/").content.decode()
    assert "云杉煤矿" in page and "墨川煤矿" in page and "尚未评分" in page  # mine B has no run
    assert page.count('id="scorecard-data"') == 1
    chart = _chart(page)
    assert chart["names"] == ["云杉煤矿"] and chart["links"] == [f"/scorecard/dashboard/mines/{w.mine.pk}/"]
    mine_page = c.get(f"/scorecard/dashboard/mines/{w.mine.pk}/").content.decode()
    assert 'id="to-group"' in mine_page and "掘进一区党支部" in mine_page
    empty = c.get(f"/scorecard/dashboard/mines/{w.mine_b.pk}/").content.decode()
    assert "墨川煤矿还没有评分结果" in empty and "scorecard-data" not in empty and "echarts" not in empty


def test_a_secretary_sees_their_own_branch_and_another_mine_is_not_found(scored, login):
    w = scored
    page = login(w.secretary).get("/scorecard/dashboard/").content.decode()
    assert "综采一区党支部" in page and "掘进一区党支部" not in page
    assert login(w.committee_user).get(f"/scorecard/dashboard/mines/{w.mine_b.pk}/").status_code == 404
    assert login(w.worker).get("/scorecard/dashboard/").status_code == 404


def test_no_run_yet_says_so_in_chinese(site, login):
    page = login(site.committee_user).get("/scorecard/dashboard/").content.decode()
    assert "云杉煤矿还没有评分结果" in page and "echarts" not in page


def _made(client, response):
    assert response.status_code == 302 and response["Location"].startswith("/files/"), response
    job = GeneratedFile.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))
    assert job.status == FileStatus.DONE, job.message
    assert job.total
    download = client.get(f"/files/{job.pk}/download/")
    assert download.status_code == 200
    return job, b"".join(download.streaming_content)


def test_the_comparison_report_in_excel_is_made_in_the_background(scored, login):
    from openpyxl import load_workbook

    w = scored
    c = login(w.committee_user)
    assert 'id="compare-xlsx"' in c.get(f"/scorecard/runs/{w.run.pk}/").content.decode()
    job, content = _made(c, c.post(f"/scorecard/runs/{w.run.pk}/compare/xlsx/"))
    assert job.filename == "云杉煤矿-2026年10月支部书记履职考核-对比报告.xlsx"
    book = load_workbook(io.BytesIO(content))
    ranking = [[cell.value for cell in row] for row in book["排名"].iter_rows()]
    header = ranking.index(next(r for r in ranking if r[:2] == ["名次", "党支部"]))
    assert {row[1] for row in ranking[header + 1 :]} == {"综采一区党支部", "掘进一区党支部"}
    six = {row[0]: row[1:] for row in ([cell.value for cell in r] for r in book["六项第一责任"].iter_rows())}
    for b in (w.branch, w.other_branch):
        row = RunBranch.objects.get(run=w.run, branch=b)
        assert six[b.name] == [row.responsibilities.get(str(n)) for n in range(1, 7)]
    detail = [[cell.value for cell in row] for row in book["指标明细"].iter_rows()]
    assert ["综采一区党支部", "H_ON_TIME", "隐患按期整改率", 100, 1, 1, 100] in [row[:7] for row in detail]
    assert ["掘进一区党支部", "H_ON_TIME", "隐患按期整改率", 0, 0, 1, 0] in [row[:7] for row in detail]


def test_the_comparison_report_as_pdf_holds_every_branch(scored, login):
    w = scored
    c = login(w.group_user)
    job, content = _made(c, c.post(f"/scorecard/runs/{w.run.pk}/compare/pdf/"))
    assert content.startswith(b"%PDF") and job.filename.endswith(".pdf")
    words = pdf_text(content)
    assert "云杉煤矿2026年10月支部书记履职考核对比报告" in words
    assert "综采一区党支部" in words and "掘进一区党支部" in words and "隐患按期整改率" in words
    assert "100%(1 / 1)" in words and "0%(0 / 1)" in words


def test_the_comparison_report_is_the_committees(scored, login):
    w = scored
    before = GeneratedFile.objects.count()
    assert login(w.committee_b_user).post(f"/scorecard/runs/{w.run.pk}/compare/xlsx/").status_code == 404
    assert login(w.secretary).post(f"/scorecard/runs/{w.run.pk}/compare/pdf/").status_code == 404
    assert 'id="compare-xlsx"' not in login(w.secretary).get(f"/scorecard/runs/{w.run.pk}/").content.decode()
    c = login(w.committee_user)
    assert c.post(f"/scorecard/runs/{w.run.pk}/compare/docx/").status_code == 404
    assert c.get(f"/scorecard/runs/{w.run.pk}/compare/xlsx/").status_code == 405
    assert GeneratedFile.objects.count() == before


def test_the_records_page_without_a_branch_offers_the_branches_to_follow(scored, login):
    w = scored
    page = login(w.committee_user).get("/scorecard/records/T_MASTERY/?from=2026-10-01&to=2026-10-31").content.decode()
    assert 'id="branch-picker"' in page
    assert f"?branch={w.branch.pk}&amp;from=2026-10-01&amp;to=2026-10-31" in page
    assert f"?branch={w.other_branch.pk}&amp;" in page and f"?branch={w.branch_b.pk}&amp;" not in page
    own = login(w.secretary).get("/scorecard/records/T_FIRST_PASS/").content.decode()
    assert f"?branch={w.branch.pk}&amp;" in own and f"?branch={w.other_branch.pk}&amp;" not in own
    assert login(w.worker).get("/scorecard/records/T_MASTERY/").status_code == 404
