"""The inputs of 基层班子建设, each declared once: the pages bind these forms to the POST, the API to its schema's
values (``common.inputs.body``); ``common.inputs.clean`` hands the service typed keyword arguments.

Ids become records here (``ModelField``); whether a record may be used — a person of this branch, an org the user
keeps — is the service's domain check, with the same message."""

from django import forms

from common.inputs import LinesField, ModelField, ModelsField, chars, choice, day, number, token
from leadership.models import (
    Criticism,
    CriticismKind,
    DecisionMode,
    Grade,
    LifeMeeting,
    MeetingKind,
    Presence,
    TeamKind,
)
from orgs.models import OrgNode, Person

ORG = "请选择您负责的组织"


def _org(message=ORG):
    return ModelField(OrgNode.objects.all(), message)


def _person(label, required=True):
    return ModelField(Person.objects.all(), f"请选择本支部的{label}", required=required)


def _year():
    return number("年度", 2000, 2100, message="年度不正确")


# ---------------------------------------------------------------- the team


class TeamForm(forms.Form):
    org = _org()
    kind = choice("班子类型", TeamKind.choices)
    elected_on = day("选举/组建日期", past=True)
    term_years = number("任期", 1, 10, required=False, message="任期应为 1–10 年")
    note = chars("说明", 200, required=False)


class MemberForm(forms.Form):
    person = _person("人员")
    post = chars("职务", 20)
    starts_on = day("任职日期", past=True)
    duty = chars("分工", 200, required=False)


class EndMemberForm(forms.Form):
    ends_on = day("离任日期", past=True)
    reason = chars("离任原因", 100)


class DutyForm(forms.Form):
    area = chars("分工内容", 200)
    starts_on = day("开始日期", past=True)


# ---------------------------------------------------------------- meetings


class MeetingForm(forms.Form):
    org = _org()
    kind = choice("会议类型", MeetingKind.choices)
    date = day("日期")
    topic = chars("主题", 200)
    place = chars("地点", 100, required=False)
    host = _person("主持人", required=False)
    agenda = LinesField(label="议题", longest=200)
    token = token()


class AttendanceForm(forms.Form):
    """One status and reason per expected person (``status_<id>``, ``reason_<id>``; a missing status is 出席)."""

    minutes = chars("会议记录", 20000, required=False)

    def __init__(self, data=None, *, people, **kwargs):
        super().__init__(data, **kwargs)
        self.people = list(people)
        for pk in self.people:
            self.fields[f"status_{pk}"] = choice("出席情况", Presence.choices, required=False)
            self.fields[f"reason_{pk}"] = chars("请假原因", 200, required=False)

    @staticmethod
    def data_of(attendance, minutes):
        """The API's list of {person, status, reason} as this form's fields."""
        data = {"minutes": minutes}
        for a in attendance:
            data[f"status_{a.person}"], data[f"reason_{a.person}"] = a.status, a.reason
        return data

    def arguments(self):
        d = self.cleaned_data
        statuses = {pk: (d[f"status_{pk}"] or Presence.PRESENT, d[f"reason_{pk}"]) for pk in self.people}
        return {"statuses": statuses, "minutes": d["minutes"]}


class DecisionForm(forms.Form):
    text = chars("决议事项", 300)
    mode = choice("决策方式", DecisionMode.choices)
    owner = _person("责任人")
    deadline = day("完成期限")
    token = token()


class DoneForm(forms.Form):
    note = chars("完成情况", 300)
    done_on = day("完成日期", required=False, past=True)


# ---------------------------------------------------------------- 组织生活会


class LifeForm(forms.Form):
    org = _org()
    year = _year()
    theme = chars("会议主题", 200)
    participants = ModelsField(Person.objects.all(), "参会人员须是本支部人员")
    anonymous_criticism = forms.BooleanField(required=False)


class LifeUpdateForm(forms.Form):
    study = chars("会前学习内容", 5000, required=False)
    date = day("召开日期", required=False)
    minutes = chars("会议记录", 20000, required=False)
    anonymous_criticism = forms.BooleanField(required=False)


class OpinionForm(forms.Form):
    source = chars("征求渠道", 60)
    count = number("意见条数", 1, 9999, message="意见条数应为正整数")
    summary = chars("意见摘要", 5000)
    token = token()


class CriticismForm(forms.Form):
    target = ModelField(Person.objects.all(), "请选择参会人员")
    kind = choice("类型", CriticismKind.choices)
    text = chars("内容", 5000)
    giver = ModelField(Person.objects.all(), "请选择提出批评的参会人员", required=False)
    token = token()


class RectificationForm(forms.Form):
    problem = chars("问题", 300)
    measure = chars("整改措施", 300)
    owner = ModelField(Person.objects.all(), "请选择参会人员作为责任人")
    deadline = day("整改期限")
    criticism = ModelField(Criticism.objects.all(), "请选择本次会议的批评意见", required=False)
    token = token()


class EvidenceForm(forms.Form):
    evidence = chars("整改成效/佐证", 5000)
    done_on = day("完成日期", required=False, past=True)


# ---------------------------------------------------------------- 民主评议党员


class AppraisalForm(forms.Form):
    org = _org()
    year = _year()
    life = ModelField(LifeMeeting.objects.all(), "请选择本支部的组织生活会", required=False)


VOTES = "票数应为 0 或正整数"


class AppraisalRowForm(forms.Form):
    """One member's line of the appraisal; its fields are posted as ``<field>_<row id>``. Only ``names`` (the fields
    the current step writes: ``services.APPRAISAL_FIELDS``) are read, and of those only the ones posted."""

    self_summary = chars("内容", 5000, required=False)
    mutual_notes = chars("内容", 5000, required=False)
    votes_excellent = number("票数", 0, 9999, required=False, message=VOTES)
    votes_qualified = number("票数", 0, 9999, required=False, message=VOTES)
    votes_basic = number("票数", 0, 9999, required=False, message=VOTES)
    votes_unqualified = number("票数", 0, 9999, required=False, message=VOTES)
    grade = choice("评定意见", Grade.choices)

    def __init__(self, data, *, row, names, **kwargs):
        self.row_pk = row.pk
        super().__init__(data, **kwargs)
        for name in list(self.fields):
            if name not in names or self.add_prefix(name) not in self.data:
                del self.fields[name]

    def add_prefix(self, field_name):
        return f"{field_name}_{self.row_pk}"

    def arguments(self):
        return {k: (0 if v is None and k.startswith("votes_") else v) for k, v in self.cleaned_data.items()}


# ---------------------------------------------------------------- notices and reports


class NoticeForm(forms.Form):
    org = _org()
    title = chars("标题", 100)
    body = chars("正文", 20000)
    targets = ModelsField(OrgNode.objects.all(), "接收单位须在发文组织之下")
    token = token()


class ReportForm(forms.Form):
    org = _org()
    title = chars("标题", 100)
    body = chars("报告内容", 20000)
    token = token()


class ReplyForm(forms.Form):
    reply = chars("答复", 5000)
