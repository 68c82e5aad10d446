"""Rules of the hazard loop beyond the table: scope of reporters and 责任人, answers of the pages and the API to bad,
stale or forbidden input, what a failed form keeps, photos, 待办, extensions, reopening, and query counts."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from common import uploads
from common.todos import todos_for
from hazards import services
from hazards.models import Hazard, HazardStatus
from hazards.tests.test_loop import act, assign_data, in_state, register, report, site  # noqa: F401  (fixture)
from orgs.tests.factories import PersonFactory, make_user
from places.models import Location

pytestmark = pytest.mark.django_db
S = HazardStatus


def jpeg(size=(40, 30), color="gray", **save):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", **save)
    return buffer.getvalue()


def upload(content, name="p.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type)


def form(w, **extra):
    data = {"location": w.location.pk, "category": w.category.pk, "grade": w.grade_b.pk, "description": "巷道积水严重"}
    data.update(extra)
    return data


# ---------------------------------------------------------------- scope


def test_a_team_leader_sees_what_they_reported_at_the_units_face_and_what_they_must_fix(site, login):
    w = site
    leader_person = PersonFactory(org=w.team, name="班长丙")
    leader = make_user("tl-person", "team_leader", w.team, person=leader_person)
    found = report(w, user=leader)  # the 工作面 belongs to the 区队, above the leader's 班组
    assert login(leader).get(f"/hazards/{found.pk}/").status_code == 200
    other = report(w)
    assert login(leader).get(f"/hazards/{other.pk}/").status_code == 404
    act(w.secretary, other.pk, "assign", assign_data(w, responsible_person=leader_person.pk))
    page = login(leader).get(f"/hazards/{other.pk}/")
    assert page.status_code == 200 and "提交整改" in page.content.decode()
    assert {h.pk for h, _ in services.waiting_for(leader)} == {other.pk}


def test_a_secretary_sees_hazards_assigned_to_their_branch_elsewhere(site, login):
    w = site
    h = report(w, user=w.safety, location=w.other_location)  # at 掘进一区, another branch's place
    assert login(w.secretary).get(f"/hazards/{h.pk}/").status_code == 404
    act(w.safety, h.pk, "assign", assign_data(w, responsible_unit=w.team.pk))
    assert login(w.secretary).get(f"/hazards/{h.pk}/").status_code == 200
    listed = login(w.secretary).get("/hazards/").content.decode()
    assert f"/hazards/{h.pk}/" in listed
    assert login(w.other_secretary).get(f"/hazards/{h.pk}/").status_code == 200  # still at their place
    outsider = make_user("sec-b", "secretary", w.branch_b)
    assert login(outsider).get(f"/hazards/{h.pk}/").status_code == 404
    assert login(outsider).post(f"/hazards/{h.pk}/verify_pass/", {}).status_code == 404


def test_photos_of_an_out_of_scope_hazard_are_not_served(site, login):
    w = site
    h = register(w.worker, form(w), [upload(jpeg())])
    photo = h.photos.get()
    assert login(w.worker).get(f"/hazards/photos/{photo.pk}/").status_code == 200
    assert login(w.other_secretary).get(f"/hazards/photos/{photo.pk}/").status_code == 404


# ---------------------------------------------------------------- answers to bad, stale and forbidden input


def test_pages_answer_403_409_and_404_in_chinese(site, login):
    w = site
    h = in_state(w, S.PENDING)
    forbidden = login(w.secretary).post(f"/hazards/{h.pk}/verify_pass/", {"version": h.version})
    assert forbidden.status_code == 403 and "无权" in forbidden.content.decode()
    wrong_state = login(w.safety).post(f"/hazards/{h.pk}/assign/", {"version": h.version})
    assert wrong_state.status_code == 409 and "不能限时整改" in wrong_state.content.decode()
    assert login(w.safety).post(f"/hazards/{h.pk}/no_such_action/", {}).status_code == 404
    assert login(w.safety).get("/hazards/99999999999999999999999/").status_code == 404
    assert login(w.safety).get("/hazards/photos/99999999999999999999999/").status_code == 404
    assert Hazard.objects.get(pk=h.pk).status == S.PENDING


@pytest.mark.parametrize("value", ["2026-13-45T10:00", "昨天", "9999-99-99T99:99"])
def test_an_impossible_finding_time_is_a_field_error(site, login, value):
    response = login(site.worker).post("/hazards/new/", form(site, found_at=value))
    assert response.status_code == 422 and "发现时间格式不正确" in response.content.decode()
    assert not Hazard.objects.exists()


@pytest.mark.parametrize("value", ["99999999999999999999999", "²", "-1", "1.5", "0"])
def test_odd_ids_in_forms_and_filters_are_refused_not_a_server_error(site, login, value):
    w = site
    client = login(w.worker)
    response = client.post("/hazards/new/", form(w, location=value))
    assert response.status_code == 422 and "地点" in response.content.decode()
    for key in ("grade", "category", "location", "branch"):
        assert login(w.safety).get(f"/hazards/?{key}={value}").status_code == 200
    h = in_state(w, S.REGISTERED)
    bad = login(w.secretary).post(
        f"/hazards/{h.pk}/assign/", {**assign_data(w), "responsible_person": value, "version": h.version}
    )
    assert bad.status_code == 422 and "请选择本矿的责任人" in bad.content.decode()


def test_a_failed_five_fixes_form_keeps_what_was_typed_next_to_the_messages(site, login):
    w = site
    h = report(w)
    past = (timezone.localdate() - timedelta(days=10)).isoformat()
    typed = {"measures": "更换锚杆托盘并加密支护", "plan": "冒顶预案", "version": h.version}
    client = login(w.secretary)
    # the form's rule (a malformed amount), then the domain's (a deadline before the finding): each next to its field
    for data, message in ((assign_data(w, funds="-3"), "资金须为不小于0的数字"), (assign_data(w, deadline=past), "整改期限不能早于发现日期")):  # fmt: skip
        response = client.post(f"/hazards/{h.pk}/assign/", {**data, **typed})
        page = response.content.decode()
        assert response.status_code == 422 and message in page
        assert "更换锚杆托盘并加密支护" in page and "冒顶预案" in page and data["deadline"] in page
        assert f'<option value="{w.colleague.pk}" selected>' in page
    assert Hazard.objects.get(pk=h.pk).status == S.REGISTERED


def test_the_register_form_keeps_the_input_and_refuses_another_users_token(site, login):
    w = site
    first = login(w.worker).post("/hazards/new/", form(w, token="shared-token"))
    assert first.status_code == 302
    response = login(w.member).post("/hazards/new/", form(w, token="shared-token", description="皮带跑偏未处理"))
    page = response.content.decode()
    assert response.status_code == 409 and "表单已失效" in page and "皮带跑偏未处理" in page
    assert 'value="shared-token"' not in page  # a fresh token, so that the next submit registers
    assert Hazard.objects.count() == 1


def test_the_register_form_offers_the_phone_camera(site, login):
    page = login(site.worker).get("/hazards/new/").content.decode()
    assert 'accept="image/*"' in page and 'capture="environment"' in page and 'name="token"' in page


def test_the_api_answers_the_same(site, client):
    w = site
    h = in_state(w, S.PENDING)
    client.force_login(w.secretary)
    assert client.post(f"/api/hazards/{h.pk}/verify_pass", {}, content_type="application/json").status_code == 403
    client.force_login(w.safety)
    conflict = client.post(f"/api/hazards/{h.pk}/assign", {}, content_type="application/json")
    assert conflict.status_code == 409 and "待验收" in conflict.json()["detail"]
    assert client.post(f"/api/hazards/{h.pk}/nope", {}, content_type="application/json").status_code == 404
    bad = client.post("/api/hazards", {**form(w), "found_at": "2026-02-30T10:00:00"}, content_type="application/json")
    assert bad.status_code == 422
    client.force_login(w.other_secretary)
    assert client.post(f"/api/hazards/{h.pk}/verify_pass", {}, content_type="application/json").status_code == 404


def test_api_filters_and_the_timeline(site, client):
    w = site
    old = report(w, found_at=(timezone.now() - timedelta(days=20)).isoformat())
    new = register(w.member, form(w))
    client.force_login(w.safety)
    ids = lambda url: {item["id"] for item in client.get(url).json()["items"]}  # noqa: E731
    assert ids(f"/api/hazards?finder={w.member_person.name}") == {new.pk}
    assert ids(f"/api/hazards?finder={w.worker_person.emp_no}") == {old.pk}
    since = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert ids(f"/api/hazards?from={since}") == {new.pk}
    assert ids(f"/api/hazards?to={since}") == {old.pk}
    assert ids(f"/api/hazards?branch={w.branch.pk}") == {old.pk, new.pk}
    assert ids(f"/api/hazards?branch={w.other_branch.pk}") == set()
    assert client.get("/api/hazards?status=nonsense").status_code == 422
    act(w.secretary, old.pk, "assign", assign_data(w))
    detail = client.get(f"/api/hazards/{old.pk}").json()
    assert [e["action"] for e in detail["events"]] == ["register", "assign"]
    assert detail["events"][1]["from_status"] == "registered" and detail["events"][1]["to_status"] == "rectifying"
    assert detail["events"][1]["data"]["责任人"] == w.colleague.name


def test_list_filters_on_the_page(site, login):
    w = site
    a = report(w)
    b = report(w, location=w.other_location, user=w.safety)
    client = login(w.safety)
    listed = lambda q: {h for h in (a.pk, b.pk) if f"/hazards/{h}/" in client.get("/hazards/?" + q).content.decode()}  # noqa: E731
    assert listed(f"location={w.other_location.pk}") == {b.pk}
    assert listed(f"finder={w.worker_person.name}") == {a.pk}
    assert listed(f"branch={w.other_branch.pk}") == {b.pk}
    today = timezone.localdate().isoformat()
    assert listed(f"from={today}&to={today}") == {a.pk, b.pk}
    assert listed("to=2000-01-01") == set()


# ---------------------------------------------------------------- photos


def test_photos_are_upright_jpegs_without_exif(site):
    w = site
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the phone turned: to be rotated by 90°
    exif[0x8825] = {1: "N", 2: (36.0, 0.0, 0.0)}  # GPS
    exif[0x010F] = "PhoneMaker"
    png = io.BytesIO()
    Image.new("RGB", (30, 20), "blue").save(png, "PNG")
    h = register(
        w.worker, form(w), [upload(jpeg(size=(40, 20), exif=exif)), upload(png.getvalue(), "b.png", "image/png")]
    )
    photos = list(h.photos.order_by("pk"))
    assert len(photos) == 2
    for photo in photos:
        with photo.image.open("rb") as f:
            content = f.read()
        stored = Image.open(io.BytesIO(content))
        assert stored.format == "JPEG" and not stored.getexif()
        assert b"PhoneMaker" not in content
    assert Image.open(photos[0].image.path).size == (20, 40)


@pytest.mark.parametrize(
    "content,name,content_type",
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.svg", "image/svg+xml"),
        (b"<html><body>hi</body></html>", "x.jpg", "image/jpeg"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "x.gif", "image/gif"),
        (b"\xff\xd8\xff\xe0 truncated", "x.jpg", "image/jpeg"),
    ],
)
def test_what_is_not_a_photo_is_refused(site, login, content, name, content_type):
    response = login(site.worker).post("/hazards/new/", {**form(site), "photos": [upload(content, name, content_type)]})
    assert response.status_code == 422 and "只接受 JPG / PNG / WebP 照片" in response.content.decode()
    assert not Hazard.objects.exists()


def test_photo_count_size_and_pixels_are_limited(site, login, monkeypatch, settings):
    w = site
    client = login(w.worker)
    seven = [upload(jpeg(), f"{i}.jpg") for i in range(7)]
    response = client.post("/hazards/new/", {**form(w), "photos": seven})
    assert response.status_code == 422 and "最多 6 张照片" in response.content.decode()
    monkeypatch.setattr(uploads, "PHOTO_MAX_BYTES", 100)
    response = client.post("/hazards/new/", {**form(w), "photos": [upload(jpeg(size=(200, 200)))]})
    assert response.status_code == 422 and "超过 1 KB" in response.content.decode()
    monkeypatch.setattr(uploads, "PHOTO_MAX_BYTES", 12 * 1024 * 1024)
    settings.HONGLING_UPLOAD_MAX_PIXELS = 1000
    response = client.post("/hazards/new/", {**form(w), "photos": [upload(jpeg(size=(100, 100)))]})
    assert response.status_code == 422 and "像素太大" in response.content.decode()
    assert not Hazard.objects.exists()
    h = in_state(w, S.RECTIFYING)
    response = login(w.responsible).post(
        f"/hazards/{h.pk}/submit/", {"version": h.version, "photos": [upload(jpeg(), f"{i}.jpg") for i in range(7)]}
    )
    assert response.status_code == 422 and "最多 6 张照片" in response.content.decode()
    assert Hazard.objects.get(pk=h.pk).status == S.RECTIFYING


def test_the_rectification_photos_are_kept_apart(site, login):
    w = site
    h = in_state(w, S.RECTIFYING)
    login(w.responsible).post(
        f"/hazards/{h.pk}/submit/", {"version": h.version, "photos": [upload(jpeg()), upload(jpeg())]}
    )
    assert list(Hazard.objects.get(pk=h.pk).photos.values_list("stage", flat=True)) == ["fixed", "fixed"]


# ---------------------------------------------------------------- 待办, extension, supervision, reopening


def titles(user):
    return [t.title for t in todos_for(user) if t.module == "hazards"]


def test_each_actor_finds_in_their_todos_what_waits_for_them(site):
    w = site
    h = report(w)
    assert len(titles(w.secretary)) == 1 and "五定" in titles(w.secretary)[0]
    for user in (w.committee_user, w.safety, w.worker, w.responsible, w.other_secretary):
        assert titles(user) == []
    act(w.secretary, h.pk, "assign", assign_data(w))
    assert titles(w.secretary) == [] and len(titles(w.responsible)) == 1
    act(w.responsible, h.pk, "request_extension", {"note": "锚杆未到货"})
    assert titles(w.responsible) == [] and "审批延期" in titles(w.safety)[0]
    act(w.safety, h.pk, "refuse_extension", {"note": "现有材料可以整改"})
    assert titles(w.safety) == [] and len(titles(w.responsible)) == 1
    act(w.responsible, h.pk, "submit", {})
    assert titles(w.responsible) == [] and "验收" in titles(w.safety)[0]
    act(w.safety, h.pk, "verify_pass", {})
    for user in (w.secretary, w.safety, w.responsible, w.worker, w.committee_user):
        assert titles(user) == []


def test_an_overdue_hazard_is_urgent_in_the_todos(site):
    w = site
    h = in_state(w, S.RECTIFYING)
    Hazard.objects.filter(pk=h.pk).update(deadline=timezone.localdate() - timedelta(days=2))
    todo = next(t for t in todos_for(w.responsible) if t.module == "hazards")
    assert todo.urgent and todo.overdue


def test_an_extension_request_may_name_the_deadline_the_approver_grants(site, login):
    w = site
    h = in_state(w, S.RECTIFYING)
    wanted = h.deadline + timedelta(days=10)
    with pytest.raises(services.ValidationError):
        act(w.responsible, h.pk, "request_extension", {"note": "等材料", "deadline": h.deadline.isoformat()})
    act(w.responsible, h.pk, "request_extension", {"note": "等材料", "deadline": wanted.isoformat()})
    page = login(w.safety).get(f"/hazards/{h.pk}/").content.decode()
    assert f'value="{wanted.isoformat()}"' in page
    granted = act(w.safety, h.pk, "approve_extension", {})
    assert granted.status == S.RECTIFYING and granted.deadline == wanted
    assert granted.events.latest("pk").data == {"原期限": h.deadline.isoformat(), "新期限": wanted.isoformat()}


def test_only_major_hazards_are_supervised_by_the_mine_and_only_once(site):
    w = site
    minor = in_state(w, S.RECTIFYING)
    assert "supervise" not in dict(services.allowed_actions(w.committee_user, minor))
    with pytest.raises(services.Conflict):
        act(w.committee_user, minor.pk, "supervise", {})
    major = in_state(w, S.RECTIFYING, major=True)
    assert "supervise" in dict(services.allowed_actions(w.committee_user, major))
    assert "supervise" not in dict(services.allowed_actions(w.secretary, major))
    flagged = act(w.committee_user, major.pk, "supervise", {"note": "矿级挂牌"})
    assert flagged.supervised and flagged.status == S.RECTIFYING
    assert "supervise" not in dict(services.allowed_actions(w.committee_user, flagged))


def test_reopening_a_closed_hazard_needs_a_reason_and_leaves_a_trail(site, login):
    w = site
    h = in_state(w, S.CLOSED)
    response = login(w.safety).post(f"/hazards/{h.pk}/reopen/", {"version": h.version, "note": ""})
    assert response.status_code == 422 and "请填写原因或说明" in response.content.decode()
    login(w.safety).post(f"/hazards/{h.pk}/reopen/", {"version": h.version, "note": "复查发现锚杆又松动"})
    reopened = Hazard.objects.get(pk=h.pk)
    assert reopened.status == S.REGISTERED and reopened.closed_at is None
    event = reopened.events.latest("pk")
    assert (event.action, event.from_status, event.note, event.actor_id) == (
        "reopen",
        S.CLOSED,
        "复查发现锚杆又松动",
        w.safety.pk,
    )
    page = login(w.worker).get(f"/hazards/{h.pk}/").content.decode()
    assert "重新打开" in page and "复查发现锚杆又松动" in page


def test_an_on_the_spot_fix_that_fails_verification_goes_back_to_be_handled(site):
    w = site
    h = report(w)
    act(w.worker, h.pk, "fix_onsite", {"note": "当场补打锚杆"})
    back = act(w.safety, h.pk, "verify_reject", {"note": "仍有离层"})
    assert back.status == S.REGISTERED
    assert any("五定" in t for t in titles(w.secretary))


# ---------------------------------------------------------------- query counts


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        if url.endswith(".xlsx"):  # a ledger: the button starts it (made at once under the tests' task backend)
            assert client.post(url).status_code == 302
        else:
            assert client.get(url).status_code == 200
    return len(ctx)


def test_pages_do_not_issue_more_queries_with_more_rows(site, login, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    w = site
    first = in_state(w, S.RECTIFYING)
    report(w)
    secretary, safety = Client(), Client()
    secretary.force_login(w.secretary)
    safety.force_login(w.safety)
    urls = ["/hazards/", "/hazards/?overdue=1", "/hazards/stats/", f"/hazards/{first.pk}/", "/hazards/ledger.xlsx"]
    before = {url: _queries(safety, url) for url in urls}
    home_before = _queries(secretary, "/")
    for _ in range(12):
        in_state(w, S.CLOSED)
    for _ in range(4):
        act(w.responsible, first.pk, "request_extension", {"note": "等材料"})
        act(w.safety, first.pk, "refuse_extension", {"note": "不批"})
    Location.objects.create(mine=w.mine, unit=w.unit, name="1303工作面")
    after = {url: _queries(safety, url) for url in urls}
    assert after == before
    assert _queries(secretary, "/") == home_before
    assert before["/hazards/"] <= 12 and before[f"/hazards/{first.pk}/"] <= 16 and before["/hazards/stats/"] <= 16


# ---------------------------------------------------------------- master data


def test_master_data_switch_off_rename_add_and_grade_levels(site, login):
    from hazards.models import Category, Grade
    from places.models import Shift

    w = site
    client = login(w.safety)
    assert client.post("/hazards/settings/", {"kind_of": "location_active", "pk": w.location.pk}).status_code == 302
    w.location.refresh_from_db()
    assert not w.location.active
    register_form = login(w.worker).get("/hazards/new/").content.decode()
    assert "1302工作面" not in register_form and "2201巷道" in register_form
    with pytest.raises(services.ValidationError) as exc:
        report(w)
    assert "location" in exc.value.message_dict
    client = login(w.safety)  # the fixture's one client was the worker's a moment ago
    client.post("/hazards/settings/", {"kind_of": "location_active", "pk": w.location.pk})
    w.location.refresh_from_db()
    assert w.location.active

    client.post("/hazards/settings/", {"kind_of": "category_rename", "pk": w.category.pk, "name": "顶板支护"})
    assert Category.objects.get(pk=w.category.pk).name == "顶板支护"
    taken = client.post("/hazards/settings/", {"kind_of": "category_rename", "pk": w.category.pk, "name": "通风"})
    assert taken.status_code == 422 and "专业“通风”已存在" in taken.content.decode()
    client.post("/hazards/settings/", {"kind_of": "shift", "name": "检修班"})
    assert Shift.objects.filter(mine=w.mine, name="检修班").exists()

    client.post(
        "/hazards/settings/", {"kind_of": "grade", "grade": w.grade_b.pk, "deadline_days": "12", "supervision": "mine"}
    )
    grade = Grade.objects.get(pk=w.grade_b.pk)
    assert (grade.deadline_days, grade.supervision) == (12, "mine")
    bad = client.post(
        "/hazards/settings/", {"kind_of": "grade", "grade": w.grade_b.pk, "deadline_days": "0", "supervision": "galaxy"}
    )
    assert (
        bad.status_code == 422
        and "期限须为 1–365 天" in bad.content.decode()
        and "请选择督办层级" in bad.content.decode()
    )
    assert Grade.objects.get(pk=w.grade_b.pk).deadline_days == 12


def test_a_master_data_error_shows_at_its_own_form_with_the_input(site, login):
    w = site
    response = login(w.admin).post(
        "/hazards/settings/", {"kind_of": "location", "unit": "", "kind": "face", "name": "2303工作面"}
    )
    page = response.content.decode()
    assert response.status_code == 422 and "请选择所属区队" in page
    add_form = page.split('id="add-location"')[1].split("</form>")[0]
    assert 'value="2303工作面"' in add_form and 'value="face" selected' in add_form
    assert "请选择所属区队" not in page.split('id="add-category"')[1]


def test_master_data_of_another_mine_cannot_be_touched(site, login):
    from hazards.models import Category

    w = site
    services.ensure_defaults(w.mine_b)
    foreign = Category.objects.filter(mine=w.mine_b).first()
    response = login(w.safety).post(
        "/hazards/settings/", {"kind_of": "category_rename", "pk": foreign.pk, "name": "改了"}
    )
    assert response.status_code == 404 and Category.objects.get(pk=foreign.pk).name != "改了"
    assert login(w.secretary).post("/hazards/settings/", {"kind_of": "shift", "name": "x班"}).status_code == 404
