"""SPEC §7.2 for the most sensitive records: who reads a care file (pages and API), every read logged, an admin lists
the readers but reads nothing, and nobody else learns anything (404)."""

import pytest
from django.test import Client

from care import services
from care.models import ScreeningKind
from care.tests.helpers import act, enter, record_screening, record_talk
from orgs import token_services
from orgs.models import SensitiveAccess
from orgs.tests.factories import make_user

pytestmark = pytest.mark.django_db

SECRET = "家中老人病重,经济压力大"


@pytest.fixture
def file(care):
    record_talk(care.secretary, {"form": "home", "people": [care.worker_person.pk], "topics": SECRET, "concern": "1"})
    entry = enter(care)
    act(care.member, entry.pk, "help", {"form": "pair", "content": "跟班作业一周"})
    return entry


def text(response):
    if response["Content-Type"].startswith("application/json"):
        import json

        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def api(user):
    client = Client()
    token = token_services.create_token(user, "t")[1]
    return lambda url: client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


READERS = ["secretary", "committee_user", "member"]  # the branch secretary, the mine's committee, the 帮教人
NOT_READERS = ["admin", "superuser", "safety", "branch_committee", "team_leader", "worker", "other_secretary"]


@pytest.mark.parametrize("who", READERS)
def test_readers_see_the_file_and_each_read_is_logged(care, file, login, who):
    user = getattr(care, who)
    page = login(user).get(f"/care/people/{care.worker_person.pk}/")
    assert page.status_code == 200 and SECRET in page.content.decode() and "跟班作业一周" in page.content.decode()
    answer = api(user)(f"/api/care/people/{care.worker_person.pk}/file")
    assert answer.status_code == 200 and SECRET in text(answer)
    logged = SensitiveAccess.objects.filter(user=user, person=care.worker_person, fields__startswith="care_file")
    assert sorted(logged.values_list("via", flat=True)) == ["api", "page"]
    if who == "member":  # a 党员 does not read the roster: the 帮教人 reaches the file from the register
        assert (
            f"/care/people/{care.worker_person.pk}/" in login(user).get(f"/care/register/{file.pk}/").content.decode()
        )
    else:
        assert 'id="care-file-link"' in login(user).get(f"/people/{care.worker_person.pk}/").content.decode()


@pytest.mark.parametrize("who", NOT_READERS)
def test_everyone_else_gets_404_in_pages_and_api_and_no_link(care, file, login, who):
    user = getattr(care, who)
    pk = care.worker_person.pk
    client = login(user)
    for url in (f"/care/people/{pk}/", f"/care/register/{file.pk}/", "/care/talks/", "/care/register/"):
        response = client.get(url)
        assert SECRET not in response.content.decode() and "跟班作业一周" not in response.content.decode()
    assert client.get(f"/care/people/{pk}/").status_code == 404
    assert client.get(f"/care/register/{file.pk}/").status_code == 404
    call = api(user)
    assert call(f"/api/care/people/{pk}/file").status_code == 404
    assert call(f"/api/care/register/{file.pk}").status_code == 404
    for url in ("/api/care/talks", "/api/care/register", "/api/care/suggestions"):
        response = call(url)
        assert SECRET not in text(response) and care.worker_person.name not in text(response)
    person_page = client.get(f"/people/{pk}/")
    assert 'id="care-file-link"' not in person_page.content.decode()
    assert not SensitiveAccess.objects.filter(user=user, fields__startswith="care_file").exists()


def test_a_helper_reads_only_while_helping(care, file, login):
    assert login(care.member).get(f"/care/people/{care.colleague.pk}/").status_code == 404  # not their person
    act(care.secretary, file.pk, "release", {"reason": "已转化,表现良好", "confirm_open": "1"})
    assert login(care.member).get(f"/care/people/{care.worker_person.pk}/").status_code == 404


def test_the_admin_lists_who_read_a_file_without_its_contents(care, file, login):
    login(care.secretary).get(f"/care/people/{care.worker_person.pk}/")
    page = login(care.admin).get(f"/care/people/{care.worker_person.pk}/readers/")
    body = page.content.decode()
    assert page.status_code == 200 and "书记甲" in body and SECRET not in body
    assert login(care.secretary).get(f"/care/people/{care.worker_person.pk}/readers/").status_code == 404
    outside_admin = make_user("admin-xz", "admin", care.mine_b)
    assert login(outside_admin).get(f"/care/people/{care.worker_person.pk}/readers/").status_code == 404


