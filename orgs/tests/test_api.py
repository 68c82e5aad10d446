"""The JSON API of organisations and people: scope per role, auth (session + CSRF, tokens), sensitive fields,
error codes, query counts, the token page and the local docs page."""

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone

from orgs import token_services
from orgs.models import ApiToken, OrgKind, OrgNode, Person, SensitiveAccess, Transfer
from orgs.tests.factories import JobTypeFactory, PersonFactory

# Until the lead adds path("", include("orgs.token_urls")) to hongling/urls.py, the token page tests use this urlconf.
urlpatterns = [path("", include("hongling.urls")), path("", include("orgs.token_urls"))]

PHONE = "13800138000"  # every factory person's phone
JSON = {"content_type": "application/json"}


@pytest.fixture
def with_token_urls(settings):
    settings.ROOT_URLCONF = __name__


def bearer(user, name="测试"):
    _, raw = token_services.create_token(user, name)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def as_user(login, user):
    return login(user) if user is not None else Client()


def names(response):
    return {p["name"] for p in response.json()["items"]}


def role(world, name):
    return None if name == "anonymous" else getattr(world, name)


def new_person_data(world, org, emp_no="900001"):
    return {
        "emp_no": emp_no,
        "name": "新职工",
        "gender": "M",
        "hire_date": "2020-01-02",
        "job_type": world.worker_person.job_type_id,
        "org": org.pk,
        "phone": "13912345678",
    }


# ---------------------------------------------------------------- reading people, per role


PEOPLE_A_BRANCH = {"王小二", "党员甲", "同事乙", "书记甲"}


@pytest.mark.parametrize(
    "who, expected",
    [
        ("superuser", PEOPLE_A_BRANCH | {"外支部丙", "外矿丁"}),
        ("admin", PEOPLE_A_BRANCH | {"外支部丙"}),
        ("committee_user", PEOPLE_A_BRANCH | {"外支部丙"}),
        ("safety", PEOPLE_A_BRANCH | {"外支部丙"}),
        ("secretary", PEOPLE_A_BRANCH),
        ("branch_committee", PEOPLE_A_BRANCH),
        ("team_leader", {"王小二", "党员甲", "书记甲"}),
        ("member", {"党员甲"}),
        ("worker", {"王小二"}),
        ("other_secretary", {"外支部丙"}),
    ],
)
def test_people_list_is_the_roles_scope(world, login, who, expected):
    r = login(getattr(world, who)).get("/api/people")
    assert r.status_code == 200
    assert names(r) == expected
    assert r.json()["count"] == len(expected)


@pytest.mark.parametrize(
    "who, status",
    [
        ("superuser", 200),
        ("admin", 200),
        ("committee_user", 200),
        ("safety", 200),
        ("secretary", 200),
        ("branch_committee", 200),
        ("team_leader", 404),  # 同事乙 is in another team
        ("member", 404),
        ("worker", 404),
        ("other_secretary", 404),
        ("anonymous", 401),
    ],
)
def test_person_detail_and_transfers_per_role(world, login, who, status):
    c = as_user(login, role(world, who))
    r = c.get(f"/api/people/{world.colleague.pk}")
    assert r.status_code == status
    assert c.get(f"/api/people/{world.colleague.pk}/transfers").status_code == status
    if status == 200:
        assert r.json()["name"] == "同事乙"
    else:
        assert "同事乙" not in r.content.decode()


def test_workers_read_their_own_record_only(world, login):
    c = login(world.worker)
    assert c.get(f"/api/people/{world.worker_person.pk}").json()["name"] == "王小二"
    assert c.get(f"/api/people/{world.worker_person.pk}/transfers").json() == []
    assert c.get(f"/api/people/{world.member_person.pk}").status_code == 404
    assert c.get("/api/orgs").json()["count"] == 0


def test_missing_and_out_of_scope_look_the_same(world, login):
    c = login(world.secretary)
    far, missing = c.get(f"/api/people/{world.far_away.pk}"), c.get("/api/people/987654")
    assert far.status_code == missing.status_code == 404
    assert far.json() == missing.json()


