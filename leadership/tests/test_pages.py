"""The pages as a secretary and others use them: input kept on errors, 409 with the reason, the home tile and
待办, fixed query counts on lists."""

from datetime import timedelta

import pytest

from leadership import services
from leadership.models import Decision, Meeting
from leadership.tests.helpers import committee_meeting, hold, life_at

pytestmark = pytest.mark.django_db


def test_a_secretary_holds_a_committee_meeting_with_one_absent_and_records_a_decision(lead, login):
    c = login(lead.secretary)
    page = c.get("/leadership/meetings/new/")
    token = page.context["data"]["token"]
    r = c.post(
        "/leadership/meetings/new/",
        {"token": token, "kind": "committee", "org": lead.branch.pk, "date": lead.today.isoformat(),
         "topic": "研究帮教工作", "agenda": "通报三违\n研究帮教"},
    )  # fmt: skip
    m = Meeting.objects.get(token=token)
    assert r.status_code == 302 and r.url == f"/leadership/meetings/{m.pk}/"
    form = {"op": "attendance", "minutes": "丁请假。会议研究了帮教工作。"}
    form[f"status_{lead.p4.pk}"] = "leave"
    form[f"reason_{lead.p4.pk}"] = "下井带班"
    c.post(f"/leadership/meetings/{m.pk}/", form)
    page = c.get(f"/leadership/meetings/{m.pk}/").content.decode()
    assert "应到 4 人,实到 3 人:超过半数,会议有效" in page
    c.post(
        f"/leadership/meetings/{m.pk}/",
        {"op": "decision", "text": "对三违人员逐一帮教", "mode": "delegated", "owner": lead.p3.pk,
         "deadline": (lead.today + timedelta(days=7)).isoformat()},
    )  # fmt: skip
    d = Decision.objects.get(meeting=m)
    assert d.get_mode_display() == "分工负责"
    home = login(lead.bc_user).get("/").content.decode()
    assert "会议决议:对三违人员逐一帮教" in home


def test_bad_input_keeps_what_was_typed(lead, login):
    c = login(lead.secretary)
    m = hold(lead, committee_meeting(lead))
    r = c.post(f"/leadership/meetings/{m.pk}/", {"op": "decision", "text": "要保留的决议文字", "mode": "collective",
                                                  "owner": "", "deadline": "明天"})  # fmt: skip
    assert r.status_code == 422
    html = r.content.decode()
    assert "要保留的决议文字" in html and "请选择本支部的责任人" in html


def test_a_decision_on_a_meeting_without_quorum_answers_409_with_the_reason(lead, login):
    m = hold(lead, committee_meeting(lead), absent=[lead.p3.pk, lead.p4.pk])
    r = login(lead.secretary).post(
        f"/leadership/meetings/{m.pk}/",
        {"op": "decision", "text": "事项", "mode": "collective", "owner": lead.p3.pk, "deadline": lead.today},
    )
    assert r.status_code == 409 and "未过半数" in r.content.decode()


def test_out_of_scope_pages_are_404(lead, login):
    m = committee_meeting(lead)
    life = life_at(lead, "study")
    c = login(lead.other_secretary)
    assert c.get(f"/leadership/meetings/{m.pk}/").status_code == 404
    assert c.get(f"/leadership/life/{life.pk}/").status_code == 404
    assert c.get(f"/leadership/teams/{lead.team_c.pk}/").status_code == 404
    assert login(lead.worker).get("/leadership/").status_code == 404


def test_home_tile_five_shows_the_figures_that_matter(lead, login):
    m = hold(lead, committee_meeting(lead, day=lead.today - timedelta(days=1)))
    services.add_decision(lead.secretary, meeting=m, text="过期事项", mode="collective", owner=lead.p3,
                          deadline=lead.today - timedelta(days=1))  # fmt: skip
    home = login(lead.secretary).get("/")
    tiles = {number: figures for number, _t, _m, _i, figures in home.context["tiles"]}
    labels = {f.label: f.value for f in tiles[5]}
    assert labels["决议超期"] == 1
    assert labels["整改事项 未销号/超期"] == "0/0"
    assert labels["本季度有效会议"] == "1/1" or lead.today.month in (1, 4, 7, 10)


