"""One declaration per input (``stability.forms``): the page and the API read 工号, orgs and dates by the same rules
and answer with the same Chinese message next to the field (page) or naming it (API's 422)."""

import pytest

from stability.models import Factor
from stability.tests.helpers import ago

pytestmark = pytest.mark.django_db


def _factor(st, **changes):
    data = {"org": st.branch.pk, "title": "工资调整引发不满", "description": "部分职工对绩效工资核算有意见",
            "people_count": 3, "severity": "general", "found_on": ago(2).isoformat()}  # fmt: skip
    return {**data, **changes}


def test_an_unknown_emp_no_is_named_on_the_page_and_in_the_api(st, client):
    client.force_login(st.secretary)
    typed = f"{st.member_person.emp_no}、999999"
    page = client.post("/stability/factors/new/", _factor(st, people=typed, token="t1"))
    assert page.status_code == 422
    html = page.content.decode()
    assert "本矿没有工号:999999" in html and typed in html and "部分职工对绩效工资核算有意见" in html
    api = client.post("/api/stability/factors", _factor(st, people=typed), content_type="application/json")
    assert api.status_code == 422 and api.json()["errors"] == {"people": ["本矿没有工号:999999"]}
    assert not Factor.objects.exists()


def test_two_leaders_and_an_org_out_of_reach_are_field_errors(st, client):
    client.force_login(st.secretary)
    both = f"{st.member_person.emp_no} {st.worker_person.emp_no}"
    api = client.post("/api/stability/factors", _factor(st, leader=both), content_type="application/json")
    assert api.status_code == 422 and api.json()["errors"] == {"leader": ["只能填写一个工号"]}
    for org in (st.other_branch.pk, 987654321):  # out of scope, and no such org: a field error either way
        api = client.post("/api/stability/factors", _factor(st, org=org), content_type="application/json")
        assert api.status_code == 422 and list(api.json()["errors"]) == ["org"]


def test_a_factor_typed_with_commas_and_spaces_names_each_person_once(st, client):
    client.force_login(st.secretary)
    codes = f"{st.member_person.emp_no},{st.worker_person.emp_no} {st.member_person.emp_no}"
    api = client.post("/api/stability/factors", _factor(st, people=codes, leader=f" {st.member_person.emp_no} "),
                      content_type="application/json")  # fmt: skip
    assert api.status_code == 201, api.content
    f = Factor.objects.get()
    assert sorted(f.people.values_list("pk", flat=True)) == sorted([st.member_person.pk, st.worker_person.pk])
    assert f.leader == st.member_person
