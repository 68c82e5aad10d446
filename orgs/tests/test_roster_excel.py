"""花名册 Excel: template, import (preview, per-row errors, all-or-nothing, re-import by 工号, hostile files), export."""

import io
import zipfile
from datetime import date

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile

from common import imports
from common.models import ImportJob, ImportStatus
from orgs.models import Person, PoliticalStatus, SensitiveAccess, Transfer
from orgs.roster_excel import COLUMNS, parse_date, run_import

pytestmark = pytest.mark.django_db

HEADERS = [c.title for c in COLUMNS]


def row(emp_no, name="赵六", unit="综采一区", team="早班", **extra):
    values = {
        "工号": emp_no, "姓名": name, "性别": "男", "出生日期": "1990-01-02", "身份证号": "", "手机": "13900000000",
        "家庭住址": "", "入职日期": date(2015, 3, 1), "工种": "采煤工", "岗位": "", "区队/科室": unit, "班组": team,
        "政治面貌": "群众", "入党日期": "", "党组织": "", "在岗状态": "",
    }  # fmt: skip
    values.update(extra)
    return values


def xlsx(rows, headers=None, title_row=False):
    book = openpyxl.Workbook()
    sheet = book.active
    headers = headers or [c.header for c in COLUMNS]
    if title_row:
        sheet.append(["某矿花名册"])
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(h, "") for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, content, name="花名册.xlsx", target=None):
    data = {"file": SimpleUploadedFile(name, content)}
    if target is not None:
        data["target"] = target.pk
    return client.post("/imports/roster/", data)


def latest_job():
    return ImportJob.objects.latest("pk")