def test_anonymous_gets_401_everywhere(world):
    c = Client()
    p, n = world.worker_person.pk, world.team.pk
    for method, url in [
        ("get", "/api/orgs"),
        ("get", f"/api/orgs/{n}"),
        ("post", "/api/orgs"),
        ("patch", f"/api/orgs/{n}"),
        ("get", "/api/people"),
        ("get", f"/api/people/{p}"),
        ("post", "/api/people"),
        ("patch", f"/api/people/{p}"),
        ("post", f"/api/people/{p}/transfer"),
        ("get", f"/api/people/{p}/transfers"),
    ]:
        assert getattr(c, method)(url, {}, **JSON).status_code == 401, (method, url)


def test_people_filters_are_the_roster_filters(world, login):
    today = timezone.localdate()
    PersonFactory(org=world.team, name="新人", hire_date=today - timedelta(days=10))
    digger = JobTypeFactory(name="掘进工")
    c = login(world.secretary)
    assert names(c.get("/api/people", {"q": "wxe"})) == {"王小二"}
    assert names(c.get("/api/people", {"q": world.colleague.emp_no})) == {"同事乙"}
    assert names(c.get("/api/people", {"org": world.team2.pk})) == {"同事乙"}
    assert names(c.get("/api/people", {"political_status": "member"})) == {"党员甲", "书记甲"}
    assert names(c.get("/api/people", {"new_hire": "true"})) == {"新人"}
    # an organisation outside the scope filters to nothing, it does not widen the scope
    assert names(c.get("/api/people", {"org": world.team_b.pk})) == set()
    c.post(
        f"/api/people/{world.worker_person.pk}/transfer",
        {"date": (today - timedelta(days=2)).isoformat(), "to_job": digger.pk, "to_org": world.team2.pk},
        **JSON,
    )
    r = c.get("/api/people", {"transferred": "1"})
    assert names(r) == {"王小二"}
    item = r.json()["items"][0]
    assert item["is_recently_transferred"] is True and item["is_new_hire"] is False
    assert item["job_type_name"] == "掘进工" and item["org_name"] == "中班"
    assert names(c.get("/api/people", {"job_type": digger.pk})) == {"王小二"}
    assert c.get("/api/people", {"political_status": "nonsense"}).status_code == 422


def test_people_pagination(world, login):
    for i in range(7):
        PersonFactory(org=world.team, name=f"人{i}")
    c = login(world.secretary)
    first = c.get("/api/people", {"limit": 5}).json()
    second = c.get("/api/people", {"limit": 5, "offset": 5}).json()
    assert first["count"] == second["count"] == 11
    assert len(first["items"]) == 5 and len(second["items"]) == 5
    assert not {p["id"] for p in first["items"]} & {p["id"] for p in second["items"]}
    assert c.get("/api/people", {"limit": 0}).status_code == 422
    assert c.get("/api/people", {"limit": 10000}).status_code == 422


def test_people_list_query_count_does_not_grow_with_rows(world, login, django_assert_max_num_queries):
    c = login(world.admin)

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/api/people", {"limit": 200}).status_code == 200
        return len(ctx.captured_queries)

    few = count_queries()
    for i in range(30):
        p = PersonFactory(org=world.team if i % 2 else world.other_team, name=f"多{i}")
        Transfer.objects.create(
            person=p,
            date=timezone.localdate(),
            from_job=p.job_type,
            to_job=p.job_type,
            from_org=world.team2,
            to_org=p.org,
        )
    assert count_queries() == few
    with django_assert_max_num_queries(6):
        r = c.get("/api/people", {"limit": 200})
    assert r.json()["count"] == 35 and sum(p["is_recently_transferred"] for p in r.json()["items"]) == 30


def test_orgs_list_query_count_does_not_grow_with_rows(world, login, django_assert_max_num_queries):
    c = login(world.superuser)

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/api/orgs").status_code == 200
        return len(ctx.captured_queries)

    few = count_queries()
    for i in range(20):
        world.unit.add_child(name=f"班{i}", kind=OrgKind.TEAM)
    assert count_queries() == few
    with django_assert_max_num_queries(6):
        assert c.get("/api/orgs").json()["count"] == 35


