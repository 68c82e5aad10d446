"""One declaration per input (``selfcheck.forms``): the page and the API read a field by the same rules and answer
with the same Chinese message next to the field (page) or naming it (API's 422)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from selfcheck import services
from selfcheck.models import Answer, Inspection, Measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection(site):
    period = services.create_period(site.committee_user, mine=site.mine, kind="month", start=date(2026, 10, 1),
                                    end=date(2026, 10, 31), due=date(2026, 11, 5))  # fmt: skip
    return Inspection.objects.create(period=period, branch=site.branch)


def _measure(**changes):
    data = {"question": 2, "problem": "超期隐患", "goal": "超期清零", "task": "逐条销号", "action": "每周调度",
            "due": "2026-11-20"}  # fmt: skip
    return {**data, **changes}


def test_a_measure_without_a_goal_or_with_an_early_due_names_the_field(site, inspection, login):
    c = login(site.secretary)
    page = c.post(f"/selfcheck/i/{inspection.pk}/measures/", _measure(goal="  "))
    assert page.status_code == 422 and "请填写目标" in page.content.decode() and "逐条销号" in page.content.decode()
    api = c.post(f"/api/selfcheck/inspections/{inspection.pk}/measures", _measure(goal="  "),
                 content_type="application/json")  # fmt: skip
    assert api.status_code == 422 and api.json()["errors"] == {"goal": ["请填写目标"]}
    early = _measure(due="2026-09-30")
    page = c.post(f"/selfcheck/i/{inspection.pk}/measures/", early)
    assert page.status_code == 422 and "期限不能早于本期开始" in page.content.decode()
    api = c.post(f"/api/selfcheck/inspections/{inspection.pk}/measures", early, content_type="application/json")
    assert api.status_code == 422 and api.json()["errors"] == {"due": ["期限不能早于本期开始"]}
    bad = _measure(question="7")
    page = c.post(f"/selfcheck/i/{inspection.pk}/measures/", bad)
    assert page.status_code == 422 and "请选择对应的反问" in page.content.decode()
    assert not Measure.objects.exists()


def test_a_rating_out_of_the_list_is_refused_and_the_answers_typed_stay(site, inspection, login):
    c = login(site.secretary)
    page = c.post(f"/selfcheck/{inspection.period_id}/{site.branch.pk}/",
                  {"rating_1": "best", "narrative_1": "我写的查摆情况"})  # fmt: skip
    html = page.content.decode()
    assert page.status_code == 422 and "第1问:请选择 好 / 较好 / 一般 / 差" in html and "我写的查摆情况" in html
    api = c.put(f"/api/selfcheck/inspections/{inspection.pk}/answers",
                {"answers": [{"question": 1, "rating": "best", "narrative": "我写的查摆情况"}]},
                content_type="application/json")  # fmt: skip
    assert api.status_code == 422 and api.json()["errors"] == {"rating_1": ["第1问:请选择 好 / 较好 / 一般 / 差"]}
    assert not Answer.objects.exists()
    api = c.put(f"/api/selfcheck/inspections/{inspection.pk}/answers",
                {"answers": [{"question": 3, "rating": "fair", "narrative": "只答第三问"}]},
                content_type="application/json")  # fmt: skip
    assert api.status_code == 200
    assert list(Answer.objects.values_list("question", "rating", "narrative")) == [(3, "fair", "只答第三问")]


def test_completing_a_measure_needs_a_past_date_and_what_was_done(site, inspection, login):
    m = services.add_measure(site.secretary, inspection_pk=inspection.pk, question=2, problem="超期", goal="超期清零",
                             task="销号", action="调度", due=date(2026, 11, 10))  # fmt: skip
    c = login(site.secretary)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    for data, field, message in (({"done_on": tomorrow, "result": "已清零"}, "done_on", "完成日期不能晚于今天"),
                                 ({"done_on": "2026-11-09", "result": " "}, "result", "请写明完成情况")):  # fmt: skip
        page = c.post(f"/selfcheck/measures/{m.pk}/done/", data)
        html = page.content.decode()
        assert page.status_code == 422 and message in html
        assert f'value="{data["done_on"]}"' in html  # what was typed stays
        api = c.post(f"/api/selfcheck/measures/{m.pk}/done", data, content_type="application/json")
        assert api.status_code == 422 and api.json()["errors"] == {field: [message]}
    m.refresh_from_db()
    assert m.done_on is None


def test_a_return_without_a_reason(site, inspection, login):
    Inspection.objects.filter(pk=inspection.pk).update(status="submitted")
    c = login(site.committee_user)
    page = c.post(f"/selfcheck/i/{inspection.pk}/return/", {"note": "  "})
    assert page.status_code == 422 and "请写明退回的理由" in page.content.decode()
    api = c.post(f"/api/selfcheck/inspections/{inspection.pk}/return", {"note": "  "}, content_type="application/json")
    assert api.status_code == 422 and api.json()["errors"] == {"note": ["请写明退回的理由"]}
    page = c.post(f"/selfcheck/i/{inspection.pk}/return/", {"note": "措施不具体", "version": "x"})
    assert page.status_code == 422 and "该表单已失效" in page.content.decode()