def test_template_has_every_column_with_required_marks(world, login):
    response = login(world.secretary).get("/imports/roster/template.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["工号*", "姓名*", "性别*"]
    assert "区队/科室*" in header and "班组" in header


def test_valid_file_is_previewed_then_written_on_confirm(world, login):
    client = login(world.secretary)
    content = xlsx(
        [
            row("300001", "赵六"),
            row("300002", "钱七", team="中班", **{"政治面貌": "中共党员", "入党日期": "2018/7/1"}),
            row("300003", "孙八", team=""),
        ],
        title_row=True,
    )
    response = upload(client, content)
    job = latest_job()
    assert response.status_code == 302 and response["Location"] == f"/imports/jobs/{job.pk}/"
    assert job.status == ImportStatus.READY
    assert job.summary == {"created": 3, "updated": 0, "unchanged": 0}
    assert not Person.objects.filter(emp_no__startswith="3000").exists()  # nothing before confirming
    page = client.get(f"/imports/jobs/{job.pk}/")
    assert "全部校验通过" in page.content.decode()

    client.post(f"/imports/jobs/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    zhao = Person.objects.get(emp_no="300001")
    assert zhao.org == world.team and zhao.mine == world.mine and zhao.name_initials == "zl"
    qian = Person.objects.get(emp_no="300002")
    assert qian.org == world.team2 and qian.political_status == PoliticalStatus.MEMBER
    assert qian.party_org == world.branch and qian.party_join_date == date(2018, 7, 1)
    assert Person.objects.get(emp_no="300003").org == world.unit
    assert LogEntry.objects.filter(
        object_pk=str(zhao.pk), action=LogEntry.Action.CREATE, actor=world.secretary
    ).exists()
    # a second confirm of the same file writes nothing more
    again = client.post(f"/imports/jobs/{job.pk}/confirm/")
    assert again.status_code == 302
    assert Person.objects.filter(emp_no__startswith="3000").count() == 3


def test_bad_rows_name_row_and_column_and_nothing_is_written(world, login):
    client = login(world.secretary)
    content = xlsx(
        [
            row("300001"),
            row("300002", **{"性别": "未知"}),
            row("300003", **{"入职日期": "2015-13-01", "工种": "飞行员"}),
            row("300001", "重复"),
            row("300004", unit="掘进一区"),
            row("300005", **{"身份证号": "110101198505010015"}),
            row("bad no", **{"姓名": ""}),
        ]
    )
    upload(client, content)
    job = latest_job()
    assert job.status == ImportStatus.INVALID
    found = {(e["row"], e["column"]) for e in job.errors}
    assert {
        (3, "性别"),
        (4, "入职日期"),
        (4, "工种"),
        (5, "工号"),
        (6, "区队/科室"),
        (7, "身份证号"),
        (8, "工号"),
        (8, "姓名"),
    } <= found
    assert (2, "工号") not in found
    messages = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "第 2 行" in messages[(5, "工号")]
    assert "掘进一区" in messages[(6, "区队/科室")]
    assert not Person.objects.filter(emp_no__startswith="3000").exists()
    page = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "没有写入任何数据" in page and "校验位" in page
    # the user's own file comes back with the errors marked
    marked = client.get(f"/imports/jobs/{job.pk}/errors.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(marked.streaming_content))).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "错误说明"
    assert "性别" in sheet.cell(row=3, column=len(header)).value
    assert sheet.cell(row=2, column=len(header)).value is None
    # confirming an invalid job is refused
    client.post(f"/imports/jobs/{job.pk}/confirm/")
    assert not Person.objects.filter(emp_no__startswith="3000").exists()


def test_reimport_updates_by_emp_no_and_records_transfers(world, login):
    client = login(world.secretary)
    upload(client, xlsx([row("300001", "赵六"), row("300002", "钱七")]))
    client.post(f"/imports/jobs/{latest_job().pk}/confirm/")
    upload(client, xlsx([row("300001", "赵六"), row("300002", "钱七", team="中班", **{"手机": "13900000009"})]))
    job = latest_job()
    assert job.summary == {"created": 0, "updated": 1, "unchanged": 1}
    client.post(f"/imports/jobs/{job.pk}/confirm/")
    assert Person.objects.filter(emp_no="300002").count() == 1
    qian = Person.objects.get(emp_no="300002")
    assert qian.org == world.team2 and qian.phone == "13900000009"
    transfer = Transfer.objects.get(person=qian)
    assert transfer.from_org == world.team and transfer.to_org == world.team2 and transfer.note == "花名册导入"
    update = LogEntry.objects.filter(object_pk=str(qian.pk), action=LogEntry.Action.UPDATE).get()
    assert update.changes["phone"] == ["******", "******"]  # sensitive values never in the audit log


def test_secretary_cannot_import_over_people_of_another_branch(world, login):
    client = login(world.secretary)
    upload(client, xlsx([row(world.stranger.emp_no, "冒名", unit="综采一区")]))
    job = latest_job()
    assert job.status == ImportStatus.INVALID
    assert "不在您的导入范围内" in job.errors[0]["message"]
    world.stranger.refresh_from_db()
    assert world.stranger.name == "外支部丙"


def test_only_managers_reach_the_import_and_only_their_own_jobs(world, login, client):
    assert login(world.worker).get("/imports/roster/").status_code == 404
    assert login(world.member).get("/imports/roster/template.xlsx").status_code == 404
    secretary = login(world.secretary)
    upload(secretary, xlsx([row("300001")]))
    job = latest_job()
    other = login(world.other_secretary)
    assert other.get(f"/imports/jobs/{job.pk}/").status_code == 404
    assert other.post(f"/imports/jobs/{job.pk}/confirm/").status_code == 404
    assert not Person.objects.filter(emp_no="300001").exists()
    client.logout()
    assert client.get("/imports/roster/").status_code == 302


def test_target_outside_scope_is_refused(world, login):
    response = upload(login(world.secretary), xlsx([row("300001")]), target=world.branch_b)
    assert response.status_code == 422
    assert not ImportJob.objects.exists()


def _with_member(content, name, data):
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, data if item.filename == name else source.read(item.filename))
    return out.getvalue()


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("花名册.xlsx", b"\x89PNG\r\n\x1a\nnot a workbook", "不是有效的 .xlsx"),
        ("花名册.xlsx", "工号,姓名\n1,张三\n".encode(), "不是有效的 .xlsx"),
        ("花名册.xlsx", b"", "空"),
        ("花名册.xls", b"\xd0\xcf\x11\xe0old excel", "只接受 .xlsx"),
        ("花名册.xlsx", "bomb", "不允许的 XML"),
        ("花名册.xlsx", "zipbomb", "压缩比"),
    ],
)
def test_hostile_or_wrong_files_get_a_clear_error(world, login, name, content, message):
    if content == "bomb":
        content = _with_member(xlsx([row("300001")]), "xl/worksheets/sheet1.xml", BOMB)
    elif content == "zipbomb":
        content = _with_member(xlsx([row("300001")]), "xl/worksheets/sheet1.xml", b" " * 50_000_000)
    client = login(world.secretary)
    response = client.post("/imports/roster/", {"file": SimpleUploadedFile(name, content)})
    if response.status_code == 302:  # stored, then refused while reading
        job = latest_job()
        assert job.status == ImportStatus.FAILED and message in job.message
        assert message in client.get(response["Location"]).content.decode()
    else:
        assert response.status_code == 422
        assert message in response.content.decode()
    assert not Person.objects.filter(emp_no="300001").exists()