# ---------------------------------------------------------------- sensitive fields


def test_lists_never_carry_sensitive_values(world, login):
    for who in ("superuser", "admin", "secretary", "safety"):
        body = login(getattr(world, who)).get("/api/people").content.decode()
        assert PHONE not in body and world.colleague.id_number not in body and "思想稳定" not in body
        assert "138****8000" in body


@pytest.mark.parametrize("who", ["safety", "branch_committee", "team_leader"])
def test_roles_without_sensitive_right_never_get_values(world, login, who):
    c = login(getattr(world, who))
    r = c.get(f"/api/people/{world.worker_person.pk}")
    data = r.json()
    assert data["sensitive_allowed"] == []
    assert [data[f] for f in ("id_number", "phone", "address", "family_notes", "thoughts_notes")] == [None] * 5
    revealed = c.get(f"/api/people/{world.worker_person.pk}", {"reveal": 1})
    assert revealed.status_code == 403
    assert PHONE not in revealed.content.decode()
    assert not SensitiveAccess.objects.exists()


def test_secretary_gets_sensitive_values_only_with_reveal_and_it_is_logged(world, login):
    c = login(world.secretary)
    url = f"/api/people/{world.colleague.pk}"
    masked = c.get(url).json()
    assert masked["phone"] == "138****8000" and masked["thoughts_notes"] == "******"
    assert masked["sensitive_revealed"] is False
    assert not SensitiveAccess.objects.exists()

    clear = c.get(url, {"reveal": 1}, REMOTE_ADDR="10.1.2.3").json()
    assert clear["phone"] == PHONE and clear["id_number"] == world.colleague.id_number
    assert clear["thoughts_notes"] == "思想稳定"
    assert clear["sensitive_revealed"] is True
    log = SensitiveAccess.objects.get()
    assert (log.user, log.person, log.via, log.ip) == (world.secretary, world.colleague, "api", "10.1.2.3")
    assert "phone" in log.fields and "thoughts_notes" in log.fields


def test_a_worker_may_reveal_their_own_contact_fields_but_not_notes_about_them(world, login):
    c = login(world.worker)
    data = c.get(f"/api/people/{world.worker_person.pk}", {"reveal": 1}).json()
    assert data["phone"] == PHONE and data["family_notes"] is None and data["thoughts_notes"] is None
    assert SensitiveAccess.objects.get().via == "api"


# ---------------------------------------------------------------- writing people


@pytest.mark.parametrize(
    "who, status",
    [
        ("secretary", 201),
        ("committee_user", 201),
        ("admin", 201),
        ("safety", 403),
        ("branch_committee", 403),
        ("worker", 403),
        ("anonymous", 401),
    ],
)
def test_create_person_per_role(world, login, who, status):
    c = as_user(login, role(world, who))
    r = c.post("/api/people", new_person_data(world, world.team2), **JSON)
    assert r.status_code == status
    assert Person.objects.filter(emp_no="900001").exists() == (status == 201)
    if status == 201:
        data = r.json()
        assert data["org_id"] == world.team2.pk and data["mine_id"] == world.mine.pk
        assert data["phone"] in (None, "139****5678")  # masked after creation too


def test_create_person_errors_are_422_with_chinese_messages_per_field(world, login):
    c = login(world.secretary)
    data = new_person_data(world, world.team2, emp_no=world.colleague.emp_no)
    data["phone"] = "12345"
    r = c.post("/api/people", data, **JSON)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert errors["emp_no"] == [f"工号 {world.colleague.emp_no} 在本矿已存在"]
    assert errors["phone"] == ["手机号应为以1开头的11位数字"]
    assert {"loc": ["body", "phone"], "msg": "手机号应为以1开头的11位数字", "type": "value_error"} in r.json()["detail"]
    # a team outside the secretary's branch is not a valid choice
    r = c.post("/api/people", new_person_data(world, world.other_team), **JSON)
    assert r.status_code == 422 and "org" in r.json()["errors"]
    # the same submission twice makes one person
    assert c.post("/api/people", new_person_data(world, world.team2), **JSON).status_code == 201
    again = c.post("/api/people", new_person_data(world, world.team2), **JSON)
    assert again.status_code == 422 and Person.objects.filter(emp_no="900001").count() == 1


