"""急难险重 records, the home tile and 待办, and query counts of every list page."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.errors import Conflict, Forbidden
from common.modules import tiles_for
from frontline import services
from frontline.models import Campaign, CampaignTask
from frontline.tests import helpers
from orgs.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def urgent_data(w, **extra):
    data = {
        "title": "1302工作面冒顶抢险",
        "kind": "dangerous",
        "place": "1302工作面",
        "role": "hands_on",
        "result": "3小时恢复生产",
        "people": [w.worker_person.pk, w.member_person.pk],
        "token": "u-1",
    }
    data.update(extra)
    return data


def test_recording_an_urgent_task(fl, login):
    t = helpers.create_urgent(fl.secretary, urgent_data(fl))
    assert helpers.create_urgent(fl.secretary, urgent_data(fl)).pk == t.pk
    with pytest.raises(Conflict):
        helpers.create_urgent(fl.branch_committee, urgent_data(fl))
    assert (t.branch, t.get_role_display(), t.people.count()) == (fl.branch, "上阵亲自干", 2)
    with pytest.raises(ValidationError) as exc:
        helpers.create_urgent(fl.secretary, urgent_data(fl, token=None, kind="x", result="", title="", role="boss"))
    assert set(exc.value.message_dict) == {"kind", "result", "title", "role"}
    for user in (fl.committee_user, fl.worker, fl.safety):
        with pytest.raises(Forbidden):
            helpers.create_urgent(user, urgent_data(fl, token=None))
    r = login(fl.secretary).post("/frontline/urgent/new/", {**urgent_data(fl, token="u-2"), "result": ""})
    assert (
        r.status_code == 422 and "请填写任务结果" in r.content.decode() and "1302工作面冒顶抢险" in r.content.decode()
    )


@pytest.mark.parametrize(
    "who,sees",
    [
        ("secretary", True),
        ("branch_committee", True),
        ("committee_user", True),
        ("admin", True),
        ("other_secretary", False),
        ("committee_b", False),
        ("safety", False),
        ("worker", False),
    ],
)
def test_urgent_scope(fl, login, who, sees):
    t = helpers.create_urgent(fl.secretary, urgent_data(fl))
    client = login(getattr(fl, who))
    assert (client.get(f"/frontline/urgent/{t.pk}/").status_code == 200) is sees
    assert (client.get(f"/api/frontline/urgent/{t.pk}").status_code == 200) is sees


def test_urgent_api(fl, login):
    client = login(fl.secretary)
    r = client.post(
        "/api/frontline/urgent",
        {"title": "排水抢险", "kind": "urgent", "place": "井底水仓", "result": "排净积水"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["role_label"] == "上阵亲自干"
    assert client.get("/api/frontline/urgent?kind=urgent").json()["count"] == 1
    assert login(fl.other_secretary).get("/api/frontline/urgent").json()["count"] == 0


FRONTLINE_LABELS = {"民情诉求未办结", "专项工作待上报", "专项工作超期", "专项工作待审核", "支部超期未报"}


def figures(user):
    """The figures this module adds to tile 2 (三违 and 包保 add theirs beside them)."""
    return {
        f.label: f.value
        for n, _t, _m, _i, figs in tiles_for(user)
        if n == 2
        for f in figs
        if f.label in FRONTLINE_LABELS
    }


def test_home_tile_for_the_secretary_and_the_committee(fl, login):
    c = helpers.create_campaign(
        fl.committee_user,
        {
            "title": "双化双提",
            "description": "报告推进情况",
            "deadline": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    old = helpers.create_campaign(
        fl.committee_user,
        {
            "title": "安全月",
            "description": "报告活动情况",
            "deadline": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    Campaign.objects.filter(pk=old.pk).update(deadline=timezone.localdate() - timedelta(days=2))
    assert figures(fl.secretary) == {"民情诉求未办结": 2, "专项工作待上报": 1, "专项工作超期": 1}
    assert figures(fl.branch_committee) == {"专项工作待上报": 1, "专项工作超期": 1}
    assert figures(fl.committee_user) == {"专项工作待审核": 0, "支部超期未报": 2}
    assert figures(fl.worker) == {}
    helpers.act_on_task(
        fl.secretary, CampaignTask.objects.get(campaign=c, branch=fl.branch).pk, "report", {"report": "已完成"}
    )
    assert figures(fl.committee_user)["专项工作待审核"] == 1
    assert figures(fl.secretary)["专项工作待上报"] == 0
    home = login(fl.secretary).get("/").content.decode()
    assert "民情诉求未办结" in home and "专项工作上报:安全月" in home


def _grow(w, n):
    """n more diary entries, 急难险重 tasks and campaigns, each with people and 诉求."""
    people = [PersonFactory(org=w.team) for _ in range(3)]
    for i in range(n):
        helpers.create_entry(
            w.secretary,
            {
                "place": f"地点{i}",
                "learned": "了解到的民情",
                "people": [p.pk for p in people],
                "requests": ["诉求一", "诉求二"],
            },
        )
        helpers.create_urgent(
            w.secretary,
            {
                "title": f"任务{i}",
                "kind": "urgent",
                "place": "现场",
                "result": "完成",
                "people": [p.pk for p in people],
            },
        )
        helpers.create_campaign(
            w.committee_user,
            {
                "title": f"专项{i}",
                "description": "工作要求",
                "deadline": (timezone.localdate() + timedelta(days=i)).isoformat(),
            },
        )


LISTS = [
    "/frontline/diary/",
    "/frontline/diary/?q=民情&open=1",
    "/frontline/urgent/",
    "/frontline/campaigns/",
    "/frontline/tasks/",
    "/",
    "/api/frontline/diary",
    "/api/frontline/urgent",
    "/api/frontline/campaigns",
    "/api/frontline/tasks",
]


@pytest.mark.parametrize("who", ["secretary", "committee_user"])
def test_list_pages_do_not_grow_with_rows(fl, login, django_assert_max_num_queries, who):
    client = login(getattr(fl, who))
    _grow(fl, 2)
    small = {}
    for url in LISTS:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        small[url] = len(ctx.captured_queries)
    _grow(fl, 12)
    for url in LISTS:
        with django_assert_max_num_queries(small[url]):
            client.get(url)


# 11: the diary search reads the matching people first (one query per search word)
# 12: the menu asks once per request which mine the user works in (the 薄弱人物 pages need one)
@pytest.mark.parametrize("who,limit", [("secretary", 11), ("committee_user", 12)])
def test_list_pages_query_counts(fl, login, django_assert_max_num_queries, who, limit):
    _grow(fl, 5)
    client = login(getattr(fl, who))
    for url in LISTS[:5]:
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200


def test_home_figures_use_a_fixed_number_of_queries(fl, django_assert_max_num_queries):
    from orgs import scope

    _grow(fl, 3)
    for user in (fl.secretary, fl.committee_user):
        scope.clear_cache(user)
        with django_assert_max_num_queries(4):
            services.home_figures(user)


def test_ledgers_in_excel(fl, login, exported):
    import io

    from openpyxl import load_workbook

    helpers.create_urgent(fl.secretary, urgent_data(fl))
    helpers.create_urgent(
        fl.other_secretary, urgent_data(fl, token=None, title="掘进迎头探放水", people=[fl.stranger.pk])
    )
    content = exported(login(fl.secretary), "/frontline/urgent/ledger.xlsx")
    cells = [c for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True) for c in row if c]
    assert "1302工作面冒顶抢险" in cells and "上阵亲自干" in cells and "王小二、党员甲" in cells
    assert "掘进迎头探放水" not in cells  # another branch's record
    assert login(fl.worker).post("/frontline/urgent/ledger.xlsx").status_code == 404
    c = helpers.create_campaign(
        fl.committee_user,
        {
            "title": "双化双提",
            "description": "报告推进情况",
            "deadline": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    helpers.act_on_task(
        fl.secretary, CampaignTask.objects.get(campaign=c, branch=fl.branch).pk, "report", {"report": "已组织学习"}
    )
    r = login(fl.committee_user).get(f"/frontline/campaigns/{c.pk}/progress.xlsx")
    cells = [c for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True) for c in row if c]
    assert "已组织学习" in cells and "待审核" in cells and "待上报" in cells
