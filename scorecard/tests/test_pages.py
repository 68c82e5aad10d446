"""The scorecard's pages as a committee, a secretary and a worker would use them."""

import json
import re
from datetime import date

import pytest

from scorecard import services
from scorecard.models import Run
from scorecard.tests.helpers import END, START, hazard

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 15)


@pytest.fixture
def scored(site):
    w = site
    hazard(w, date(2026, 10, 2), deadline=date(2026, 10, 9), closed=date(2026, 10, 9))
    hazard(w, date(2026, 10, 3), place=w.other_place, deadline=date(2026, 10, 9))
    w.scheme = services.create_example_scheme(w.committee_user, mine=w.mine, start=START, end=END)
    w.run = services.run(w.committee_user, scheme=w.scheme, today=TODAY)
    return w


def test_committee_creates_a_scheme_sets_weights_enters_a_score_and_runs(site, login):
    w = site
    c = login(w.committee_user)
    r = c.post("/scorecard/schemes/new/", {"mine": w.mine.pk, "start": "2026-10-01", "end": "2026-10-31"})
    from scorecard.models import Scheme

    scheme = Scheme.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/scorecard/schemes/{scheme.pk}/"
    page = c.get(r["Location"]).content.decode()
    assert "月度考核" in page and "隐患按期整改率" in page
    comps = {x.name: x for x in scheme.components.all()}
    bad = c.post(f"/scorecard/schemes/{scheme.pk}/", {f"cw_{comps['月度考核'].pk}": "50"})
    assert bad.status_code == 422 and "合计应为 100%" in bad.content.decode()
    assert 'value="50"' in bad.content.decode() or "50" in bad.content.decode()
    field = comps["实地考核"]
    c.post(
        f"/scorecard/schemes/{scheme.pk}/scores/{field.pk}/",
        {"branch": w.branch.pk, "score": "88", "evidence": "现场检查"},
    )
    assert field.scores.get().score == 88
    r = c.post(f"/scorecard/schemes/{scheme.pk}/run/")
    run = Run.objects.get()
    assert r["Location"] == f"/scorecard/runs/{run.pk}/"


def test_ranking_drills_down_from_a_rank_to_the_hazards(scored, login):
    w = scored
    c = login(w.committee_user)
    page = c.get(f"/scorecard/runs/{w.run.pk}/").content.decode()
    assert "综采一区党支部" in page and "掘进一区党支部" in page and 'id="change-check"' in page
    assert (
        'id="unchanged"'
        in c.get(f"/scorecard/runs/{w.run.pk}/changed/", headers={"HX-Request": "true"}).content.decode()
    )
    assert page.count('id="scorecard-data"') == 1
    data = json.loads(re.search(r'id="scorecard-data" type="application/json">(.*?)</script>', page).group(1))
    assert len(data["axes"]) == 6 and data["series"][0]["name"] == "综采一区党支部"
    branch_page = c.get(f"/scorecard/runs/{w.run.pk}/branches/{w.branch.pk}/").content.decode()
    link = f"/hazards/?branch={w.branch.pk}&amp;from=2026-10-01&amp;to=2026-10-31"
    assert link in branch_page
    from hazards.models import Hazard

    hazards = c.get(link.replace("&amp;", "&")).content.decode()
    mine, other = Hazard.objects.get(location=w.place), Hazard.objects.get(location=w.other_place)
    assert f"/hazards/{mine.pk}/" in hazards and f"/hazards/{other.pk}/" not in hazards


def test_the_page_says_when_data_changed_since(scored, login):
    w = scored
    hazard(w, date(2026, 10, 5), deadline=date(2026, 10, 6))
    page = login(w.committee_user).get(f"/scorecard/runs/{w.run.pk}/changed/").content.decode()
    assert 'id="changed"' in page and "重新计算" in page