@pytest.mark.parametrize(
    "who, status",
    [
        ("secretary", 200),
        ("committee_user", 200),
        ("safety", 403),
        ("branch_committee", 403),
        ("team_leader", 404),
        ("worker", 404),
        ("other_secretary", 404),
        ("anonymous", 401),
    ],
)
def test_patch_person_per_role(world, login, who, status):
    c = as_user(login, role(world, who))
    r = c.patch(f"/api/people/{world.colleague.pk}", {"post": "支架工"}, **JSON)
    assert r.status_code == status
    world.colleague.refresh_from_db()
    assert (world.colleague.post == "支架工") == (status == 200)


def test_patch_person_changes_only_what_was_sent(world, login):
    c = login(world.secretary)
    url = f"/api/people/{world.colleague.pk}"
    r = c.patch(url, {"work_status": "leave", "birth_date": None}, **JSON)
    assert r.status_code == 200 and r.json()["work_status_label"] == "休假"
    world.colleague.refresh_from_db()
    assert world.colleague.work_status == "leave" and world.colleague.birth_date is None
    assert world.colleague.phone == PHONE and world.colleague.name == "同事乙"
    # 工种/班组 change only through a transfer: an unknown field is refused, not silently dropped
    r = c.patch(url, {"org": world.team.pk}, **JSON)
    assert r.status_code == 422
    world.colleague.refresh_from_db()
    assert world.colleague.org == world.team2
    assert c.patch(url, {"hire_date": "2999-01-01"}, **JSON).json()["errors"] == {"hire_date": ["入职日期不能晚于今天"]}


def test_a_worker_patching_their_own_record_is_403(world, login):
    r = login(world.worker).patch(f"/api/people/{world.worker_person.pk}", {"post": "x"}, **JSON)
    assert r.status_code == 403


@pytest.mark.parametrize(
    "who, status",
    [("secretary", 201), ("branch_committee", 403), ("safety", 403), ("other_secretary", 404), ("worker", 403)],
)
def test_transfer_per_role(world, login, who, status):
    c = as_user(login, role(world, who))
    digger = JobTypeFactory(name="掘进工")
    body = {"date": timezone.localdate().isoformat(), "to_job": digger.pk, "to_org": world.team2.pk, "note": "需要"}
    r = c.post(f"/api/people/{world.worker_person.pk}/transfer", body, **JSON)
    assert r.status_code == status
    assert Transfer.objects.filter(person=world.worker_person).exists() == (status == 201)
    if status == 201:
        assert r.json()["to_org_name"] == "中班" and r.json()["recorded_by"] == "书记甲"
        history = login(world.secretary).get(f"/api/people/{world.worker_person.pk}/transfers").json()
        assert [(t["from_job_name"], t["to_job_name"]) for t in history] == [("采煤工", "掘进工")]


def test_transfer_to_the_same_place_is_422_with_the_reason(world, login):
    same = {"to_job": world.worker_person.job_type_id, "to_org": world.team.pk}
    body = {"date": timezone.localdate().isoformat(), **same}
    r = login(world.secretary).post(f"/api/people/{world.worker_person.pk}/transfer", body, **JSON)
    assert r.status_code == 422
    assert r.json()["errors"] == {"__all__": ["新工种和新班组与当前相同,无需转岗"]}


# ---------------------------------------------------------------- organisations


@pytest.mark.parametrize(
    "who, visible",
    [
        ("admin", 9),  # the mine and everything below it
        ("secretary", 4),  # branch, unit, two teams
        ("team_leader", 1),
        ("worker", 0),
        ("other_secretary", 3),
    ],
)
def test_orgs_list_per_role(world, login, who, visible):
    r = login(getattr(world, who)).get("/api/orgs")
    assert r.status_code == 200 and r.json()["count"] == visible