def test_too_many_rows_is_refused(world, login, settings):
    settings.HONGLING_IMPORT_MAX_ROWS = 3
    upload(login(world.secretary), xlsx([row(f"30000{i}") for i in range(5)]))
    job = latest_job()
    assert job.status == ImportStatus.FAILED and "超过 3 行" in job.message


def test_missing_required_column_is_named(world, login):
    headers = [c.header for c in COLUMNS if c.header != "工种"]
    upload(login(world.secretary), xlsx([row("300001")], headers=headers))
    job = latest_job()
    assert job.status == ImportStatus.FAILED and "工种" in job.message


def test_large_file_goes_through_the_background_task_with_progress(world, login, monkeypatch):
    from django_tasks.signals import task_started

    monkeypatch.setattr(imports, "INLINE_BYTES", 10)
    enqueued = []

    def spy(sender, task_result, **kwargs):
        enqueued.append((task_result.task.name, task_result.args))

    task_started.connect(spy)
    client = login(world.secretary)
    upload(client, xlsx([row(f"3{i:05d}", team="早班" if i % 2 else "中班") for i in range(600)]))
    job = latest_job()
    assert enqueued == [("check_import_task", [job.pk])]
    assert job.status == ImportStatus.READY and job.total == 600 and job.processed == 600
    client.post(f"/imports/jobs/{job.pk}/confirm/")
    task_started.disconnect(spy)
    assert enqueued[-1] == ("apply_import_task", [job.pk])
    assert Person.objects.filter(emp_no__startswith="3").count() == 600


def test_progress_partial_polls_while_running(world, login):
    client = login(world.secretary)
    job = ImportJob.objects.create(
        kind="roster",
        user=world.secretary,
        target=world.branch,
        original_name="a.xlsx",
        status=ImportStatus.CHECKING,
        total=1000,
        processed=250,
    )
    response = client.get(f"/imports/jobs/{job.pk}/?poll=1", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "250 / 1000" in body and 'hx-trigger="every 1s"' in body and "<html" not in body


def test_run_import_for_scripts_and_benchmarks(world, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(xlsx([row("300001"), row("300002", team="中班")]))
    result = run_import(world.committee_user, str(path))
    assert result["created"] == 2
    assert Person.objects.get(emp_no="300002").org == world.team2


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2015-07-01", date(2015, 7, 1)),
        ("2015/7/1", date(2015, 7, 1)),
        ("20150701", date(2015, 7, 1)),
        ("2015年7月1日", date(2015, 7, 1)),
        ("42186", date(2015, 7, 1)),
        ("", None),
    ],
)
def test_dates_in_the_forms_people_type(text, expected):
    assert parse_date(text) == expected


# ---------------------------------------------------------------- export


