from datetime import timedelta

import pytest
from django.utils import timezone

from orgs.models import Person, SensitiveAccess, Transfer
from orgs.tests.factories import JobTypeFactory, PersonFactory


def names(response):
    return {p.name for p in response.context["page"]}


def test_search_by_emp_no_name_and_pinyin_initials(world, login):
    c = login(world.secretary)
    assert names(c.get("/people/", {"q": "wxe"})) == {"王小二"}
    assert names(c.get("/people/", {"q": "小二"})) == {"王小二"}
    assert names(c.get("/people/", {"q": world.colleague.emp_no})) == {"同事乙"}


def test_new_hire_and_transfer_are_derived_from_dates(world, login, settings):
    today = timezone.localdate()
    fresh = PersonFactory(org=world.team, name="新人", hire_date=today - timedelta(days=10))
    PersonFactory(org=world.team, name="老人", hire_date=today - timedelta(days=181))
    c = login(world.secretary)
    assert names(c.get("/people/", {"new_hire": "on"})) == {"新人"}
    settings.HONGLING_NEW_HIRE_DAYS = 5
    assert names(c.get("/people/", {"new_hire": "on"})) == set()
    assert not Person.objects.get(pk=fresh.pk).is_new_hire

    c.post(
        f"/people/{world.worker_person.pk}/transfer/",
        {
            "date": (today - timedelta(days=3)).isoformat(),
            "to_job": JobTypeFactory(name="掘进工").pk,
            "to_org": world.team2.pk,
            "note": "工作需要",
        },
    )
    assert names(c.get("/people/", {"transferred": "on"})) == {"王小二"}
    t = Transfer.objects.get(person=world.worker_person)
    assert (t.from_org, t.to_org, t.from_job.name, t.to_job.name) == (world.team, world.team2, "采煤工", "掘进工")
    assert t.recorded_by == world.secretary
    worker = Person.objects.get(pk=world.worker_person.pk)
    assert worker.org == world.team2 and worker.is_recently_transferred


def test_transfer_outside_scope_or_before_hire_is_refused_with_the_field(world, login):
    c = login(world.secretary)
    r = c.post(
        f"/people/{world.worker_person.pk}/transfer/",
        {
            "date": "2000-01-01",
            "to_job": world.worker_person.job_type_id,
            "to_org": world.other_team.pk,
        },
    )
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert "转岗日期不能早于入职日期" in errors["date"]
    assert "to_org" in errors  # another branch's team is not a choice for this secretary
    assert not Transfer.objects.exists()


def test_filters_by_subtree_job_and_political_status(world, login):
    c = login(world.committee_user)
    assert names(c.get("/people/", {"org": world.team2.pk})) == {"同事乙"}
    assert "党员甲" in names(c.get("/people/", {"political_status": "member"}))
    assert "王小二" not in names(c.get("/people/", {"political_status": "member"}))
    assert "外矿丁" not in names(c.get("/people/"))  # another mine


def test_create_keeps_input_and_names_the_field_on_error(world, login):
    c = login(world.secretary)
    data = {
        "emp_no": world.worker_person.emp_no,
        "name": "重复工号",
        "gender": "M",
        "hire_date": "2020-01-01",
        "job_type": world.worker_person.job_type_id,
        "org": world.team.pk,
        "political_status": "masses",
        "work_status": "on_duty",
        "id_number": "110101198505010013",
        "phone": "12345",
    }
    r = c.post("/people/new/", data)
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert "在本矿已存在" in errors["emp_no"][0]
    assert "校验位" in errors["id_number"][0]
    assert "11位" in errors["phone"][0]
    assert 'value="重复工号"' in r.content.decode()
    data.update(emp_no="900001", id_number="110101198505010022", phone="13900001111")
    r = c.post("/people/new/", data)
    assert r.status_code == 302
    assert Person.objects.get(emp_no="900001").mine == world.mine


def test_edit_cannot_change_team_without_a_transfer(world, login):
    c = login(world.secretary)
    p = world.worker_person
    data = {
        "emp_no": p.emp_no,
        "name": "王小二",
        "gender": "M",
        "hire_date": "2010-03-01",
        "org": world.team2.pk,
        "job_type": p.job_type_id,
        "political_status": "league",
        "work_status": "leave",
    }
    assert c.post(f"/people/{p.pk}/edit/", data).status_code == 302
    p.refresh_from_db()
    assert p.org == world.team and p.political_status == "league" and p.work_status == "leave"


def test_sensitive_values_are_masked_and_each_reveal_is_logged(world, login):
    p = world.worker_person
    c = login(world.secretary)
    page = c.get(f"/people/{p.pk}/").content.decode()
    assert p.phone not in page and p.id_number not in page and "138****8000" in page.replace("*", "*")
    r = c.get(f"/people/{p.pk}/sensitive/")
    assert p.phone in r.content.decode() and "思想稳定" in r.content.decode()
    log = SensitiveAccess.objects.get()
    assert (log.user, log.person, log.via) == (world.secretary, p, "page")
    # A safety officer reads the roster of the mine but never sensitive fields.
    c = login(world.safety)
    assert c.get(f"/people/{p.pk}/").status_code == 200
    assert c.get(f"/people/{p.pk}/sensitive/").status_code == 404
    # The worker sees their own phone, not the notes others keep about them.
    r = login(world.worker).get(f"/people/{p.pk}/sensitive/")
    assert p.phone in r.content.decode() and "思想稳定" not in r.content.decode()


@pytest.mark.parametrize("rows", [5, 60])
def test_roster_query_count_does_not_grow_with_rows(world, login, django_assert_max_num_queries, rows):
    for _ in range(rows):
        PersonFactory(org=world.team)
    c = login(world.secretary)
    with django_assert_max_num_queries(12):
        r = c.get("/people/")
    assert len(r.context["page"]) == min(rows + 4, 50)
