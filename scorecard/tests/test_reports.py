"""The 述职 draft and the monthly branch report: made in the background (common.generated) from the records, as Word
(python-docx reads it back) and PDF (the branch's figures are in its text); a secretary their own branch only, the
committee its mine."""

import io
from datetime import date

import pytest

from common.models import FileStatus, GeneratedFile
from scorecard import services
from scorecard.tests.helpers import END, START, hazard
from scorecard.tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(site, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    w = site
    hazard(w, date(2026, 10, 2), deadline=date(2026, 10, 9), closed=date(2026, 10, 9))  # on time
    hazard(w, date(2026, 10, 3), deadline=date(2026, 10, 9), closed=date(2026, 10, 12))  # three days late
    hazard(w, date(2026, 10, 4), place=w.other_place, deadline=date(2026, 10, 9))  # the other branch's, overdue
    return w


def _download(client, response):
    assert response.status_code == 302 and response["Location"].startswith("/files/")
    job = GeneratedFile.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))
    assert job.status == FileStatus.DONE, job.message
    assert "下载" in client.get(response["Location"]).content.decode()
    download = client.get(f"/files/{job.pk}/download/")
    assert download.status_code == 200
    return job, b"".join(download.streaming_content)


def _word_text(content):
    from docx import Document

    doc = Document(io.BytesIO(content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_shuzhi_draft_is_made_in_the_background_and_opens_in_word_and_as_pdf(records, login):
    w = records
    scheme = services.create_example_scheme(w.committee_user, mine=w.mine, start=START, end=END)
    run = services.run(w.committee_user, scheme=scheme, today=date(2026, 11, 15))
    c = login(w.secretary)
    job, content = _download(c, c.post(f"/scorecard/runs/{run.pk}/branches/{w.branch.pk}/report/docx/"))
    assert job.filename.endswith(".docx") and "述职报告初稿" in job.label
    text = _word_text(content)
    assert "综采一区党支部党支部书记述职报告(初稿)" in text
    assert "隐患按期整改率:50%(1 / 2)" in text and "知识点掌握提升率" in text
    _job, pdf = _download(c, c.post(f"/scorecard/runs/{run.pk}/branches/{w.branch.pk}/report/pdf/"))
    assert pdf.startswith(b"%PDF")
    words = pdf_text(pdf)
    assert "综采一区党支部" in words and "隐患按期整改率:50%(1 / 2)" in words
    # another branch's draft: not found, nothing queued
    before = GeneratedFile.objects.count()
    assert c.post(f"/scorecard/runs/{run.pk}/branches/{w.other_branch.pk}/report/docx/").status_code == 404
    assert c.post(f"/scorecard/runs/{run.pk}/branches/{w.branch.pk}/report/exe/").status_code == 404
    assert c.get(f"/scorecard/runs/{run.pk}/branches/{w.branch.pk}/report/docx/").status_code == 405
    assert GeneratedFile.objects.count() == before
    # the branch page offers both as forms
    page = c.get(f"/scorecard/runs/{run.pk}/branches/{w.branch.pk}/").content.decode()
    assert 'id="shuzhi-docx"' in page and 'id="shuzhi-pdf"' in page


def test_the_monthly_report_of_the_secretarys_branch_in_word(records, login):
    w = records
    c = login(w.secretary)
    page = c.get("/scorecard/reports/monthly/").content.decode()
    assert "综采一区党支部" in page and "掘进一区党支部" not in page  # their own branch only
    assert 'id="monthly-link"' in c.get("/scorecard/").content.decode()
    r = c.post("/scorecard/reports/monthly/", {"branch": w.branch.pk, "month": "2026-10", "format": "docx"})
    job, content = _download(c, r)
    assert job.filename == "综采一区党支部-2026年10月工作月报.docx"
    text = _word_text(content)
    assert "综采一区党支部2026年10月工作月报" in text
    assert "隐患按期整改率:50%(1 / 2)" in text and "党员发现隐患占比:0%(0 / 2)" in text
    assert f"/hazards/?branch={w.branch.pk}&from=2026-10-01&to=2026-10-31" in text  # where the records are
    assert "10-12 逾期销号" in text  # the hazard closed late is listed
    assert "2201巷道" not in text  # the other branch's overdue hazard is not
    for head in ("知识点掌握提升率", "月考一次合格率", "五、下月打算"):
        assert head in text


def test_the_monthly_report_as_pdf_holds_the_branchs_figures(records, login):
    w = records
    c = login(w.committee_user)  # the committee: any branch of its mine
    _job, pdf = _download(
        c, c.post("/scorecard/reports/monthly/", {"branch": w.other_branch.pk, "month": "2026-10", "format": "pdf"})
    )
    assert pdf.startswith(b"%PDF")
    words = pdf_text(pdf)
    assert "掘进一区党支部2026年10月工作月报" in words
    assert "隐患按期整改率:0%(0 / 1)" in words and "逾期未销号" in words


def test_the_monthly_report_scope_and_input(records, login):
    w = records
    secretary = login(w.secretary)
    before = GeneratedFile.objects.count()
    other = {"branch": w.other_branch.pk, "month": "2026-10", "format": "docx"}
    assert secretary.post("/scorecard/reports/monthly/", other).status_code == 404
    far = {"branch": w.branch_b.pk, "month": "2026-10", "format": "docx"}
    bad = secretary.post("/scorecard/reports/monthly/", {"branch": w.branch.pk, "month": "十月", "format": "pdf"})
    assert bad.status_code == 422 and "请选择月份" in bad.content.decode() and 'value="十月"' in bad.content.decode()
    future = secretary.post("/scorecard/reports/monthly/", {"branch": w.branch.pk, "month": "2999-01", "format": "pdf"})
    assert future.status_code == 422 and "还没有开始" in future.content.decode()
    assert login(w.committee_user).post("/scorecard/reports/monthly/", far).status_code == 404  # another mine
    assert login(w.worker).get("/scorecard/reports/monthly/").status_code == 404  # (one client: logged in anew)
    assert GeneratedFile.objects.count() == before


def test_the_build_checks_the_scope_again_as_the_user_who_asked(records):
    from common import generated

    w = records
    job = generated.start(w.secretary, kind="scorecard_monthly",
                          params={"branch": w.other_branch.pk, "month": "2026-10", "format": "docx"})  # fmt: skip
    assert job.status == FileStatus.FAILED and not job.stored_name
