"""专项工作: sending down, the transition table for every state × action × role, overdue, 409s, 待办, attachments."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from common.errors import Conflict, Forbidden, NotFound
from common.todos import todos_for
from frontline import services
from frontline.models import Campaign, CampaignTask, TaskStatus
from frontline.tests import helpers

pytestmark = pytest.mark.django_db
T = TaskStatus


def send(w, **extra):
    data = {
        "title": "双化双提推进",
        "description": "报告推进情况与下步措施",
        "deadline": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }
    data.update(extra)
    return helpers.create_campaign(w.committee_user, data)


def task_of(campaign, branch):
    return CampaignTask.objects.get(campaign=campaign, branch=branch)


def test_sending_reaches_every_branch_of_the_mine_once(fl):
    c = send(fl, token="c-1")
    again = send(fl, token="c-1")
    assert c.pk == again.pk and Campaign.objects.count() == 1
    assert sorted(c.tasks.values_list("branch__name", flat=True)) == sorted(["综采一区党支部", "掘进一区党支部"])
    only = send(fl, branches=[fl.other_branch.pk])
    assert list(only.tasks.values_list("branch", flat=True)) == [fl.other_branch.pk]
    with pytest.raises(ValidationError) as exc:  # the form's checks, then the service's (a branch of another mine)
        send(fl, branches=[fl.branch_b.pk], deadline=(timezone.localdate() - timedelta(days=1)).isoformat(), title="")
    assert set(exc.value.message_dict) == {"deadline", "title"}
    with pytest.raises(ValidationError) as exc:
        send(fl, branches=[fl.branch_b.pk])
    assert exc.value.message_dict == {"branches": ["所选支部不属于本矿"]}
    for user in (fl.secretary, fl.safety, fl.admin, fl.worker):
        with pytest.raises(Forbidden):
            helpers.create_campaign(user, {"title": "xx", "description": "yyyy", "deadline": timezone.localdate()})


def in_state(w, state):
    c = send(w)
    t = task_of(c, w.branch)
    if state == T.SENT:
        return t
    helpers.act_on_task(w.secretary, t.pk, "report", {"report": "已完成"})
    if state == T.REPORTED:
        return CampaignTask.objects.get(pk=t.pk)
    helpers.act_on_task(w.committee_user, t.pk, "accept" if state == T.ACCEPTED else "return", {"note": "缺少措施"})
    return CampaignTask.objects.get(pk=t.pk)


# table roles each account holds on the task of 综采一区党支部 (None: the task is out of their scope)
ROLES = {
    "secretary": {"branch"}, "branch_committee": {"branch"}, "committee_user": {"review"}, "superuser": {"branch", "review"},
    "admin": set(), "other_secretary": None, "committee_b": None, "safety": None, "worker": None, "team_leader": None,
}  # fmt: skip
DATA = {"report": {"report": "已组织学习"}, "return": {"note": "请补充措施"}, "accept": {}}


@pytest.mark.parametrize("state", list(T.values))
def test_every_state_action_and_role_against_the_table(fl, state):
    from django.db import transaction

    t = in_state(fl, state)
    for actor, roles in ROLES.items():
        for action in services.TASK_ACTIONS:
            entry = services.TASK_TRANSITIONS.get((state, action))
            expected = "404" if roles is None else "409" if entry is None else "403" if not (entry[1] & roles) else "ok"
            with transaction.atomic():
                try:
                    helpers.act_on_task(getattr(fl, actor), t.pk, action, DATA[action])
                    outcome = "ok"
                except NotFound:
                    outcome = "404"
                except Conflict as exc:
                    outcome = "409"
                    assert "不能" in exc.message
                except Forbidden:
                    outcome = "403"
                assert outcome == expected, (state, action, actor)
                after = CampaignTask.objects.get(pk=t.pk)
                if outcome == "ok":
                    assert after.status == entry[0] and after.version == t.version + 1
                    last = after.events.latest("pk")
                    assert (last.action, last.from_status, last.to_status, last.actor) == (
                        action,
                        state,
                        entry[0],
                        getattr(fl, actor),
                    )
                else:
                    assert after.status == state and after.version == t.version
                transaction.set_rollback(True)


def test_return_needs_a_reason_and_report_needs_text(fl):
    t = in_state(fl, T.SENT)
    with pytest.raises(ValidationError) as exc:
        helpers.act_on_task(fl.secretary, t.pk, "report", {"report": " "})
    assert exc.value.message_dict == {"report": ["请填写上报内容"]}
    helpers.act_on_task(fl.secretary, t.pk, "report", {"report": "已完成"})
    with pytest.raises(ValidationError) as exc:
        helpers.act_on_task(fl.committee_user, t.pk, "return", {"note": ""})
    assert exc.value.message_dict == {"note": ["请填写退回原因"]}


def urls(user):
    return [(t.url, t.title) for t in todos_for(user) if t.module == "frontline" and "/tasks/" in t.url]


def test_the_loop_with_a_return_and_the_todos(fl, login):
    c = send(fl)
    t = task_of(c, fl.branch)
    url = f"/frontline/tasks/{t.pk}/"
    assert (url, "专项工作上报:双化双提推进") in urls(fl.secretary) and any(
        u == url for u, _ in urls(fl.branch_committee)
    )
    assert (
        urls(fl.committee_user) == []
        and urls(fl.other_secretary) != []
        and all(u != url for u, _ in urls(fl.other_secretary))
    )
    client = login(fl.secretary)
    r = client.post(
        f"{url}report/",
        {
            "report": "全体党员学习完毕",
            "version": 1,
            "attachments": [SimpleUploadedFile("推进表.xlsx", b"PK\x03\x04 data")],
        },
    )
    assert r.status_code == 302
    assert all(u != url for u, _ in urls(fl.secretary))
    assert (url, "专项工作审核:双化双提推进(综采一区党支部)") in urls(fl.committee_user)
    stale = client.post(f"{url}report/", {"report": "再报一次", "version": 1})
    assert stale.status_code == 409 and "已被他人处理" in stale.content.decode()
    committee = login(fl.committee_user)
    r = committee.post(f"{url}return/", {"note": "", "version": 2})
    assert r.status_code == 422 and "请填写退回原因" in r.content.decode()
    committee.post(f"{url}return/", {"note": "请补充存在问题", "version": 2})
    assert "退回:请补充存在问题" in login(fl.secretary).get(url).content.decode()
    assert (url, "专项工作重新上报:双化双提推进") in urls(fl.secretary)  # back on the branch's 待办
    assert urls(fl.committee_user) == []
    page = committee.get(url).content.decode()
    assert "请补充存在问题" in page and "推进表.xlsx" in page
    login(fl.secretary).post(f"{url}report/", {"report": "补充了存在问题", "version": 3})
    login(fl.committee_user).post(f"{url}accept/", {"version": 4})
    task = CampaignTask.objects.get(pk=t.pk)
    assert task.status == T.ACCEPTED and [e.action for e in task.events.all()] == [
        "send",
        "report",
        "return",
        "report",
        "accept",
    ]
    labels = [e.label for e in services.TASK_MACHINE.timeline(task.events.all(), services.TASK_LABELS)]
    assert labels == ["下发", "上报", "退回", "重新上报", "审核通过"]  # the first report is no 重新上报
    assert urls(fl.secretary) == [(u, x) for u, x in urls(fl.secretary) if u != url]
    attachment = task.attachments.get()
    assert login(fl.committee_user).get(f"/frontline/attachments/{attachment.pk}/").status_code == 200
    assert login(fl.other_secretary).get(f"/frontline/attachments/{attachment.pk}/").status_code == 404


def test_attachments_are_checked(fl):
    t = in_state(fl, T.SENT)
    with pytest.raises(ValidationError) as exc:
        helpers.act_on_task(
            fl.secretary, t.pk, "report", {"report": "见附件"}, files=[SimpleUploadedFile("run.exe", b"MZ")]
        )
    assert "不支持的附件类型" in exc.value.message_dict["attachments"][0]
    assert CampaignTask.objects.get(pk=t.pk).status == T.SENT


def test_overdue_is_derived_from_the_deadline(fl):
    c = send(fl)
    t = task_of(c, fl.branch)
    assert not t.overdue and not CampaignTask.objects.overdue().exists()
    Campaign.objects.filter(pk=c.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    t = task_of(c, fl.branch)
    assert t.overdue and CampaignTask.objects.overdue().count() == 2
    todo = next(x for x in todos_for(fl.secretary) if x.url == f"/frontline/tasks/{t.pk}/")
    assert todo.urgent and todo.overdue
    helpers.act_on_task(fl.secretary, t.pk, "report", {"report": "迟报"})
    t = task_of(c, fl.branch)
    assert not t.overdue and t.late
    assert list(CampaignTask.objects.overdue().values_list("branch", flat=True)) == [fl.other_branch.pk]


def test_api_send_list_and_transitions(fl, login):
    committee = login(fl.committee_user)
    body = {
        "title": "安全月活动",
        "description": "报告活动开展情况",
        "deadline": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "token": "api-c",
    }
    r1 = committee.post("/api/frontline/campaigns", body, content_type="application/json")
    r2 = committee.post("/api/frontline/campaigns", body, content_type="application/json")
    assert (
        r1.status_code == r2.status_code == 201 and r1.json()["id"] == r2.json()["id"] and len(r1.json()["tasks"]) == 2
    )
    secretary = login(fl.secretary)
    mine = secretary.get("/api/frontline/tasks?todo=true").json()
    assert mine["count"] == 1 and mine["items"][0]["branch"] == "综采一区党支部"
    pk = mine["items"][0]["id"]
    assert secretary.get(f"/api/frontline/tasks/{pk}").json()["actions"] == ["report"]
    r = secretary.post(f"/api/frontline/tasks/{pk}/accept", {}, content_type="application/json")
    assert r.status_code == 409 and r.json()["detail"] == "任务当前状态为“待上报”,不能审核通过"
    r = secretary.post(
        f"/api/frontline/tasks/{pk}/report", {"report": "", "version": 1}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["errors"]["report"] == ["请填写上报内容"]
    r = secretary.post(
        f"/api/frontline/tasks/{pk}/report", {"report": "已开展", "version": 1}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "reported"
    assert login(fl.committee_b).get(f"/api/frontline/tasks/{pk}").status_code == 404
    progress = login(fl.committee_user).get("/api/frontline/campaigns").json()["items"][0]
    assert (progress["total"], progress["to_report"], progress["to_review"]) == (2, 1, 1)
    other = login(fl.other_secretary).get(f"/api/frontline/campaigns/{r1.json()['id']}").json()
    assert [t["branch"] for t in other["tasks"]] == ["掘进一区党支部"]  # a branch sees its own part only