def test_the_rectification_closes_from_the_page(lead, login):
    life = life_at(lead, "rectify")
    r = services.add_rectification(lead.secretary, life=life, problem="跟班少", measure="每周两次", owner=lead.p3,
                                   deadline=lead.today + timedelta(days=9))  # fmt: skip
    owner = login(lead.bc_user)
    assert "整改事项:跟班少" in owner.get("/").content.decode()
    owner.post(f"/leadership/rectifications/{r.pk}/", {"op": "done", "evidence": "跟班记录 8 次"})
    sec = login(lead.secretary)
    assert sec.post(f"/leadership/rectifications/{r.pk}/", {"op": "check"}).status_code == 302
    r.refresh_from_db()
    assert r.checked_by == lead.secretary and r.status_label == "已销号"


def _many_meetings(w, n):
    for i in range(n):
        m = hold(w, committee_meeting(w, day=w.today - timedelta(days=i)))
        services.add_decision(w.secretary, meeting=m, text=f"事项{i}", mode="collective", owner=w.p3,
                              deadline=w.today + timedelta(days=i - 3))  # fmt: skip


@pytest.mark.parametrize(
    "url", ["/", "/leadership/", "/leadership/meetings/", "/leadership/decisions/", "/leadership/decisions/?state=all",
            "/leadership/rectifications/?state=all", "/leadership/life/", "/leadership/notices/",
            "/leadership/reports/"]
)  # fmt: skip
def test_lists_answer_in_a_fixed_number_of_queries(lead, login, django_assert_max_num_queries, url):
    """The count with a few rows is the most the page may take with many more (and never more than 30)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _many_meetings(lead, 2)
    life_at(lead, "closed")
    services.submit_report(lead.secretary, org=lead.branch, title="报告", body="内容")
    services.send_notice(lead.secretary, org=lead.branch, title="通知", body="正文", targets=[lead.unit])
    c = login(lead.secretary)
    c.get(url)
    with CaptureQueriesContext(connection) as few:
        assert c.get(url).status_code == 200
    assert url == "/" or len(few.captured_queries) <= 30  # the home also runs every other module
    _many_meetings(lead, 12)
    for _ in range(3):
        life_at(lead, "closed")
    for _ in range(5):
        services.submit_report(lead.secretary, org=lead.branch, title="报告", body="内容")
        services.send_notice(lead.secretary, org=lead.branch, title="通知", body="正文", targets=[lead.unit])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(url).status_code == 200


def test_a_member_writes_their_own_self_assessment_and_sees_no_one_elses(lead, login):
    a = services.create_appraisal(lead.secretary, org=lead.branch, year=lead.today.year)
    c = login(lead.member)
    home = c.get("/").content.decode()
    assert f"民主评议:请填写{lead.today.year}年度个人自评" in home
    own = a.rows.get(person=lead.member_person)
    page = c.get(f"/leadership/appraisals/{a.pk}/").content.decode()
    assert "党员甲" in page and "党员丙" not in page
    c.post(f"/leadership/appraisals/{a.pk}/", {"op": "rows", f"self_summary_{own.pk}": "带头执行手指口述"})
    own.refresh_from_db()
    assert own.self_summary == "带头执行手指口述"
    other = a.rows.get(person=lead.p3)
    c.post(f"/leadership/appraisals/{a.pk}/", {"op": "rows", f"self_summary_{other.pk}": "代写"})
    other.refresh_from_db()
    assert other.self_summary == ""
    assert c.post(f"/leadership/appraisals/{a.pk}/", {"op": "act", "action": "to_mutual"}).status_code == 403


def test_attendance_typed_is_kept_when_a_reason_is_missing(lead, login):
    m = committee_meeting(lead)
    form = {"op": "attendance", "minutes": "记录要保留", f"status_{lead.p4.pk}": "leave", f"reason_{lead.p4.pk}": "",
            f"status_{lead.p3.pk}": "absent", f"reason_{lead.p3.pk}": "未请假"}  # fmt: skip
    r = login(lead.secretary).post(f"/leadership/meetings/{m.pk}/", form)
    assert r.status_code == 422
    html = r.content.decode()
    assert "请假须填写原因" in html and "记录要保留" in html and 'value="未请假"' in html
    rows = {a.person_id: a.status for a in r.context["attendance"]}
    assert (rows[lead.p4.pk], rows[lead.p3.pk]) == ("leave", "absent")


def test_a_double_tap_records_one_decision_and_one_notice(lead, login):
    m = hold(lead, committee_meeting(lead))
    c = login(lead.secretary)
    token = c.get(f"/leadership/meetings/{m.pk}/").context["token"]
    form = {"op": "decision", "text": "一次", "mode": "collective", "owner": lead.p3.pk,
            "deadline": lead.today.isoformat(), "token": token}  # fmt: skip
    assert c.post(f"/leadership/meetings/{m.pk}/", form).status_code == 302
    assert c.post(f"/leadership/meetings/{m.pk}/", form).status_code == 302
    assert Decision.objects.filter(meeting=m).count() == 1
    token = c.get("/leadership/notices/new/").context["token"]
    form = {"org": lead.branch.pk, "title": "通知", "body": "正文", "targets": [lead.unit.pk], "token": token}
    c.post("/leadership/notices/new/", form)
    c.post("/leadership/notices/new/", form)
    from leadership.models import Notice

    assert Notice.objects.filter(title="通知").count() == 1


def _book(content):
    import io

    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content))


def _lines(sheet, first):
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == first)
    return rows[:header], rows[header + 1 :]


def test_the_ledger_has_meetings_decisions_and_items_but_no_criticism(lead, login, exported):
    m = hold(lead, committee_meeting(lead), absent=[lead.p3.pk, lead.p4.pk])
    life = life_at(lead, "meeting")
    services.add_criticism(lead.secretary, life=life, target=lead.p3, kind="self", text="不应出现在台账里")
    client = login(lead.secretary)
    assert client.get("/leadership/meetings.xlsx").status_code == 405  # a link cannot start one: the button posts
    book = _book(exported(client, "/leadership/meetings.xlsx"))
    assert book.sheetnames == ["会议", "决议", "整改事项"]
    notes, rows = _lines(book["会议"], "日期")
    assert rows[0][3] == m.topic and rows[0][6] == "未过半数" and "共 1 次" in notes[0][0]
    text = " ".join(str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "不应出现在台账里" not in text
    assert login(lead.worker).post("/leadership/meetings.xlsx").status_code == 404


def test_the_ledger_file_is_the_listed_kind_in_the_users_scope_and_theirs_alone(lead, login, exported):
    from common.models import GeneratedFile
    from leadership.models import Meeting

    w = lead
    m = hold(w, committee_meeting(w))
    services.add_decision(w.secretary, meeting=m, text="落实安全月", mode="collective", owner=w.p3, deadline=w.today)
    day = Meeting.objects.create(
        org=w.branch,
        kind="theme_day",
        date=w.today,
        topic="主题党日活动",
        recorded_by=w.secretary,
        held=True,
        valid=True,
    )
    services.add_decision(
        w.secretary, meeting=day, text="主题党日决议", mode="collective", owner=w.p4, deadline=w.today
    )
    Meeting.objects.create(org=w.other_branch, kind="committee", date=w.today, topic="外支部支委会",
                           recorded_by=w.other_secretary)  # fmt: skip
    client = login(w.secretary)
    listed = client.get("/leadership/meetings/?kind=committee").content.decode()
    assert m.topic in listed and day.topic not in listed and "外支部支委会" not in listed
    book = _book(exported(client, "/leadership/meetings.xlsx?kind=committee"))
    notes, rows = _lines(book["会议"], "日期")
    assert [r[3] for r in rows] == [m.topic] and "会议类型:支委会" in str(notes)
    assert [r[1] for r in _lines(book["决议"], "会议")[1]] == ["落实安全月"]
    whole = _book(exported(client, "/leadership/meetings.xlsx"))
    assert sorted(r[3] for r in _lines(whole["会议"], "日期")[1]) == sorted([m.topic, day.topic])
    job = GeneratedFile.objects.filter(user=w.secretary, kind="leadership_ledger").first()
    assert job.filename.startswith("班子建设台账-") and job.done == job.total
    other = login(w.other_secretary)
    assert other.get(f"/files/{job.pk}/download/").status_code == 404
    assert other.get(f"/files/{job.pk}/").status_code == 404
    theirs = _book(exported(other, "/leadership/meetings.xlsx?kind=committee"))
    assert [r[3] for r in _lines(theirs["会议"], "日期")[1]] == ["外支部支委会"]
    assert _lines(theirs["决议"], "会议")[1] == []


def test_a_delegated_decision_shows_the_owners_division_of_work(lead, login):
    m = hold(lead, committee_meeting(lead))
    services.add_decision(lead.secretary, meeting=m, text="宣传安全月", mode="delegated", owner=lead.p3,
                          deadline=lead.today)  # fmt: skip
    services.add_decision(lead.secretary, meeting=m, text="集体研究事项", mode="collective", owner=lead.p4,
                          deadline=lead.today)  # fmt: skip
    html = login(lead.secretary).get(f"/leadership/meetings/{m.pk}/").content.decode()
    assert "党员丙(分工:宣传委员)" in html
    assert "(分工:纪检委员)" not in html  # 集体领导: the team decided, not a member's division
