"""Petitions: the table exhaustively (state × action × role) through the kernel, the clock's refusals, the accused
who never sees a 检举控告, reads logged, the ledger and its export without contents."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common import inputs
from common.errors import Conflict, Forbidden, NotFound
from orgs.tests.factories import PersonFactory, make_user
from stability import forms, services
from stability.models import ContentRead, Petition, PetitionStatus
from stability.tests.helpers import ago, petition

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
# each state with dates that make its steps possible today
STATE_DATES = {
    "received": {},
    "accepted": {"accepted_on": ago(15)},
    "declined": {"answered_on": ago(5)},
    "answered": {"accepted_on": ago(15), "answered_on": ago(5), "level": "unit"},
    "suspended": {"accepted_on": ago(15), "suspended_on": ago(3)},
    "reviewing": {"accepted_on": ago(15), "answered_on": ago(10), "review_requested_on": ago(4)},
    "reviewed": {"accepted_on": ago(15), "answered_on": ago(10), "review_requested_on": ago(8), "review_answered_on": ago(2)},
    "rechecking": {"accepted_on": ago(15), "answered_on": ago(10), "review_requested_on": ago(8),
                   "review_answered_on": ago(6), "recheck_requested_on": ago(1)},
    "rechecked": {"accepted_on": ago(15), "answered_on": ago(10), "review_requested_on": ago(8),
                  "review_answered_on": ago(6), "recheck_requested_on": ago(4), "recheck_answered_on": ago(1)},
}  # fmt: skip
PARAMS = {
    "extend": {"days": 10, "reason": "需调取工资台账", "approved_by": "矿长", "told_on": TODAY},
    "answer": {"date": TODAY, "result": "已补发误餐补助", "level": "unit", "satisfaction": "satisfied"},
}
EXPECTED = {  # (state, action) -> target
    ("received", "accept"): "accepted",
    ("received", "decline"): "declined",
    ("accepted", "extend"): "accepted",
    ("accepted", "answer"): "answered",
    ("accepted", "suspend"): "suspended",
    ("suspended", "resume"): "accepted",
    ("answered", "request_review"): "reviewing",
    ("reviewing", "answer_review"): "reviewed",
    ("reviewed", "request_recheck"): "rechecking",
    ("rechecking", "answer_recheck"): "rechecked",
}


def test_the_table_is_what_the_rules_say(st):
    table = services.PETITION_MACHINE.as_dict()
    assert {k: (v[0] if v[0] is not None else k[0]) for k, v in table.items()} == EXPECTED
    assert set(PetitionStatus.values) == set(STATE_DATES)


def test_every_state_action_and_role(st):
    w = st
    base = petition(w, days_ago=20)
    roles = {
        "secretary": w.secretary, "committee": w.committee_user, "other_secretary": w.other_secretary,
        "admin": w.admin, "safety": w.safety, "branch_committee": w.branch_committee, "team_leader": w.team_leader,
        "member": w.member, "worker": w.worker, "superuser": w.superuser,
    }  # fmt: skip
    readers = {"secretary", "committee"}
    checked = 0
    for state, dates in STATE_DATES.items():
        for action in services.PETITION_ACTIONS:
            for role, user in roles.items():
                with transaction.atomic():
                    Petition.objects.filter(pk=base.pk).update(status=state, **dates)
                    params = PARAMS.get(action, {"date": TODAY, "note": "已书面告知信访人"})
                    if role not in readers:
                        expected = NotFound
                    elif (state, action) not in EXPECTED:
                        expected = Conflict
                    else:
                        expected = EXPECTED[(state, action)]
                    try:
                        result = services.act_on_petition(user, base.pk, action=action, **params).status
                    except (NotFound, Conflict, Forbidden, ValidationError) as exc:
                        result = type(exc)
                    assert result == expected, (state, action, role, result)
                    checked += 1
                    transaction.set_rollback(True)
    assert checked == len(STATE_DATES) * len(services.PETITION_ACTIONS) * len(roles)


def test_a_step_is_an_event_and_an_audit_entry(st):
    from auditlog.models import LogEntry

    p = petition(st)
    services.act_on_petition(st.secretary, p.pk, action="accept", date=TODAY)
    assert list(p.events.values_list("action", flat=True)) == ["create", "accept"]
    entry = LogEntry.objects.get_for_object(p).filter(action=LogEntry.Action.UPDATE).first()
    assert entry is not None and "status" in entry.changes_dict


def test_extension_once_at_most_30_days_with_reason_approval_and_notice(st):
    p = petition(st, days_ago=20)
    services.act_on_petition(st.secretary, p.pk, action="accept", date=ago(18))
    with pytest.raises(ValidationError) as exc:
        services.act_on_petition(
            st.secretary, p.pk, action="extend", days=31, reason="复杂", approved_by="矿长", told_on=TODAY
        )
    assert "days" in exc.value.message_dict
    for missing in ("reason", "approved_by", "told_on"):  # the form of the page and the API
        data = {"days": 30, "reason": "复杂", "approved_by": "矿长", "told_on": TODAY, missing: ""}
        with pytest.raises(ValidationError) as exc:
            inputs.parse(forms.ExtendForm, data)
        assert list(exc.value.message_dict) == [missing]
    p = services.act_on_petition(
        st.secretary, p.pk, action="extend", days=30, reason="需调查", approved_by="矿长", told_on=TODAY
    )
    assert p.extended_days == 30
    assert services.clock.deadline(p, services.numbers_for(st.mine))[1] == ago(18) + timedelta(days=90)
    with pytest.raises(Conflict, match="只能延长一次"):
        services.act_on_petition(
            st.secretary, p.pk, action="extend", days=5, reason="再延", approved_by="矿长", told_on=TODAY
        )
    assert "extend" not in [a for a, _l, _f in services.petition_actions(st.secretary, p)]


def test_no_extension_after_the_last_day(st):
    p = petition(st, days_ago=80)
    services.act_on_petition(st.secretary, p.pk, action="accept", date=ago(61))
    with pytest.raises(ValidationError, match="届满"):
        services.act_on_petition(
            st.secretary, p.pk, action="extend", days=10, reason="复杂", approved_by="矿长", told_on=TODAY
        )


def test_review_requested_on_day_30_is_taken_on_day_31_refused(st):
    p = petition(st, days_ago=90)
    services.act_on_petition(st.secretary, p.pk, action="accept", date=ago(85))
    answered = ago(31)
    services.act_on_petition(st.secretary, p.pk, action="answer", date=answered, result="已答复", level="unit")
    with pytest.raises(ValidationError, match="复查的期限已于"):
        services.act_on_petition(st.secretary, p.pk, action="request_review", date=answered + timedelta(days=31))
    p = services.act_on_petition(st.secretary, p.pk, action="request_review", date=answered + timedelta(days=30))
    assert p.status == "reviewing"


def test_suspension_days_do_not_count(st):
    p = petition(st, days_ago=40)
    services.act_on_petition(st.secretary, p.pk, action="accept", date=ago(35))
    services.act_on_petition(st.secretary, p.pk, action="suspend", date=ago(20), note="信访人外出,无法核实")
    p = services.act_on_petition(st.secretary, p.pk, action="resume", date=ago(10))
    assert p.paused_days == 10
    assert services.clock.deadline(p, services.numbers_for(st.mine))[1] == ago(35) + timedelta(days=70)


def test_the_accused_never_sees_the_accusation(st, client, exported):
    w = st
    # the accused is a secretary of the same branch (a second account): they read other petitions, not this one
    accused_person = PersonFactory(org=w.team, name="被举报人")
    accused_user = make_user("secretary-accused", "secretary", w.branch, person=accused_person)
    accusation = petition(w, klass="accusation", accused=accused_person.emp_no, matter="检举考勤弄虚作假")
    other = petition(w)
    assert set(Petition.objects.visible_to(accused_user)) == {other}
    assert set(Petition.objects.visible_to(w.secretary)) == {accusation, other}
    client.force_login(accused_user)
    assert client.get(f"/stability/petitions/{accusation.pk}/").status_code == 404
    assert client.get(f"/api/stability/petitions/{accusation.pk}").status_code == 404
    page = client.get("/stability/petitions/").content.decode()
    assert f"/stability/petitions/{accusation.pk}/" not in page
    assert _ledger_ids(exported(client, "/stability/petitions/export.xlsx")) == [other.received_on]
    # and a recorder may not name themselves as the accused
    with pytest.raises(ValidationError):
        petition(w, user=accused_user, klass="accusation", accused=accused_person.emp_no)


def test_contents_are_need_to_know_and_every_read_is_logged(st, client):
    from orgs.models import SensitiveAccess

    w = st
    p = petition(w, petitioners=w.worker_person.emp_no)
    for user in (w.admin, w.superuser, w.other_secretary, w.branch_committee, w.team_leader, w.worker):
        client.force_login(user)
        assert client.get(f"/stability/petitions/{p.pk}/").status_code == 404, user
        assert client.get(f"/api/stability/petitions/{p.pk}").status_code == 404, user
    assert not ContentRead.objects.exists()
    client.force_login(w.committee_user)
    page = client.get(f"/stability/petitions/{p.pk}/")
    assert "误餐补助" in page.content.decode()
    client.get(f"/api/stability/petitions/{p.pk}")
    reads = list(ContentRead.objects.values_list("user_id", "kind", "object_id", "via"))
    assert reads == [(w.committee_user.pk, "petition", p.pk, "api"), (w.committee_user.pk, "petition", p.pk, "page")]
    # the petitioner, a worker of the roster, has both reads in the platform's log of reads about people
    about = SensitiveAccess.objects.filter(person=w.worker_person, user=w.committee_user)
    assert sorted(about.values_list("fields", "via")) == [("信访内容", "api"), ("信访内容", "page")]
    # the ledger itself shows no contents
    assert "误餐补助" not in client.get("/stability/petitions/").content.decode()


def _ledger_rows(content):
    import openpyxl

    values = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(values) if row[0] == "收到日期")
    return values[:header], values[header + 1 :]


def _ledger_ids(content):
    return [row[0].date() for row in _ledger_rows(content)[1]]


def test_ledger_colours_and_export(st, client, exported):
    w = st
    overdue = petition(w, days_ago=20)  # no acceptance notice after 20 days
    near = petition(w, days_ago=12)
    running = petition(w, days_ago=1)
    done = petition(w, days_ago=30)
    services.act_on_petition(w.secretary, done.pk, action="accept", date=ago(28))
    services.act_on_petition(w.secretary, done.pk, action="answer", date=ago(2), result="已解决", level="team")
    colours = {p.pk: c for p, c, _d in services.ledger(w.secretary)}
    assert colours == {overdue.pk: "overdue", near.pk: "near", running.pk: "running", done.pk: "done"}
    assert [p.pk for p, _c, _d in services.ledger(w.secretary, colour="overdue")] == [overdue.pk]
    assert [p.pk for p, _c, _d in services.ledger(w.secretary, colour="done")] == [done.pk]
    client.force_login(w.secretary)
    assert client.get("/stability/petitions/export.xlsx").status_code == 405  # a link cannot start one
    notes, rows = _ledger_rows(exported(client, "/stability/petitions/export.xlsx"))
    assert "不含信访内容" in str(notes) and "共 4 件" in notes[0][0]
    assert sorted(r[6] for r in rows) == sorted(["超期", "临期", "在办", "办结"])
    assert not any("误餐补助" in str(c) for row in notes + rows for c in row)


def test_the_ledger_file_is_the_filtered_list_of_the_users_scope_and_theirs_alone(st, client, exported):
    from common.models import GeneratedFile

    w = st
    mine = [petition(w, days_ago=20), petition(w, days_ago=20), petition(w, days_ago=1)]
    theirs = petition(w, user=w.other_secretary, org=w.other_branch.pk, days_ago=20)  # overdue too, another branch
    client.force_login(w.secretary)
    query = f"?colour=overdue&year={ago(20).year}"
    listed = client.get("/stability/petitions/" + query).content.decode()
    _notes, rows = _ledger_rows(exported(client, "/stability/petitions/export.xlsx" + query))
    assert [(r[1], r[6]) for r in rows] == [(w.branch.name, "超期")] * 2
    assert all(f"/stability/petitions/{p.pk}/" in listed for p in mine[:2])
    assert f"/stability/petitions/{mine[2].pk}/" not in listed
    job = GeneratedFile.objects.get(user=w.secretary, kind="petition_ledger")
    assert job.done == job.total == 2 and job.filename.startswith("信访台账-")
    # another account: not their file; their own file has their branch only, whatever the filter
    client.force_login(w.other_secretary)
    assert client.get(f"/files/{job.pk}/download/").status_code == 404
    assert client.get(f"/files/{job.pk}/").status_code == 404
    _notes, rows = _ledger_rows(exported(client, "/stability/petitions/export.xlsx" + query))
    assert [(r[0].date(), r[1]) for r in rows] == [(theirs.received_on, w.other_branch.name)]
    # a role that does not read petitions cannot start one
    client.force_login(w.worker)
    assert client.post("/stability/petitions/export.xlsx").status_code == 404


def test_the_ledger_past_the_cap_says_so_in_the_file(st, client, exported, settings):
    petition(st, days_ago=0), petition(st, days_ago=0)  # this year whatever the day
    settings.HONGLING_EXPORT_MAX_ROWS = 1
    client.force_login(st.secretary)
    notes, rows = _ledger_rows(exported(client, "/stability/petitions/export.xlsx"))
    assert len(rows) == 1 and "仅导出前 1 件" in str(notes)


def test_ledger_page_query_count_does_not_grow(st, client, django_assert_max_num_queries):
    for i in range(40):
        petition(st, days_ago=i % 30)
    client.force_login(st.secretary)
    with django_assert_max_num_queries(14):
        assert client.get("/stability/petitions/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/stability/petitions/?page=2").status_code == 200


def test_bad_input_keeps_what_was_typed(st, client):
    client.force_login(st.secretary)
    response = client.post(
        "/stability/petitions/new/",
        {"org": st.branch.pk, "channel": "visit", "klass": "claim", "received_on": "2999-01-01",
         "petitioner_names": "张三李四", "people_count": "2", "matter": "反映班车时间", "token": "t1"},
    )  # fmt: skip
    assert response.status_code == 422
    text = response.content.decode()
    assert "收到日期不能晚于今天" in text and "张三李四" in text and "反映班车时间" in text
    assert not Petition.objects.exists()


def test_a_double_submit_makes_one_petition(st, client):
    client.force_login(st.secretary)
    data = {"org": st.branch.pk, "channel": "visit", "klass": "claim", "received_on": TODAY.isoformat(),
            "petitioner_names": "张三", "people_count": "1", "matter": "反映班车时间", "token": "same-token"}  # fmt: skip
    first = client.post("/stability/petitions/new/", data)
    second = client.post("/stability/petitions/new/", data)
    assert first.status_code == second.status_code == 302
    assert Petition.objects.count() == 1


def test_an_invalid_step_answers_409_with_the_reason(st, client):
    p = petition(st)
    client.force_login(st.secretary)
    response = client.post(f"/stability/petitions/{p.pk}/answer_review/", {"date": TODAY.isoformat(), "note": "意见"})
    assert response.status_code == 409
    assert "不能复查答复" in response.content.decode()


def test_an_administrator_lists_who_read_a_petition_without_reading_it(st, client):
    p = petition(st)
    client.force_login(st.committee_user)
    client.get(f"/stability/petitions/{p.pk}/")
    client.force_login(st.admin)
    page = client.get(f"/stability/reads/?kind=petition&id={p.pk}").content.decode()
    assert f"信访 #{p.pk}" in page and "页面" in page
    assert "误餐补助" not in page
    client.force_login(st.secretary)
    assert client.get("/stability/reads/").status_code == 404


def test_the_ledger_pages_each_show_their_own_petitions_with_their_colour(st, client):
    """The list reads one page from the database and works out the colour of that page's rows only."""
    w = st
    made = [petition(w, days_ago=i) for i in range(32)]  # newest first: 0 … 31 days ago; 20+ days unaccepted: 超期
    client.force_login(w.secretary)
    first = client.get("/stability/petitions/").content.decode()
    second = client.get("/stability/petitions/?page=2").content.decode()
    assert all(f"/stability/petitions/{p.pk}/" in first for p in made[:30])
    assert not any(f"/stability/petitions/{p.pk}/" in first for p in made[30:])
    assert all(f"/stability/petitions/{p.pk}/" in second for p in made[30:])
    assert not any(f"/stability/petitions/{p.pk}/" in second for p in made[:30])
    assert second.count('class="table-danger"') == 2 and 'class="table-warning"' in first
