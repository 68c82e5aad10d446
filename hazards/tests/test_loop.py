"""The hazard closed loop: the transition table exhaustively, scope, stale forms, double submit, validation, photos."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from common import inputs
from common.errors import Conflict, Forbidden, NotFound
from hazards import forms, services
from hazards.models import Category, Grade, Hazard, HazardStatus
from orgs.tests.factories import make_user
from places.models import Location

pytestmark = pytest.mark.django_db
S = HazardStatus


@pytest.fixture
def site(world):
    services.ensure_defaults(world.mine)
    world.location = Location.objects.create(mine=world.mine, unit=world.unit, name="1302工作面")
    world.other_location = Location.objects.create(mine=world.mine, unit=world.other_unit, name="2201巷道")
    world.category = Category.objects.get(mine=world.mine, name="顶板")
    world.grade_b = Grade.objects.get(mine=world.mine, name="B")
    world.grade_major = Grade.objects.get(mine=world.mine, name="重大")
    world.responsible = make_user("resp-1", "worker", world.team2, person=world.colleague)
    return world


def register(user, data, photos=()):
    """登记 through the register form, as the page and the API do."""
    return services.register(user, **inputs.parse(forms.HazardForm, data), photos=photos)


def act(user, pk, action, data, now=None):
    """A transition through its form (``forms.action_form``), as the page and the API do."""
    return services.act(user, pk, action, **inputs.parse(forms.action_form(action), data), now=now)


def report(w, user=None, location=None, grade=None, **extra):
    data = {
        "location": (location or w.location).pk,
        "category": w.category.pk,
        "grade": (grade or w.grade_b).pk,
        "description": "顶板离层未支护",
    }
    data.update(extra)
    return register(user or w.worker, data)


def assign_data(w, **extra):
    data = {
        "responsible_unit": w.unit.pk,
        "responsible_person": w.colleague.pk,
        "measures": "补打锚杆",
        "funds": "500",
        "deadline": (timezone.localdate() + timedelta(days=5)).isoformat(),
    }
    data.update(extra)
    return data


def in_state(w, state, major=False):
    """A hazard brought to ``state`` through the real transitions."""
    h = report(w, grade=w.grade_major if major else w.grade_b)
    if state == S.REGISTERED:
        return h
    act(w.secretary, h.pk, "assign", assign_data(w))
    if state == S.RECTIFYING:
        return Hazard.objects.get(pk=h.pk)
    if state == S.EXTENSION:
        act(w.responsible, h.pk, "request_extension", {"note": "材料未到"})
        return Hazard.objects.get(pk=h.pk)
    act(w.responsible, h.pk, "submit", {"note": "已补打"})
    if state == S.PENDING:
        return Hazard.objects.get(pk=h.pk)
    act(w.safety, h.pk, "verify_pass", {})
    return Hazard.objects.get(pk=h.pk)


ACTORS = [
    "worker",
    "member",
    "responsible",
    "secretary",
    "branch_committee",
    "safety",
    "committee_user",
    "admin",
    "superuser",
    "team_leader",
    "other_secretary",
]
# which table roles each account holds on a hazard found by `worker` at 综采一区 and assigned to `responsible`
ROLES = {
    "worker": {"finder"},
    "member": None,  # a party member of the same 班组 who neither found nor must fix it: not theirs to see
    "responsible": {"responsible"},
    "secretary": {"manage", "manage_unit"},
    "branch_committee": set(),  # sees the branch's hazards, may not act on them
    "safety": {"manage", "manage_unit", "verify", "supervise"},
    "committee_user": {"manage", "manage_unit", "supervise"},
    "admin": {"manage", "manage_unit", "verify", "supervise"},
    "superuser": {"manage", "manage_unit", "verify", "supervise"},
    "team_leader": None,  # a 班组 below the 区队 of the location: not in their scope
    "other_secretary": None,  # out of scope: the hazard does not exist for them
}
EXTRA = {"assign": None, "approve_extension": None, "request_extension": {"note": "原因"}, "verify_reject": {"note": "原因"},
         "reopen": {"note": "原因"}, "refuse_extension": {"note": "原因"}}  # fmt: skip


@pytest.mark.parametrize("state", list(S.values))
def test_every_state_action_and_role_against_the_table(site, state):
    """Every (state, action, role): done as the table says, 409 outside the table, 403 for a role the table does not
    name, 404 for whom the hazard is out of scope. Each try runs on the same hazard and is rolled back."""
    from django.db import transaction

    w = site
    h = in_state(w, state, major=True)
    for actor in ACTORS:
        for action in services.ACTIONS:
            user = getattr(w, actor)
            data = EXTRA.get(action) or {}
            if action == "assign":
                data = assign_data(w)
            if action == "approve_extension":
                data = {"deadline": (timezone.localdate() + timedelta(days=30)).isoformat()}
            entry = services.TRANSITIONS.get((state, action))
            roles = ROLES[actor]
            if actor == "responsible" and state == S.REGISTERED:
                roles = None  # not assigned yet: the hazard is not theirs to see
            if roles is None:
                expected = "404"
            elif entry is None:
                expected = "409"
            elif not (entry[1] & roles):
                expected = "403"
            else:
                expected = "ok"
            with transaction.atomic():
                try:
                    act(user, h.pk, action, data)
                    outcome = "ok"
                except NotFound:
                    outcome = "404"
                except Conflict:
                    outcome = "409"
                except Forbidden:
                    outcome = "403"
                assert outcome == expected, (state, action, actor)
                after = Hazard.objects.get(pk=h.pk)
                if outcome == "ok":
                    target = services.MACHINE.target_of(services.MACHINE.row(state, action), h)
                    assert after.status == target and after.version == h.version + 1
                    assert after.events.latest("pk").action == action
                else:
                    assert after.status == state and after.version == h.version
                transaction.set_rollback(True)


def test_the_whole_loop_with_a_rejection_and_the_todos(site, login):
    w = site
    h = report(w)
    assert h.finder_is_party_member is False
    assert any(t.url == f"/hazards/{h.pk}/" for t in __import__("common.todos", fromlist=["x"]).todos_for(w.secretary))
    act(w.secretary, h.pk, "assign", assign_data(w))
    assert [x for x, _ in services.waiting_for(w.responsible)] == [Hazard.objects.get(pk=h.pk)]
    act(w.responsible, h.pk, "submit", {})
    act(w.safety, h.pk, "verify_reject", {"note": "锚杆间距不够"})
    assert Hazard.objects.get(pk=h.pk).status == S.RECTIFYING
    act(w.responsible, h.pk, "submit", {})
    act(w.safety, h.pk, "verify_pass", {})
    closed = Hazard.objects.get(pk=h.pk)
    assert closed.status == S.CLOSED and closed.closed_at
    for user in (w.secretary, w.responsible, w.safety):
        assert services.waiting_for(user) == []
    events = list(closed.events.values_list("action", flat=True))
    assert events == ["register", "assign", "submit", "verify_reject", "submit", "verify_pass"]
    page = login(w.worker).get(f"/hazards/{h.pk}/").content.decode()
    assert "验收驳回" in page and "锚杆间距不够" in page


def test_stale_form_and_double_verification_give_one_result(site, login):
    w = site
    h = in_state(w, S.PENDING)
    version = h.version
    first = login(w.safety).post(f"/hazards/{h.pk}/verify_pass/", {"version": version})
    assert first.status_code == 302
    second = login(w.admin).post(f"/hazards/{h.pk}/verify_reject/", {"version": version, "note": "x"})
    assert second.status_code == 409 and "已被他人处理" in second.content.decode()
    assert Hazard.objects.get(pk=h.pk).status == S.CLOSED


def test_double_submit_creates_one_hazard(site, login):
    w = site
    client = login(w.worker)
    data = {
        "token": "tok-1",
        "location": w.location.pk,
        "category": w.category.pk,
        "grade": w.grade_b.pk,
        "description": "巷道积水",
    }
    client.post("/hazards/new/", data)
    client.post("/hazards/new/", data)
    assert Hazard.objects.filter(token="tok-1").count() == 1


def test_bad_input_names_the_field(site, login):
    w = site
    with pytest.raises(ValidationError) as exc:
        report(
            w, location=Location(pk=99999), description="", found_at=(timezone.now() + timedelta(days=1)).isoformat()
        )
    assert {"location", "description", "found_at"} <= set(exc.value.message_dict)
    h = report(w)
    with pytest.raises(ValidationError) as exc:
        act(
            w.secretary,
            h.pk,
            "assign",
            assign_data(
                w,
                deadline=(timezone.localdate() - timedelta(days=3)).isoformat(),
                funds="-5",
                responsible_person="999999",
            ),
        )
    assert {"funds", "responsible_person"} <= set(exc.value.message_dict)  # the form's words first
    with pytest.raises(ValidationError) as exc:  # then the domain's: a deadline before the finding
        act(
            w.secretary, h.pk, "assign", assign_data(w, deadline=(timezone.localdate() - timedelta(days=3)).isoformat())
        )
    assert set(exc.value.message_dict) == {"deadline"}
    response = login(w.worker).post("/hazards/new/", {"location": "", "description": "积水很深"})
    assert (
        response.status_code == 422
        and "请选择地点" in response.content.decode()
        and "积水很深" in response.content.decode()
    )


def test_scope_of_lists_and_pages(site, login, django_assert_max_num_queries):
    w = site
    mine_h = report(w)
    stranger = make_user("stranger", "worker", w.other_team, person=w.stranger)
    other_h = report(w, user=stranger, location=w.other_location)
    sec = login(w.secretary)
    with django_assert_max_num_queries(15):
        page = sec.get("/hazards/").content.decode()
    assert f"/hazards/{mine_h.pk}/" in page and f"/hazards/{other_h.pk}/" not in page
    assert sec.get(f"/hazards/{other_h.pk}/").status_code == 404
    assert login(w.safety).get(f"/hazards/{other_h.pk}/").status_code == 200
    # a worker sees what they reported, not their colleague's report
    assert login(stranger).get(f"/hazards/{mine_h.pk}/").status_code == 404
    assert login(w.worker).get(f"/hazards/{mine_h.pk}/").status_code == 200


def test_photos_are_reencoded_without_exif_and_svg_is_refused(site, login):
    from PIL import Image

    w = site
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "MinePhoneMaker"
    Image.new("RGB", (40, 40), "gray").save(buffer, "JPEG", exif=exif)
    client = login(w.worker)
    data = {
        "location": w.location.pk,
        "category": w.category.pk,
        "grade": w.grade_b.pk,
        "description": "电缆破皮",
        "photos": [SimpleUploadedFile("a.jpg", buffer.getvalue(), "image/jpeg")],
    }
    client.post("/hazards/new/", data)
    photo = Hazard.objects.get(description="电缆破皮").photos.get()
    content = b"".join(client.get(f"/hazards/photos/{photo.pk}/").streaming_content)
    assert b"MinePhoneMaker" not in content and content[:2] == b"\xff\xd8"
    svg = SimpleUploadedFile("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")
    response = client.post("/hazards/new/", {**data, "description": "矢量图", "photos": [svg]})
    assert response.status_code == 422 and not Hazard.objects.filter(description="矢量图").exists()


def test_overdue_is_derived_from_the_deadline(site):
    w = site
    h = in_state(w, S.RECTIFYING)
    Hazard.objects.filter(pk=h.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    assert Hazard.objects.get(pk=h.pk).overdue
    assert list(Hazard.objects.overdue()) == [Hazard.objects.get(pk=h.pk)]


def test_master_data_for_the_mines_admins_and_safety_officers(site, login):
    w = site
    client = login(w.safety)
    assert (
        client.post(
            "/hazards/settings/", {"kind_of": "location", "unit": w.unit.pk, "kind": "face", "name": "1305工作面"}
        ).status_code
        == 302
    )
    assert Location.objects.filter(name="1305工作面", unit=w.unit).exists()
    dup = client.post(
        "/hazards/settings/", {"kind_of": "location", "unit": w.unit.pk, "kind": "face", "name": "1305工作面"}
    )
    assert dup.status_code == 422 and "已存在" in dup.content.decode()
    client.post("/hazards/settings/", {"kind_of": "grade", "grade": w.grade_b.pk, "deadline_days": "10"})
    w.grade_b.refresh_from_db()
    assert w.grade_b.deadline_days == 10
    assert login(w.secretary).get("/hazards/settings/").status_code == 404
    assert login(w.worker).get("/hazards/settings/").status_code == 404


def test_the_loop_through_the_api(site, client):
    w = site
    client.force_login(w.worker)
    created = client.post(
        "/api/hazards",
        {
            "location": w.location.pk,
            "category": w.category.pk,
            "grade": w.grade_b.pk,
            "description": "巷道积水",
            "token": "api-1",
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    hid = created.json()["id"]
    again = client.post(
        "/api/hazards",
        {
            "location": w.location.pk,
            "category": w.category.pk,
            "grade": w.grade_b.pk,
            "description": "巷道积水",
            "token": "api-1",
        },
        content_type="application/json",
    )
    assert again.json()["id"] == hid
    client.force_login(w.secretary)
    data = client.get(f"/api/hazards/{hid}").json()
    assert "assign" in data["actions"]
    assigned = client.post(
        f"/api/hazards/{hid}/assign",
        {
            "version": data["version"],
            "responsible_unit": w.unit.pk,
            "responsible_person": w.colleague.pk,
            "measures": "清淤",
        },
        content_type="application/json",
    )
    assert assigned.status_code == 200 and assigned.json()["status"] == "rectifying"
    stale = client.post(f"/api/hazards/{hid}/submit", {"version": data["version"]}, content_type="application/json")
    assert stale.status_code == 409 and "已被他人处理" in stale.json()["detail"]
    wrong = client.post(f"/api/hazards/{hid}/verify_pass", {}, content_type="application/json")
    assert wrong.status_code == 409
    bad = client.post(f"/api/hazards/{hid}/approve_extension", {}, content_type="application/json")
    assert bad.status_code == 409
    assert client.get("/api/hazards?status=rectifying").json()["count"] == 1
    client.force_login(w.other_secretary)
    assert client.get(f"/api/hazards/{hid}").status_code == 404


def test_statistics_and_ledger_count_what_the_user_may_see(site, login, exported, django_assert_max_num_queries):
    import io as _io

    import openpyxl

    w = site
    for _ in range(3):
        report(w)
    closed = in_state(w, S.CLOSED)
    stranger = make_user("stranger-2", "worker", w.other_team, person=w.stranger)
    report(w, user=stranger, location=w.other_location)
    client = login(w.secretary)
    with django_assert_max_num_queries(20):
        page = client.get("/hazards/stats/").content.decode()
    grade_rows = page.split('id="by-grade"')[1].split("</table>")[0]
    assert (
        "<td>B</td><td>4</td><td>3</td><td>0</td><td>100%</td>" in grade_rows
    )  # 4 found at their branch, 3 open, 1 closed on time
    assert "1302工作面" in page.split('id="repeats"')[1]  # 4 × 顶板 at the same place
    book = openpyxl.load_workbook(_io.BytesIO(exported(client, "/hazards/ledger.xlsx")))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1][:3] == ("序号", "隐患编号", "排查日期") and len(rows) == 2 + 4
    assert any(r[1] == closed.pk and r[17] == "已销号" for r in rows[2:])


def test_the_whole_mines_statistics_from_running_counts_equal_counting_every_hazard(site):
    """安监员 (a whole mine) reads the running counts; the superuser counts the hazards one by one. After every kind of
    change — registering, closing on time and late, reopening a late one, an import — both say the same."""
    from hazards import stats, tally
    from hazards.excel import apply_plan, check_rows
    from hazards.models import HazardTally

    w = site
    year = timezone.localdate().year
    in_state(w, S.CLOSED)  # on time
    late = in_state(w, S.PENDING)
    act(w.safety, late.pk, "verify_pass", {}, now=timezone.now() + timedelta(days=9))  # after its deadline
    reopened = in_state(w, S.PENDING)
    act(w.safety, reopened.pk, "verify_pass", {}, now=timezone.now() + timedelta(days=9))
    act(w.safety, reopened.pk, "reopen", {"note": "复查仍有问题"})
    in_state(w, S.RECTIFYING)
    report(w, user=w.member)  # a party member's find
    rows = [
        (
            2,
            {
                "external_id": "OLD-9",
                "found": timezone.localdate().isoformat(),
                "location": "1302工作面",
                "category": "顶板",
                "grade": "B",
                "description": "旧系统隐患",
                "status": "已销号",
                "closed": timezone.localdate().isoformat(),
            },
        )
    ]
    apply_plan(w.safety, check_rows(w.safety, w.mine, rows).plan)

    def figures(user):
        s = stats.year_stats(user, year, w.mine)
        pick = ("found", "open", "overdue", "closed", "on_time")
        return (
            [{k: r[k] for k in pick} for r in s["months"]],
            [{k: r[k] for k in pick} for r in s["grades"]],
            [(r["name"], r["party"], r["found"]) for r in s["branches"]],
            s["total"],
        )

    from hazards.models import whole_mine_ids

    assert whole_mine_ids(w.safety) is not None and whole_mine_ids(w.superuser) is None
    by_counts, one_by_one = figures(w.safety), figures(w.superuser)
    assert by_counts == one_by_one
    assert by_counts[3] == 6 and sum(r["closed"] - r["on_time"] for r in by_counts[1]) == 1  # one closed late
    before = list(
        HazardTally.objects.order_by("pk").values_list(
            "month", "location_id", "category_id", "grade_id", "unit", "found", "party", "late"
        )
    )
    tally.rebuild()
    assert sorted(before) == sorted(
        HazardTally.objects.values_list(
            "month", "location_id", "category_id", "grade_id", "unit", "found", "party", "late"
        )
    )


def test_the_home_lists_ten_of_a_kind_and_leads_to_the_rest(site):
    from common.todos import todos_for

    w = site
    for _ in range(12):
        report(w)
    mine = [t for t in todos_for(w.secretary) if t.module == "hazards"]
    assert (
        len(mine) == 11
        and mine[-1].title == "更多隐患待处理(五定或现场处理) →"
        and mine[-1].url == "/hazards/?status=registered"
    )


def test_back_then_save_again_asks_before_a_second_hazard(site, login):
    """The restored form carries a new token: the same place and text from the same person minutes ago is asked
    about once; a second 保存 after that records it."""
    w = site
    client = login(w.worker)
    data = {"location": w.location.pk, "category": w.category.pk, "grade": w.grade_b.pk, "description": "巷道积水"}
    assert client.post("/hazards/new/", {**data, "token": "tok-a"}).status_code == 302
    again = client.post("/hazards/new/", {**data, "token": "tok-b"})
    html = again.content.decode()
    assert again.status_code == 409 and "分钟前刚登记过一条相同的记录" in html and "巷道积水" in html
    assert Hazard.objects.filter(description="巷道积水").count() == 1
    assert 'name="confirm_duplicate" value="1"' in html
    assert client.post("/hazards/new/", {**data, "token": "tok-b", "confirm_duplicate": "1"}).status_code == 302
    assert Hazard.objects.filter(description="巷道积水").count() == 2
    other = {**data, "description": "巷道积水,已漫过轨面", "token": "tok-c"}
    assert client.post("/hazards/new/", other).status_code == 302  # a different text is simply saved


def test_a_branchs_statistics_from_running_counts_equal_counting_its_hazards(site, monkeypatch):
    """A branch secretary reads the counts of the branch's places and units (and their own hazards elsewhere live);
    counted one by one, the same. 五定 naming another branch's unit moves the hazard's counts to that branch."""
    from hazards import stats

    w = site
    year = timezone.localdate().year
    in_state(w, S.CLOSED)
    in_state(w, S.RECTIFYING)
    report(w)
    there = report(w, location=w.other_location)  # the other branch's place, 五定 to this branch's unit
    act(w.other_secretary, there.pk, "assign", assign_data(w))
    moved = report(w)  # this branch's place, 五定 to the other branch's unit: still this branch's (its place)
    act(w.secretary, moved.pk, "assign", assign_data(w, responsible_unit=w.other_unit.pk))
    report(w, user=w.secretary, location=w.other_location)  # found by the secretary at the other branch's place
    report(w, location=w.other_location)  # none of this branch's business

    def figures(user):
        s = stats.year_stats(user, year, w.mine)
        pick = ("found", "open", "overdue", "closed", "on_time")
        return (
            [{k: r[k] for k in pick} for r in s["months"]],
            [{k: r[k] for k in pick} for r in s["grades"]],
            sorted((r["category__name"], r["found"]) for r in s["categories"]),
            [(r["name"], r["found"], r["open"]) for r in s["branches"]],
            s["total"],
        )

    for user, seen in ((w.secretary, 6), (w.other_secretary, 4)):
        by_counts = figures(user)
        with monkeypatch.context() as m:  # the same user counted from the hazards one by one
            m.setattr(stats, "units_and_places", lambda user: ([], [], []))
            one_by_one = figures(user)
        assert by_counts == one_by_one and by_counts[4] == seen
