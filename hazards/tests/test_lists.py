"""The hazard list at size: counted up to a cap ("共 N 条以上", the pager stops there), the same in the API
(``count_capped``), date ranges by local midnights, the query count fixed, and the ledger made in the background in
the user's scope and downloaded by them alone."""

import io
from datetime import date, datetime, time, timedelta

import openpyxl
import pytest
from django.utils import timezone

from common import pagination
from hazards.models import Hazard
from hazards.tests.test_loop import report, site  # noqa: F401  (the fixture)
from orgs.tests.factories import make_user

pytestmark = pytest.mark.django_db


def _copies(w, n, location=None, found_at=None):
    """``n`` hazards like one registered through the service, an hour apart (bulk, for size)."""
    model = report(w, location=location)
    now = timezone.now()
    rows = []
    for i in range(n):
        h = Hazard.objects.get(pk=model.pk)
        h.pk, h.token = None, None
        h.found_at = found_at or now - timedelta(hours=i + 1)
        h.description = f"批量隐患{i}"
        rows.append(h)
    Hazard.objects.bulk_create(rows)


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 40)
    monkeypatch.setattr(pagination.CappedPaginator, "FEW", 5)


def test_a_long_list_says_more_than_the_cap_and_its_pager_stops_there(site, login, small_cap):  # noqa: F811
    w = site
    _copies(w, 60)
    client = login(w.safety)
    first = client.get("/hazards/").content.decode()
    assert "共 40 条以上" in first and "第 1 / 2 页" in first and "只列出前 40 条" not in first
    last = client.get("/hazards/", {"page": 9}).content.decode()  # past the cap: the last page offered
    assert "第 2 / 2 页" in last and last.count("批量隐患") == 10 and "只列出前 40 条" in last
    api = client.get("/api/hazards").json()
    assert api["count"] == 40 and api["count_capped"] is True and len(api["items"]) == 40
    assert client.get("/api/hazards", {"page": 2}).json()["items"] == []
    few = client.get("/api/hazards", {"status": "closed"}).json()
    assert few == {"count": 0, "count_capped": False, "items": []}


def test_the_list_filters_days_by_local_midnight(site, login):  # noqa: F811
    w = site
    day = date(2026, 6, 10)
    tz = timezone.get_current_timezone()
    for moment, text in (
        (datetime.combine(day, time(0, 0)), "零点"),
        (datetime.combine(day, time(23, 59)), "深夜"),
        (datetime.combine(day - timedelta(days=1), time(23, 59)), "前一天"),
        (datetime.combine(day + timedelta(days=1), time(0, 0)), "后一天"),
    ):
        h = report(w)
        Hazard.objects.filter(pk=h.pk).update(found_at=timezone.make_aware(moment, tz), description=text)
    body = login(w.safety).get("/hazards/", {"from": "2026-06-10", "to": "2026-06-10"}).content.decode()
    assert "零点" in body and "深夜" in body and "前一天" not in body and "后一天" not in body
    api = login(w.safety).get("/api/hazards", {"from": "2026-06-10", "to": "2026-06-10"}).json()
    assert sorted(i["description"] for i in api["items"]) == ["深夜", "零点"]


@pytest.mark.parametrize("who", ["safety", "secretary"])
def test_list_query_counts_are_fixed_whatever_the_rows(site, login, small_cap, who, django_assert_max_num_queries):  # noqa: F811
    w = site
    _copies(w, 10)  # past the few a filter reads whole (FEW = 5 here): the way a big list is read
    client = login(getattr(w, who))
    urls = ["/hazards/", "/hazards/?page=2", "/hazards/?from=2020-01-01", "/api/hazards"]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(22) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx)
    _copies(w, 80)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_the_ledger_is_made_in_the_background_in_the_users_scope_and_only_they_download_it(
    site,  # noqa: F811
    login,
    exported,
    client,
):
    w = site
    _copies(w, 5)
    _copies(w, 3, location=w.other_location)
    content = exported(login(w.secretary), "/hazards/ledger.xlsx?status=registered")
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    places = {r[4] for r in rows[2:]}
    assert rows[1][:2] == ("序号", "隐患编号") and len(rows) == 2 + 6 and places == {"1302工作面"}
    assert "共 6 条" in rows[0][0]
    whole = openpyxl.load_workbook(io.BytesIO(exported(login(w.safety), "/hazards/ledger.xlsx"))).active
    assert len(list(whole.iter_rows(values_only=True))) == 2 + 10  # the whole mine: both places
    from common.models import GeneratedFile

    mine = GeneratedFile.objects.filter(user=w.secretary).get()
    assert mine.done == mine.total == 6 and mine.filename.startswith("隐患台账-")
    stranger = make_user("stranger-files", "worker", w.other_team)
    other = login(stranger)
    assert other.get(f"/files/{mine.pk}/download/").status_code == 404
    assert other.get(f"/files/{mine.pk}/").status_code == 404
    assert "隐患台账" not in other.get("/files/").content.decode()
    assert other.get("/hazards/ledger.xlsx").status_code == 405  # a link cannot start one: the button posts