@pytest.fixture
def _export(exported):
    """(header, rows as dicts) of the roster file made through the list's button with ``query``."""

    def made(client, query=""):
        sheet = openpyxl.load_workbook(io.BytesIO(exported(client, "/people/export.xlsx" + query))).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        header = list(rows[1])
        return header, [dict(zip(header, r)) for r in rows[2:]]

    return made


def test_export_is_the_filtered_scoped_list_with_masked_phones(world, login, _export):
    header, rows = _export(login(world.secretary), "?q=王")
    names = {r["姓名"] for r in rows}
    assert names == {"王小二"}
    assert rows[0]["手机"] == "138****8000" and rows[0]["班组"] == "早班" and rows[0]["区队/科室"] == "综采一区"
    _, everyone = _export(login(world.secretary))
    assert "外支部丙" not in {r["姓名"] for r in everyone} and "外矿丁" not in {r["姓名"] for r in everyone}
    assert not SensitiveAccess.objects.exists()


def test_the_export_is_exactly_the_list_of_the_users_scope_and_their_file_alone(world, login, _export):
    from common.models import GeneratedFile
    from orgs.services import filter_people

    client = login(world.secretary)
    _, rows = _export(client, f"?org={world.team.pk}")
    listed = filter_people(world.secretary, {"org": world.team.pk}).order_by("emp_no", "pk")
    assert [r["工号"] for r in rows] == [p.emp_no for p in listed] and rows
    page = client.get(f"/people/?org={world.team.pk}").content.decode()
    assert all(r["姓名"] in page for r in rows)
    # an org of another branch or mine in the filter brings nobody of theirs
    assert _export(client, f"?org={world.other_branch.pk}")[1] == []
    assert _export(client, f"?org={world.branch_b.pk}")[1] == []
    job = GeneratedFile.objects.filter(user=world.secretary, kind="roster_export").first()
    assert job.filename.startswith("职工花名册-") and job.done == job.total
    other = login(world.other_secretary)
    assert other.get(f"/files/{job.pk}/download/").status_code == 404
    assert other.get(f"/files/{job.pk}/").status_code == 404
    assert {r["姓名"] for r in _export(other)[1]} >= {"外支部丙"}
    assert "王小二" not in {r["姓名"] for r in _export(other)[1]}


def test_the_export_reads_a_fixed_number_of_queries_however_many_people(world, login, _export):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orgs.tests.factories import PersonFactory

    client = login(world.secretary)
    counts = []
    for n in (2, 40):
        PersonFactory.create_batch(n, org=world.team, name="批量")
        with CaptureQueriesContext(connection) as queries:
            _export(client, "?q=批量&sensitive=1")
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_export_with_sensitive_fields_is_logged_and_only_for_allowed_roles(world, login, _export):
    _, rows = _export(login(world.secretary), "?q=王&sensitive=1")
    assert rows[0]["手机"] == "13800138000"
    logged = SensitiveAccess.objects.get(user=world.secretary, person=world.worker_person, via="export")
    assert logged.ip == "127.0.0.1"
    _, rows = _export(login(world.team_leader), "?q=王&sensitive=1")
    assert rows[0]["手机"] == "138****8000"


def test_export_can_be_reimported_unchanged(world, login, exported):
    client = login(world.secretary)
    upload(client, exported(client, "/people/export.xlsx?sensitive=1"))
    job = latest_job()
    assert job.status == ImportStatus.READY, job.errors[:3]
    assert job.summary["created"] == 0 and job.summary["updated"] == 0


def test_export_out_of_scope_and_anonymous(world, login, client):
    assert login(world.worker).post("/people/export.xlsx").status_code == 404
    assert login(world.secretary).get("/people/export.xlsx").status_code == 405  # the button posts
    client.logout()
    assert client.post("/people/export.xlsx").status_code == 302


