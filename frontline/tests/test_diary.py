"""民情日记: recording, double submits, bad input, search, the 诉求 table, 待办, privacy of contents, the book."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.errors import Conflict, Forbidden, NotFound
from common.todos import todos_for
from frontline import forms, services
from frontline.models import DiaryEntry, DiaryRead, DiaryRequest, RequestStatus
from frontline.tests import helpers
from orgs.models import SensitiveAccess

pytestmark = pytest.mark.django_db
R = RequestStatus


def entry_data(w, **extra):
    data = {
        "place": "班前会",
        "people": [w.worker_person.pk],
        "learned": "职工关心冬季班车时间",
        "requests": ["班车提前十分钟"],
        "token": "tok-1",
    }
    data.update(extra)
    return data


def test_the_care_module_reads_people_date_and_concern(fl):
    e = DiaryEntry.objects.filter(concern=True, date=timezone.localdate(), people=fl.worker_person).get()
    assert set(e.people.values_list("name", flat=True)) == {"王小二", "同事乙"}
    assert DiaryEntry._meta.get_field("concern").verbose_name == "需关注"


def test_double_submit_makes_one_entry_and_another_users_token_is_stale(fl):
    first = helpers.create_entry(fl.secretary, entry_data(fl))
    again = helpers.create_entry(fl.secretary, entry_data(fl))
    assert first.pk == again.pk and DiaryEntry.objects.filter(token="tok-1").count() == 1
    assert first.requests.count() == 1
    with pytest.raises(Conflict):
        helpers.create_entry(fl.co_secretary, entry_data(fl))


def test_double_post_of_the_page_form_makes_one_entry(fl, login):
    client = login(fl.secretary)
    data = {
        "date": timezone.localdate().isoformat(),
        "place": "职工家中",
        "learned": "家中老人生病",
        "requests": ["请假照顾"],
        "token": "page-tok",
    }
    r1 = client.post("/frontline/diary/new/", data)
    r2 = client.post("/frontline/diary/new/", data)
    assert r1.status_code == r2.status_code == 302 and r1["Location"] == r2["Location"]
    assert DiaryEntry.objects.filter(token="page-tok").count() == 1


def test_bad_input_keeps_the_form_with_messages_next_to_the_fields(fl, login):
    client = login(fl.secretary)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    r = client.post(
        "/frontline/diary/new/",
        {"date": future, "place": "", "learned": "短", "requests": ["我写的诉求"], "token": "t2", "people": ["999999"]},
    )
    assert r.status_code == 422
    html = r.content.decode()
    for message in ("日期不能晚于今天", "请填写地点", "请填写了解到的民情(至少4个字)", "有人员不存在或不在您的范围内"):
        assert message in html
    assert "我写的诉求" in html and 'value="t2"' in html
    assert not DiaryEntry.objects.filter(token="t2").exists()


def test_people_outside_the_secretarys_scope_are_refused(fl):
    with pytest.raises(ValidationError) as exc:
        helpers.create_entry(fl.secretary, entry_data(fl, people=[fl.stranger.pk], token=None))
    assert "people" in exc.value.message_dict


def test_only_secretaries_write(fl):
    for user in (fl.committee_user, fl.branch_committee, fl.worker, fl.safety):
        with pytest.raises(Forbidden):
            helpers.create_entry(user, entry_data(fl, token=None))


# ---------------------------------------------------------------- scope and privacy


READERS = {"secretary": True, "co_secretary": True, "committee_user": True, "other_secretary": False, "committee_b": False,
           "branch_committee": False, "safety": False, "admin": False, "superuser": False, "team_leader": False, "member": False, "worker": False}  # fmt: skip


@pytest.mark.parametrize("who", sorted(READERS))
def test_who_reads_an_entry(fl, who, login):
    user = getattr(fl, who)
    visible = DiaryEntry.objects.visible_to(user).filter(pk=fl.entry.pk).exists()
    assert visible is READERS[who]
    client = login(user)
    page = client.get(f"/frontline/diary/{fl.entry.pk}/")
    api = client.get(f"/api/frontline/diary/{fl.entry.pk}")
    listed = client.get("/api/frontline/diary")
    if READERS[who]:
        assert page.status_code == 200 and "母亲住院需要照顾" in page.content.decode()
        assert api.status_code == 200 and api.json()["learned"].startswith("母亲住院")
        assert listed.json()["count"] == 1
    else:
        assert page.status_code == 404 and api.status_code == 404
        assert listed.status_code == 404 or listed.json()["count"] == 0
        assert "母亲住院" not in page.content.decode() + api.content.decode() + listed.content.decode()
        assert (
            client.get("/frontline/diary/book.pdf").status_code == 404
            or b"%PDF" in client.get("/frontline/diary/book.pdf").content
        )


def test_every_read_of_contents_is_logged_and_lists_carry_none(fl, login):
    client = login(fl.committee_user)
    assert DiaryRead.objects.count() == 0
    r = client.get("/frontline/diary/")
    assert "母亲住院" not in r.content.decode() and "希望调整到白班" not in r.content.decode()
    listed = client.get("/api/frontline/diary").json()["items"][0]
    assert "learned" not in listed and listed["open_request_count"] == 2
    assert DiaryRead.objects.count() == 0  # lists are not reads of contents
    client.get(f"/frontline/diary/{fl.entry.pk}/")
    client.get(f"/api/frontline/diary/{fl.entry.pk}")
    assert list(DiaryRead.objects.order_by("pk").values_list("user__username", "via")) == [
        ("committee-sc", "page"),
        ("committee-sc", "api"),
    ]
    # the admins' sensitive-view log shows, per person met, who read about them
    rows = SensitiveAccess.objects.filter(user=fl.committee_user, fields="民情日记")
    assert sorted(rows.values_list("person__name", flat=True)) == ["同事乙", "同事乙", "王小二", "王小二"]


def test_todo_titles_carry_no_contents(fl):
    titles = [t.title for t in todos_for(fl.secretary) if t.module == "frontline"]
    assert len(titles) == 2 and all("白班" not in t and "补助" not in t for t in titles)


def test_the_audit_log_masks_diary_contents(fl):
    from auditlog.models import LogEntry

    log = LogEntry.objects.get_for_object(fl.entry).latest("pk")
    assert "母亲住院" not in json.dumps(log.changes, ensure_ascii=False)


# ---------------------------------------------------------------- search


def test_search_finds_words_in_contents_requests_places_and_names(fl):
    helpers.create_entry(fl.secretary, entry_data(fl, token=None, people=[fl.member_person.pk]))

    def found(**params):
        return sorted(e.place for e in services.filter_entries(fl.secretary, **forms.DiaryFilters(params).values()))

    assert found(q="班车") == ["班前会"]  # in 民情 and in a 诉求
    assert found(q="白班") == ["王小二家中"]  # only in a 诉求
    assert found(q="党员甲") == ["班前会"]  # a person met
    assert found(q="王小二 住院") == ["王小二家中"]  # every word
    assert found(q="没有这个词") == []
    assert found(concern="1") == ["王小二家中"]
    assert found(person=str(fl.member_person.pk)) == ["班前会"]
    helpers.act_on_request(fl.secretary, fl.entry.requests.order_by("pk")[0].pk, "resolve", {"note": "已调班"})
    assert found(open="1") == sorted(["班前会", "王小二家中"])
    for r in fl.entry.requests.all():
        if r.status == R.OPEN:
            helpers.act_on_request(fl.secretary, r.pk, "resolve", {"note": "已发补助"})
        helpers.act_on_request(fl.secretary, r.pk, "feedback", {"note": "职工满意"})
    assert found(open="1") == ["班前会"]
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert found(to=yesterday) == []
    # the other branch's secretary finds nothing of this branch
    assert list(services.filter_entries(fl.other_secretary, q="班车")) == []


# ---------------------------------------------------------------- the 诉求 table


def in_state(w, state):
    r = helpers.add_request(w.secretary, w.entry.pk, {"problem": "井下饮水点"})
    steps = {R.OPEN: [], R.HANDLING: ["handle"], R.RESOLVED: ["resolve"], R.CLOSED: ["resolve", "feedback"]}[state]
    for step in steps:
        helpers.act_on_request(w.secretary, r.pk, step, {"note": "说明"})
    return DiaryRequest.objects.get(pk=r.pk)


ACTORS = {
    "secretary": {"write"},
    "co_secretary": {"write"},
    "committee_user": set(),
    "other_secretary": None,
    "branch_committee": None,
    "worker": None,
    "superuser": None,
}


@pytest.mark.parametrize("state", list(R.values))
def test_every_state_action_and_role_against_the_request_table(fl, state):
    from django.db import transaction

    r = in_state(fl, state)
    for actor, roles in ACTORS.items():
        for action in services.REQUEST_ACTIONS:
            entry = services.REQUEST_TRANSITIONS.get((state, action))
            expected = "404" if roles is None else "409" if entry is None else "403" if not (entry[1] & roles) else "ok"
            with transaction.atomic():
                try:
                    helpers.act_on_request(getattr(fl, actor), r.pk, action, {"note": "办理说明"})
                    outcome = "ok"
                except NotFound:
                    outcome = "404"
                except Conflict as exc:
                    outcome = "409"
                    assert "不能" in exc.message
                except Forbidden:
                    outcome = "403"
                assert outcome == expected, (state, action, actor)
                after = DiaryRequest.objects.get(pk=r.pk)
                if outcome == "ok":
                    assert after.status == entry[0] and after.version == r.version + 1
                    assert after.events.latest("pk").actor == getattr(fl, actor)
                else:
                    assert after.status == state and after.version == r.version
                transaction.set_rollback(True)


def test_request_follow_up_and_its_todo_until_closed(fl, login):
    def todo_urls(user):
        return [t.url for t in todos_for(user) if t.module == "frontline"]

    anchor = f"/frontline/diary/{fl.entry.pk}/#request-{fl.req1.pk}"
    assert anchor in todo_urls(fl.secretary) and anchor in todo_urls(fl.co_secretary)
    assert todo_urls(fl.committee_user) == [] and todo_urls(fl.other_secretary) == []
    client = login(fl.secretary)
    r = client.post(f"/frontline/requests/{fl.req1.pk}/handle/", {"note": "", "version": 1})
    assert r.status_code == 422 and "请填写办理情况" in r.content.decode()
    assert (
        client.post(f"/frontline/requests/{fl.req1.pk}/handle/", {"note": "已找区队长协调", "version": 1}).status_code
        == 302
    )
    assert "书记甲:办理 · 已找区队长协调" in client.get(f"/frontline/diary/{fl.entry.pk}/").content.decode()
    stale = client.post(f"/frontline/requests/{fl.req1.pk}/resolve/", {"note": "已调班", "version": 1})
    assert stale.status_code == 409 and "已被他人处理" in stale.content.decode()
    client.post(f"/frontline/requests/{fl.req1.pk}/resolve/", {"note": "已调到八点班", "version": 2})
    assert anchor in todo_urls(fl.secretary)  # resolved, waiting for the feedback to the worker
    bad = client.post(f"/frontline/requests/{fl.req1.pk}/resolve/", {"note": "再办结", "version": 3})
    assert bad.status_code == 409 and "不能办结" in bad.content.decode()
    client.post(f"/frontline/requests/{fl.req1.pk}/feedback/", {"note": "已告知本人,满意", "version": 3})
    assert anchor not in todo_urls(fl.secretary)
    req = DiaryRequest.objects.get(pk=fl.req1.pk)
    assert (req.status, req.handling, req.result, req.feedback) == (
        R.CLOSED,
        "已找区队长协调",
        "已调到八点班",
        "已告知本人,满意",
    )
    assert [e.action for e in req.events.all()] == ["create", "handle", "resolve", "feedback"]


def test_request_api_answers_409_in_chinese(fl, login):
    client = login(fl.secretary)
    r = client.post(f"/api/frontline/requests/{fl.req1.pk}/feedback", {"note": "反馈"}, content_type="application/json")
    assert r.status_code == 409 and "不能反馈职工并销号" in r.json()["detail"]
    r = client.post(
        f"/api/frontline/requests/{fl.req1.pk}/resolve", {"note": "已办", "version": 1}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "resolved" and r.json()["actions"] == ["feedback", "reopen"]
    denied = login(fl.committee_user).post(
        f"/api/frontline/requests/{fl.req1.pk}/feedback", {"note": "x1"}, content_type="application/json"
    )
    assert denied.status_code == 403


def test_api_create_update_and_add_request(fl, login):
    client = login(fl.secretary)
    body = {
        "place": "食堂",
        "learned": "职工反映饭菜偏咸",
        "requests": ["调整口味"],
        "people": [fl.worker_person.pk],
        "token": "api-1",
    }
    r1 = client.post("/api/frontline/diary", body, content_type="application/json")
    r2 = client.post("/api/frontline/diary", body, content_type="application/json")
    assert r1.status_code == r2.status_code == 201 and r1.json()["id"] == r2.json()["id"]
    pk = r1.json()["id"]
    assert r1.json()["requests"][0]["problem"] == "调整口味"
    bad = client.post("/api/frontline/diary", {"place": "", "learned": "短"}, content_type="application/json")
    assert bad.status_code == 422 and "请填写地点" in bad.json()["errors"]["place"]
    upd = {
        "version": 1,
        "date": timezone.localdate().isoformat(),
        "place": "职工食堂",
        "learned": "职工反映饭菜偏咸偏油",
        "people": [],
    }
    assert client.put(f"/api/frontline/diary/{pk}", upd, content_type="application/json").json()["place"] == "职工食堂"
    assert client.put(f"/api/frontline/diary/{pk}", upd, content_type="application/json").status_code == 409
    added = client.post(f"/api/frontline/diary/{pk}/requests", {"problem": "增加面食"}, content_type="application/json")
    assert added.status_code == 201 and added.json()["status"] == "open"


# ---------------------------------------------------------------- the book


def test_the_book_of_a_month_renders_with_cover_contents_and_the_entries(fl, login):
    from weasyprint import HTML

    from frontline.views import book_context

    helpers.create_entry(fl.secretary, entry_data(fl, token=None))
    client = login(fl.secretary)
    today = timezone.localdate()
    r = client.get(f"/frontline/diary/book.pdf?year={today.year}&month={today.month}")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert DiaryRead.objects.filter(user=fl.secretary, via="pdf").count() == 2
    # the same document, laid out: the pages and the Chinese text on them
    from django.template.loader import render_to_string

    entries = list(DiaryEntry.objects.order_by("date", "pk").prefetch_related("people", "requests"))
    document = HTML(
        string=render_to_string(
            "frontline/diary_book.html",
            book_context(fl.secretary, entries, f"{today.year}年{today.month}月", fl.branch),
        )
    ).render()
    pages = []
    for page in document.pages:
        texts = []

        def walk(box):
            if getattr(box, "text", None):
                texts.append(box.text)
            for child in getattr(box, "children", []) or []:
                walk(child)

        walk(page._page_box)
        pages.append("".join(texts))
    assert len(pages) >= 3
    assert "红领民情日记" in pages[0] and "综采一区党支部" in pages[0]
    assert "目录" in pages[1] and f"{today.year}年{today.month}月" in pages[1]
    body = "".join(pages[2:])
    for text in ("母亲住院需要照顾", "希望调整到白班", "职工关心冬季班车时间", "王小二"):
        assert text in body


def test_the_book_of_a_year_is_for_readers_only(fl, login):
    assert login(fl.branch_committee).get("/frontline/diary/book.pdf").status_code == 404
    r = login(fl.other_secretary).get("/frontline/diary/book.pdf")
    assert r.status_code == 200 and DiaryRead.objects.count() == 0  # their branch has no entries: nothing read


def test_adding_a_request_twice_with_the_same_form_adds_one(fl, login):
    client = login(fl.secretary)
    data = {"problem": "井下增加饮水点", "token": "add-1"}
    assert client.post(f"/frontline/diary/{fl.entry.pk}/requests/", data).status_code == 302
    assert client.post(f"/frontline/diary/{fl.entry.pk}/requests/", data).status_code == 302
    assert fl.entry.requests.filter(problem="井下增加饮水点").count() == 1
    r = client.post(f"/frontline/diary/{fl.entry.pk}/requests/", {"problem": "", "token": "add-2"})
    assert r.status_code == 422 and "请填写诉求内容" in r.content.decode() and 'value="add-2"' in r.content.decode()


def test_editing_an_entry_and_a_stale_edit_form(fl, login):
    client = login(fl.co_secretary)
    form = client.get(f"/frontline/diary/{fl.entry.pk}/edit/")
    assert form.status_code == 200 and "母亲住院需要照顾" in form.content.decode()
    assert DiaryRead.objects.filter(user=fl.co_secretary, entry=fl.entry).exists()
    data = {
        "version": 1,
        "date": fl.entry.date.isoformat(),
        "place": "王小二家中",
        "learned": "母亲已出院,情绪好转",
        "people": [fl.worker_person.pk],
    }
    assert client.post(f"/frontline/diary/{fl.entry.pk}/edit/", data).status_code == 302
    stale = client.post(f"/frontline/diary/{fl.entry.pk}/edit/", data)
    assert stale.status_code == 409 and "已被修改" in stale.content.decode()
    e = DiaryEntry.objects.get(pk=fl.entry.pk)
    assert (e.learned, e.concern, list(e.people.all())) == ("母亲已出院,情绪好转", False, [fl.worker_person])
    assert login(fl.committee_user).get(f"/frontline/diary/{fl.entry.pk}/edit/").status_code == 404


def test_the_committee_prints_one_branch_at_a_time(fl, login):
    other = helpers.create_entry(
        fl.other_secretary, entry_data(fl, token=None, people=[fl.stranger.pk], place="掘进一区食堂")
    )
    client = login(fl.committee_user)
    r = client.get("/frontline/diary/book.pdf")
    assert r.status_code == 302 and r["Location"] == "/frontline/diary/"
    r = client.get(f"/frontline/diary/book.pdf?branch={fl.other_branch.pk}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert list(DiaryRead.objects.filter(via="pdf").values_list("entry", flat=True)) == [other.pk]
    assert login(fl.secretary).get(f"/frontline/diary/book.pdf?branch={fl.other_branch.pk}").status_code == 404
