"""The scorecard's inputs are declared once (scorecard/forms.py): a bad value is refused with a Chinese message naming
it, what was typed stays, and nothing is written."""

import pytest

from scorecard import services
from scorecard.models import ManualScore, Round, Scheme
from scorecard.tests.helpers import END, START

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(site):
    return services.create_example_scheme(site.committee_user, mine=site.mine, start=START, end=END)


def test_a_weight_that_is_not_a_number_is_refused_next_to_the_field(site, scheme, login):
    c = login(site.committee_user)
    part = scheme.components.get(name="月度考核")
    si = part.indicators.first()
    r = c.post(f"/scorecard/schemes/{scheme.pk}/", {f"cw_{part.pk}": "三十", f"it_{si.pk}": "九十"})
    page = r.content.decode()
    assert r.status_code == 422 and "权重应为 0–100 的整数" in page and "目标应为数字" in page
    assert 'value="三十"' in page
    part.refresh_from_db()
    assert part.weight == 30
    ok = c.post(f"/scorecard/schemes/{scheme.pk}/", {f"it_{si.pk}": "95"})
    assert ok.status_code == 302
    si.refresh_from_db()
    assert si.target == 95.0 and part.weight == 30  # a field not posted is left as it is


def test_a_score_without_evidence_or_with_words_is_refused(site, scheme, login):
    c = login(site.committee_user)
    part = scheme.components.get(name="实地考核")
    url = f"/scorecard/schemes/{scheme.pk}/scores/{part.pk}/"
    r = c.post(url, {"branch": site.branch.pk, "score": "88", "evidence": "  "}, follow=True)
    assert "综采一区党支部:请写明依据" in r.content.decode()
    r = c.post(url, {"branch": site.branch.pk, "score": "八十八", "evidence": "检查记录"}, follow=True)
    assert "得分应为数字" in r.content.decode()
    r = c.post(url, {"branch": site.branch.pk, "score": "101", "evidence": "检查记录"}, follow=True)
    assert "得分应在 0 到 100 之间" in r.content.decode()
    r = c.post(url, {"branch": "x", "score": "88", "evidence": "检查记录"}, follow=True)
    assert "请选择党支部" in r.content.decode()
    assert c.post(url, {"branch": site.branch_b.pk, "score": "88", "evidence": "检查记录"}).status_code == 404
    assert not ManualScore.objects.exists()


def test_a_scheme_and_a_round_need_their_dates(site, login):
    c = login(site.committee_user)
    r = c.post("/scorecard/schemes/new/", {"mine": site.mine.pk, "start": "2026-10-31", "end": "2026-10-01"},
               follow=True)  # fmt: skip
    assert "结束日期不能早于开始日期" in r.content.decode() and not Scheme.objects.exists()
    r = c.post("/scorecard/schemes/new/", {"mine": site.mine.pk, "start": "十月"}, follow=True)
    assert "考核期开始日期格式不正确" in r.content.decode()
    assert c.post("/scorecard/schemes/new/", {"mine": site.mine_b.pk, "start": "2026-10-01",
                                              "end": "2026-10-31"}).status_code == 404  # fmt: skip
    r = c.post("/scorecard/evaluation/new/", {"branch": site.branch.pk, "opens_on": "2026-12-01"}, follow=True)
    assert "请填写截止日期" in r.content.decode() and not Round.objects.exists()


def test_a_ballot_out_of_the_four_ratings_or_with_a_long_comment_is_refused(site, login):
    from datetime import timedelta

    from django.utils import timezone

    from orgs.models import PoliticalStatus
    from orgs.tests.factories import PersonFactory, make_user
    from scorecard import evaluation
    from scorecard.models import Ballot

    voter = make_user("voter-x", "member", site.team,
                      person=PersonFactory(org=site.team, political_status=PoliticalStatus.MEMBER))  # fmt: skip
    today = timezone.localdate()
    r = evaluation.open_round(site.committee_user, branch=site.branch, title="测评", opens_on=today,
                              closes_on=today + timedelta(days=7))  # fmt: skip
    c = login(voter)
    vote = {"belief": "4", "service": "3", "diligence": "4", "courage": "5", "integrity": "4", "overall": "4"}
    page = c.post(f"/scorecard/evaluation/{r.pk}/", vote)
    assert page.status_code == 422 and "请为“敢于担当”选择 好 / 较好 / 一般 / 差" in page.content.decode()
    page = c.post(f"/scorecard/evaluation/{r.pk}/", vote | {"courage": "3", "comment": "意" * 1001})
    assert page.status_code == 422 and "意见建议最长1000字" in page.content.decode()
    assert not Ballot.objects.exists()
    assert c.post(f"/scorecard/evaluation/{r.pk}/", vote | {"courage": "3"}).status_code == 302
    assert Ballot.objects.get().courage == 3
    assert c.post(f"/scorecard/evaluation/{r.pk}/", vote | {"courage": "3"}).status_code == 409  # as before