def test_a_secretary_sees_only_their_branch(scored, login):
    w = scored
    c = login(w.secretary)
    page = c.get(f"/scorecard/runs/{w.run.pk}/").content.decode()
    assert "综采一区党支部" in page and "掘进一区党支部" not in page
    assert c.get(f"/scorecard/runs/{w.run.pk}/branches/{w.other_branch.pk}/").status_code == 404
    home = c.get("/scorecard/").content.decode()
    assert f"/scorecard/runs/{w.run.pk}/branches/{w.branch.pk}/" in home
    assert 'id="new-scheme"' not in home
    assert c.post(f"/scorecard/schemes/{w.scheme.pk}/run/").status_code == 403


def test_a_worker_has_no_scorecard(scored, login):
    c = login(scored.worker)
    assert c.get("/scorecard/").status_code == 404
    assert c.get(f"/scorecard/runs/{scored.run.pk}/").status_code == 404


def test_ranking_page_query_count_does_not_grow_with_branches(scored, login, django_assert_max_num_queries):
    c = login(scored.committee_user)
    with django_assert_max_num_queries(40):
        assert c.get(f"/scorecard/runs/{scored.run.pk}/").status_code == 200
    with django_assert_max_num_queries(30):
        assert c.get(f"/scorecard/runs/{scored.run.pk}/branches/{scored.branch.pk}/").status_code == 200


def test_indicator_library_page_names_each_formula(site, login):
    page = login(site.committee_user).get("/scorecard/indicators/").content.decode()
    assert "H_ON_TIME" in page and "在期限内(含当日)销号的占比" in page and "信访就地化解率" in page


def test_the_meeting_evaluation_feeds_the_scheme_once_enough_answered(scored):
    from orgs.models import PoliticalStatus
    from orgs.tests.factories import PersonFactory, make_user
    from scorecard import evaluation
    from scorecard.models import RunBranch

    w = scored
    voters = [
        make_user(f"v{n}", "member", w.team, person=PersonFactory(org=w.team, political_status=PoliticalStatus.MEMBER))
        for n in range(6)
    ]
    r = evaluation.open_round(w.committee_user, branch=w.branch, title="十月测评", opens_on=date(2026, 10, 20),
                              closes_on=date(2026, 10, 31))  # fmt: skip
    for n, v in enumerate(voters[:5]):
        evaluation.vote(v, round_pk=r.pk, ratings={k: 4 for k in ("belief", "service", "diligence", "courage",
                                                                   "integrity")} | {"overall": 4 if n else 3})  # fmt: skip
    evaluation.close_round(w.committee_user, round_pk=r.pk)
    assert services.changed_since(w.run)
    again = services.run(w.committee_user, scheme=w.scheme, today=TODAY)
    row = RunBranch.objects.get(run=again, branch=w.branch)
    assert row.components["会议测评"] == 96.0  # (4 × 100 + 80) / 5


def test_the_secretary_sees_their_latest_score_on_the_home_page(scored, login):
    home = login(scored.secretary).get("/").content.decode()
    assert 'id="score-card"' in home and f"/scorecard/runs/{scored.run.pk}/branches/{scored.branch.pk}/" in home
    assert 'id="score-card"' not in login(scored.worker).get("/").content.decode()


def test_scheme_and_evaluation_pages_do_not_grow_with_branches(scored, login, django_assert_max_num_queries):
    from orgs.models import OrgKind
    from orgs.tests.factories import node
    from scorecard import evaluation

    w = scored
    c = login(w.committee_user)
    for n in range(2):
        evaluation.open_round(w.committee_user, branch=[w.branch, w.other_branch][n], title=f"测评{n}",
                              opens_on=date(2026, 12, 1), closes_on=date(2026, 12, 31))  # fmt: skip
    with django_assert_max_num_queries(30) as small:
        assert c.get(f"/scorecard/schemes/{w.scheme.pk}/").status_code == 200
    for n in range(6):
        node(w.committee, f"新支部{n}", OrgKind.BRANCH)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = c.get(f"/scorecard/schemes/{w.scheme.pk}/").content.decode()
    assert "新支部5" in page
    with django_assert_max_num_queries(20):
        page = c.get("/scorecard/evaluation/").content.decode()
    assert "测评0" in page and "测评1" in page
