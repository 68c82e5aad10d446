"""Every page answers for the secretary; the main loop works from the pages."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/care/",
    "/care/suggestions/",
    "/care/register/",
    "/care/screenings/",
    "/care/screenings/new/",
    "/care/talks/",
    "/care/talks/new/",
    "/care/coverage/",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_open_for_the_secretary(care, login, url):
    assert login(care.secretary).get(url).status_code == 200


def test_the_committee_sees_the_mine_and_edits_the_catalogue(care, login):
    client = login(care.committee_user)
    page = client.get("/care/").content.decode()
    assert "综采一区党支部" in page and "掘进一区党支部" in page
    assert client.get("/care/settings/").status_code == 200
    assert login(care.secretary).get("/care/settings/").status_code == 404


def test_a_screening_records_findings_and_a_bad_form_keeps_its_input(care, login):
    from care.models import Finding, Screening

    client = login(care.secretary)
    bad = client.post(
        "/care/screenings/new/",
        {"token": "s1", "kind": "home_visit", "summary": "走访三户", "participants": [care.secretary.person_id]},
    )
    assert (
        bad.status_code == 422 and "请选择排查到的职工" in bad.content.decode() and "走访三户" in bad.content.decode()
    )
    data = {"token": "s1", "kind": "home_visit", "summary": "走访三户", "participants": [care.secretary.person_id], "people": [care.worker_person.pk, care.colleague.pk],
            f"note_{care.worker_person.pk}": "母亲住院", "concern": [care.worker_person.pk]}  # fmt: skip
    assert client.post("/care/screenings/new/", data).status_code == 302
    assert client.post("/care/screenings/new/", data).status_code == 302  # double submit
    assert Screening.objects.count() == 1
    assert list(Finding.objects.filter(concern=True).values_list("person__name", "note")) == [("王小二", "母亲住院")]
    page = client.get("/care/screenings/").content.decode()
    assert "母亲住院" in page and "入户走访" in page
    assert "母亲住院" not in login(care.other_secretary).get("/care/screenings/").content.decode()
    assert login(care.team_leader).get("/care/screenings/").status_code == 404


def test_the_catalogue_and_thresholds_are_edited_by_the_committee(care, login):
    from care.models import CareSettings, Criterion

    client = login(care.committee_user)
    assert client.post("/care/settings/", {"kind_of": "criterion", "name": "家属反映"}).status_code == 302
    assert Criterion.objects.filter(mine=care.mine, name="家属反映").exists()
    dup = client.post("/care/settings/", {"kind_of": "criterion", "name": "家属反映"})
    assert dup.status_code == 422 and "已存在" in dup.content.decode()
    bad = client.post("/care/settings/", {"kind_of": "thresholds", "recent_days": "0", "violation_count": "3"})
    assert bad.status_code == 422 and "须为 1–365 的整数" in bad.content.decode()
    assert (
        client.post(
            "/care/settings/", {"kind_of": "thresholds", "recent_days": "60", "violation_count": "3"}
        ).status_code
        == 302
    )
    cfg = CareSettings.objects.get(mine=care.mine)
    assert (cfg.recent_days, cfg.violation_count, cfg.eval_days_a) == (60, 3, 7)
    other = Criterion.objects.get(mine=care.mine, name="其他")
    client.post("/care/settings/", {"kind_of": "criterion_toggle", "pk": other.pk})
    assert not Criterion.objects.get(pk=other.pk).active
    assert (
        "其他"
        not in login(care.secretary)
        .get(f"/care/register/new/{care.worker_person.pk}/")
        .content.decode()
        .split("薄弱类型")[1]
        .split("</fieldset>")[0]
    )


@pytest.mark.parametrize(
    "who",
    [
        "admin",
        "superuser",
        "safety",
        "branch_committee",
        "team_leader",
        "member",
        "worker",
        "committee_user",
        "secretary",
    ],
)
def test_every_role_home_page_still_answers(care, login, who):
    assert login(getattr(care, who)).get("/").status_code == 200