def test_work_status_changes_are_recorded_by_the_import_and_by_a_save(world, login):
    """在岗状态 changes leave an explicit record (care's 长期离岗返岗 reads it), whichever way they are made."""
    from orgs.models import WorkStatus, WorkStatusChange

    client = login(world.secretary)
    upload(client, xlsx([row("300001", "赵六")]))
    client.post(f"/imports/jobs/{latest_job().pk}/confirm/")
    zhao = Person.objects.get(emp_no="300001")
    assert not WorkStatusChange.objects.filter(person=zhao).exists()  # created on duty: nothing changed
    upload(client, xlsx([row("300001", "赵六", **{"在岗状态": "病休"})]))
    client.post(f"/imports/jobs/{latest_job().pk}/confirm/")
    change = WorkStatusChange.objects.get(person=zhao)
    assert (change.from_status, change.to_status, change.recorded_by, change.via) == (
        WorkStatus.ON_DUTY, WorkStatus.SICK, world.secretary, "import",
    )  # fmt: skip
    zhao = Person.objects.get(pk=zhao.pk)
    zhao.work_status = WorkStatus.ON_DUTY
    zhao.save()
    zhao.save()  # saved again unchanged: no second record
    assert list(WorkStatusChange.objects.filter(person=zhao).values_list("from_status", "to_status")) == [
        (WorkStatus.ON_DUTY, WorkStatus.SICK),
        (WorkStatus.SICK, WorkStatus.ON_DUTY),
    ]


ROW_VERSUS_PAGE = [  # (field, as typed in the file, as the page posts it; the other fields valid)
    ("emp_no", {"emp_no": "bad no"}, {"emp_no": "bad no"}),
    ("name", {"name": "长" * 31}, {"name": "长" * 31}),
    ("gender", {"gender": "未知"}, {"gender": "未知"}),
    ("phone", {"phone": "12345"}, {"phone": "12345"}),
    ("id_number", {"id_number": "110101198505010015"}, {"id_number": "110101198505010015"}),
    ("birth_date", {"birth_date": "2999-01-01"}, {"birth_date": "2999-01-01"}),
    ("hire_date", {"hire_date": "2015-13-01"}, {"hire_date": "2015-13-01"}),
    ("hire_date", {"hire_date": ""}, {"hire_date": ""}),
    ("party_join_date", {"party_join_date": "2016-07-01"}, {"party_join_date": "2016-07-01"}),
    ("political_status", {"political_status": "无党派"}, {"political_status": "无党派"}),
    ("work_status", {"work_status": "出差"}, {"work_status": "出差"}),
]


@pytest.mark.parametrize(
    "field,typed,posted", ROW_VERSUS_PAGE, ids=[f"{c[0]}-{i}" for i, c in enumerate(ROW_VERSUS_PAGE)]
)
def test_a_row_of_the_file_and_the_page_give_the_same_rule_and_words(world, field, typed, posted):
    from orgs.forms import PersonForm
    from orgs.models import JobType
    from orgs.roster_excel import HEADER, check_rows
    from orgs.services import manageable_orgs

    raw = {"emp_no": "300010", "name": "赵六", "gender": "男", "hire_date": "2015-03-01", "job_type": "采煤工",
           "unit": "综采一区", "team": "早班", "political_status": "群众"} | typed  # fmt: skip
    checked = check_rows(world.secretary, world.branch, [(2, raw)])
    said = [e.message for e in checked.errors if e.column == HEADER[field]]
    job = JobType.objects.get(name="采煤工")
    data = {"emp_no": "300010", "name": "赵六", "gender": "M", "hire_date": "2015-03-01", "job_type": job.pk,
            "org": world.team.pk, "political_status": "masses", "work_status": "on_duty"} | posted  # fmt: skip
    form = PersonForm(data, org_choices=manageable_orgs(world.secretary))
    assert not form.is_valid() and said and said == form.errors[field], (said, form.errors)


def test_the_export_past_the_cap_says_so_in_the_file(world, login, exported, settings):
    settings.HONGLING_EXPORT_MAX_ROWS = 1
    sheet = openpyxl.load_workbook(io.BytesIO(exported(login(world.secretary), "/people/export.xlsx"))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert any("仅导出前 1 人" in str(r[0]) for r in rows[:3]) and rows[-1][0] and rows[-2][0] == "工号"