def test_the_talker_sees_their_own_talks_but_not_the_file(care, login):
    talk = record_talk(
        care.team_leader,
        {"form": "face", "people": [care.worker_person.pk], "topics": "班前谈话", "talker": care.member_person.pk},
    )
    client = login(care.team_leader)
    assert client.get(f"/care/talks/{talk.pk}/").status_code == 200
    assert client.get(f"/care/people/{care.worker_person.pk}/").status_code == 404
    assert login(care.other_secretary).get(f"/care/talks/{talk.pk}/").status_code == 404


def test_the_api_writes_with_the_pages_rules(care):
    client = Client()
    token = token_services.create_token(care.secretary, "t")[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    created = client.post(
        "/api/care/talks",
        {"people": [care.worker_person.pk], "form": "face", "topics": "谈心"},
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201
    body = {
        "person": care.worker_person.pk,
        "tier": "B",
        "criteria": [services.Criterion.objects.get(mine=care.mine, name="其他").pk],
        "helper": care.member_person.pk,
        "measures": ["结对"],
    }
    entry = client.post("/api/care/register", body, content_type="application/json", **headers)
    assert entry.status_code == 201
    eid = entry.json()["id"]
    release = client.post(
        f"/api/care/register/{eid}/release", {"reason": "已经转化"}, content_type="application/json", **headers
    )
    assert release.status_code == 422 and "confirm_open" in release.json()["errors"]
    release = client.post(
        f"/api/care/register/{eid}/release",
        {"reason": "已经转化", "confirm_open": True},
        content_type="application/json",
        **headers,
    )
    assert release.status_code == 200 and release.json()["status"] == "released"
    other = token_services.create_token(care.other_secretary, "t")[1]
    assert (
        client.post(
            "/api/care/talks",
            {"people": [care.worker_person.pk], "form": "face", "topics": "x"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {other}",
        ).status_code
        == 422
    )


DIARY = "妻子下岗,孩子上学缺学费"


def test_the_file_shows_the_diary_to_its_readers_and_not_to_the_helper(care, file, login):
    """The care file reads 民情日记 through the diary's own rules: its text for the branch secretary (the read is
    logged in the diary's read log), nothing of it for the 帮教人, an ordinary 党员 who reads the file itself."""
    from frontline import services as frontline
    from frontline.models import DiaryRead

    visit = frontline.create_entry(
        care.secretary,
        {"date": timezone_today().isoformat(), "place": "职工家中", "people": [care.worker_person.pk],
         "learned": DIARY, "concern": "1"},
    )  # fmt: skip
    secretary_page = login(care.secretary).get(f"/care/people/{care.worker_person.pk}/").content.decode()
    assert "民情日记" in secretary_page and DIARY in secretary_page
    assert DiaryRead.objects.filter(user=care.secretary, entry=visit, via="page").count() == 1
    helper_page = login(care.member).get(f"/care/people/{care.worker_person.pk}/")
    body = helper_page.content.decode()
    assert helper_page.status_code == 200 and "跟班作业一周" in body  # the file itself
    assert DIARY not in body and "职工家中" not in body
    assert not DiaryRead.objects.filter(user=care.member).exists()
    answer = api(care.member)(f"/api/care/people/{care.worker_person.pk}/file")
    assert answer.status_code == 200 and DIARY not in text(answer)


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()


def test_reading_talks_register_entries_suggestions_and_findings_is_logged(care, file, login):
    """SPEC §7.2: every view of a care record leaves a line in the sensitive-read log, per person read about."""
    from care.models import Talk

    client = login(care.secretary)
    talk = Talk.objects.latest("pk")
    record_screening(
        care.secretary,
        {"kind": ScreeningKind.values[0], "participants": [care.colleague.pk], "people": [care.colleague.pk],
         f"note_{care.colleague.pk}": "情绪低落"},
    )  # fmt: skip

    def logged(what, via="page"):
        return set(
            SensitiveAccess.objects.filter(user=care.secretary, fields=what, via=via).values_list("person", flat=True)
        )

    assert client.get(f"/care/talks/{talk.pk}/").status_code == 200
    assert logged("谈心谈话") == {care.worker_person.pk}
    assert client.get(f"/care/register/{file.pk}/").status_code == 200
    client.get("/care/register/")
    assert logged("薄弱人物台账") == {care.worker_person.pk}
    client.get("/care/suggestions/")
    api(care.secretary)(f"/api/care/register/{file.pk}")
    api(care.secretary)("/api/care/talks")
    assert logged("薄弱人物台账", "api") == {care.worker_person.pk} and logged("谈心谈话", "api") == {
        care.worker_person.pk
    }
    client.get("/care/screenings/")
    assert logged("排查发现") == {care.colleague.pk}