def test_org_fields(world, login):
    rows = {o["id"]: o for o in login(world.secretary).get("/api/orgs").json()["items"]}
    unit = rows[world.unit.pk]
    assert unit == {
        "id": world.unit.pk,
        "name": "综采一区",
        "kind": "unit",
        "kind_label": "区队/科室",
        "code": "",
        "parent_id": world.branch.pk,
        "depth": world.unit.depth,
        "path": world.unit.path,
        "head_count": 4,
    }
    assert rows[world.team2.pk]["parent_id"] == world.unit.pk and rows[world.team2.pk]["head_count"] == 1


@pytest.mark.parametrize(
    "who, status",
    [
        ("admin", 200),
        ("secretary", 200),
        ("team_leader", 404),
        ("worker", 404),
        ("other_secretary", 404),
        ("anonymous", 401),
    ],
)
def test_org_detail_per_role(world, login, who, status):
    r = as_user(login, role(world, who)).get(f"/api/orgs/{world.unit.pk}")
    assert r.status_code == status
    if status == 200:
        assert r.json()["name"] == "综采一区"


@pytest.mark.parametrize(
    "who, status",
    [
        ("superuser", 201),
        ("admin", 201),
        ("committee_user", 201),  # the mine's 党委 keeps its own tree
        ("secretary", 403),
        ("other_secretary", 404),
        ("worker", 404),
        ("anonymous", 401),
    ],
)
def test_create_org_per_role(world, login, who, status):
    c = as_user(login, role(world, who))
    r = c.post("/api/orgs", {"parent_id": world.unit.pk, "name": "夜班", "kind": "team"}, **JSON)
    assert r.status_code == status
    assert OrgNode.objects.filter(name="夜班").exists() == (status == 201)
    if status == 201:
        assert r.json()["parent_id"] == world.unit.pk and r.json()["kind_label"] == "班组"


def test_create_org_rules(world, login):
    c = login(world.admin)
    post = lambda body: c.post("/api/orgs", body, **JSON)  # noqa: E731
    wrong_kind = post({"parent_id": world.unit.pk, "name": "某支部", "kind": "branch"})
    assert wrong_kind.status_code == 422 and wrong_kind.json()["errors"] == {"kind": ["区队/科室下不能设立党支部"]}
    same_name = post({"parent_id": world.unit.pk, "name": "早班", "kind": "team"})
    assert same_name.json()["errors"] == {"name": ["综采一区下已有同名组织"]}
    assert post({"parent_id": world.unit.pk, "name": "x", "kind": "no-such-kind"}).status_code == 422
    assert post({"parent_id": world.unit_b.pk, "name": "夜班", "kind": "team"}).status_code == 404  # other mine


@pytest.mark.parametrize(
    "who, status",
    [("admin", 200), ("committee_user", 200), ("secretary", 403), ("other_secretary", 404), ("anonymous", 401)],
)
def test_rename_org_per_role(world, login, who, status):
    c = as_user(login, role(world, who))
    r = c.patch(f"/api/orgs/{world.team2.pk}", {"name": "中班(二)", "code": "Z2"}, **JSON)
    assert r.status_code == status
    world.team2.refresh_from_db()
    assert (world.team2.name == "中班(二)" and world.team2.code == "Z2") == (status == 200)


def test_rename_org_rules(world, login):
    c = login(world.admin)
    url = f"/api/orgs/{world.team2.pk}"
    assert c.patch(url, {"name": " "}, **JSON).json()["errors"] == {"name": ["名称不能为空"]}
    assert c.patch(url, {"name": ""}, **JSON).status_code == 422
    assert c.patch(url, {"code": "Z9"}, **JSON).json()["name"] == "中班"
    assert c.patch(url, {"kind": "unit"}, **JSON).status_code == 422  # kind never changes
    world.team2.refresh_from_db()
    assert (world.team2.name, world.team2.code, world.team2.kind) == ("中班", "Z9", "team")


def test_move_org(world, login):
    c = login(world.admin)
    r = c.patch(f"/api/orgs/{world.team2.pk}", {"parent_id": world.other_unit.pk}, **JSON)
    assert r.status_code == 200 and r.json()["parent_id"] == world.other_unit.pk
    assert r.json()["path"].startswith(world.other_unit.path)
    wrong_kind = c.patch(f"/api/orgs/{world.team.pk}", {"parent_id": world.branch.pk}, **JSON)
    assert wrong_kind.status_code == 422 and wrong_kind.json()["errors"] == {"kind": ["党支部下不能设立班组"]}
    root = login(world.superuser)
    cycle = root.patch(f"/api/orgs/{world.branch.pk}", {"parent_id": world.unit.pk}, **JSON)
    assert cycle.status_code == 409 and "下级" in cycle.json()["detail"]
    other_mine = root.patch(f"/api/orgs/{world.team.pk}", {"parent_id": world.unit_b.pk}, **JSON)
    assert other_mine.status_code == 409 and "另一个矿" in other_mine.json()["detail"]
    world.team.refresh_from_db()
    assert world.team.path.startswith(world.unit.path)


# ---------------------------------------------------------------- authentication


def test_session_post_needs_the_csrf_token(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.secretary)
    body = new_person_data(world, world.team2)
    refused = c.post("/api/people", body, **JSON)
    assert refused.status_code == 403 and not Person.objects.filter(emp_no="900001").exists()
    assert c.patch(f"/api/people/{world.colleague.pk}", {"post": "x"}, **JSON).status_code == 403
    c.get("/api/docs")  # any page with a form sets the CSRF cookie
    token = c.cookies["csrftoken"].value
    ok = c.post("/api/people", body, **JSON, HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 201
    assert c.get("/api/people").status_code == 200  # reading needs no CSRF token


def test_token_auth_works_without_csrf_and_a_revoked_token_does_not(world):
    token, raw = token_services.create_token(world.secretary, "脚本")
    assert token.digest != raw and raw not in token.digest and len(token.digest) == 64
    c = Client(enforce_csrf_checks=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert names(c.get("/api/people", **auth)) == PEOPLE_A_BRANCH
    r = c.post("/api/people", new_person_data(world, world.team2), **JSON, **auth)
    assert r.status_code == 201
    token.refresh_from_db()
    assert token.last_used_at is not None

    token_services.revoke_token(world.secretary, token.pk)
    assert c.get("/api/people", **auth).status_code == 401
    assert c.get("/api/people", HTTP_AUTHORIZATION="Bearer hl_not-a-token").status_code == 401


def test_token_of_a_disabled_account_or_one_awaiting_a_new_password_is_refused(world):
    headers = bearer(world.secretary)
    c = Client()
    assert c.get("/api/people", **headers).status_code == 200
    world.secretary.must_change_password = True
    world.secretary.save()
    assert c.get("/api/people", **headers).status_code == 401
    world.secretary.must_change_password = False
    world.secretary.is_active = False
    world.secretary.save()
    assert c.get("/api/people", **headers).status_code == 401


def test_a_bad_token_is_not_rescued_by_a_session(world, login):
    c = login(world.secretary)
    assert c.get("/api/people", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_changes_made_with_a_token_are_audited_under_the_tokens_owner(world):
    headers = bearer(world.secretary)
    r = Client().patch(f"/api/people/{world.colleague.pk}", {"post": "支架工"}, **JSON, **headers)
    assert r.status_code == 200
    entry = LogEntry.objects.get_for_object(world.colleague).order_by("-timestamp").first()
    assert entry.actor == world.secretary and "post" in entry.changes_dict


# ---------------------------------------------------------------- the token page


def test_token_page_creates_shows_once_lists_and_revokes(world, login, with_token_urls):
    c = login(world.member)
    page = c.get("/api-tokens/")
    assert page.status_code == 200 and "还没有令牌" in page.content.decode()
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.content.decode()).group(1)
    r = c.post("/api-tokens/", {"name": "统计脚本", "nonce": nonce})
    raw = re.search(r'id="raw-token" value="([^"]+)"', r.content.decode()).group(1)
    assert "令牌只显示这一次" in r.content.decode()
    # double tap: the same form again shows the same token and makes no second one
    again = c.post("/api-tokens/", {"name": "统计脚本", "nonce": nonce})
    assert raw in again.content.decode() and ApiToken.objects.filter(user=world.member).count() == 1
    token = ApiToken.objects.get(user=world.member)
    assert token.name == "统计脚本" and raw.startswith(token.prefix)

    listing = c.get("/api-tokens/").content.decode()
    assert raw not in listing and token.prefix in listing and "有效" in listing
    assert Client().get(f"/api/people/{world.member_person.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200

    assert c.post(f"/api-tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked and "已吊销" in c.get("/api-tokens/").content.decode()
    assert Client().get("/api/people", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_token_page_name_is_required_and_kept_on_error(world, login, with_token_urls):
    c = login(world.worker)
    r = c.post("/api-tokens/", {"name": "  ", "nonce": "abc"})
    assert r.status_code == 422 and "请填写用途" in r.content.decode()
    long_name = "长" * 61
    r = c.post("/api-tokens/", {"name": long_name, "nonce": "abc"})
    assert "用途不能超过60个字" in r.content.decode() and long_name in r.content.decode()
    assert not ApiToken.objects.exists()


def test_nobody_can_revoke_or_see_someone_elses_token(world, login, with_token_urls):
    token, _ = token_services.create_token(world.secretary, "书记的脚本")
    c = login(world.admin)
    assert "书记的脚本" not in c.get("/api-tokens/").content.decode()
    assert c.post(f"/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert not token.revoked
    assert Client().get("/api-tokens/").status_code == 302  # to the login page


def test_active_tokens_are_limited(world):
    for i in range(token_services.MAX_ACTIVE_TOKENS):
        token_services.create_token(world.worker, f"t{i}")
    from common.errors import Conflict

    with pytest.raises(Conflict):
        token_services.create_token(world.worker, "one more")
    token_services.revoke_token(world.worker, ApiToken.objects.filter(user=world.worker).first().pk)
    token_services.create_token(world.worker, "one more")


# ---------------------------------------------------------------- documentation


def test_openapi_document_lists_the_endpoints(client):
    doc = client.get("/api/openapi.json").json()
    for p in [
        "/api/orgs",
        "/api/orgs/{id}",
        "/api/people",
        "/api/people/{id}",
        "/api/people/{id}/transfer",
        "/api/people/{id}/transfers",
    ]:
        assert p in doc["paths"]
    assert set(doc["paths"]["/api/people/{id}"]) == {"get", "patch"}


def test_docs_page_loads_only_local_assets(client):
    r = client.get("/api/docs")
    assert r.status_code == 200
    html = r.content.decode()
    urls = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)', html)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert not re.search(r"https?://|//cdn", html)
    for u in urls:
        assert client.get(u).status_code == 200, u


@pytest.mark.browser
def test_docs_page_in_a_browser_requests_nothing_outside(phone_page):
    page = phone_page
    page.goto(page.base_url + "/api/docs")
    page.locator("[data-path='/api/people']").first.wait_for(timeout=40000)  # swagger-ui rendered our document
    page.wait_for_load_state("networkidle")
    assert page.outside_requests == []


def test_api_errors_speak_chinese(world, client):
    response = client.get("/api/people")
    assert response.status_code == 401 and response.json()["detail"] == "未登录,或令牌无效/已撤销"
    client.force_login(world.secretary)
    missing = client.post("/api/people", {}, content_type="application/json").json()["detail"]
    assert {e["msg"] for e in missing} == {"必填"} and {e["loc"][-1] for e in missing} >= {"emp_no", "name"}
    response = client.get(f"/api/people/{world.far_away.pk}")
    assert response.status_code == 404 and "权限范围" in response.json()["detail"]


def test_the_openapi_document_has_no_duplicated_keys(client):
    """swagger-ui refuses a document with a key twice ("duplicated mapping key"), e.g. 403 as int and as string."""
    import json

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    json.loads(client.get("/api/openapi.json").content, object_pairs_hook=no_duplicates)
