"""The inputs of the 六个反问 self-inspection, each declared once: the pages bind these forms to the POST, the API to
its schema's values (``common.inputs.body``); ``common.inputs.parse`` hands the services typed keyword arguments.

Whether a record may be used — a mine the user's committee keeps, a 期限 not before the period — is the service's
check."""

from django import forms

from common.inputs import ModelField, chars, choice, day, number
from orgs.models import OrgKind, OrgNode
from selfcheck.models import QUESTIONS, PeriodKind, SelfRating

RATING = "请选择 好 / 较好 / 一般 / 差"
QUESTION = "请选择对应的反问"


def _required(label, longest, message):
    field = chars(label, longest)
    field.error_messages["required"] = message
    return field


class PeriodForm(forms.Form):
    mine = ModelField(OrgNode.objects.filter(kind=OrgKind.MINE), "请选择矿")
    kind = choice("周期", PeriodKind.choices)
    start = day("开始日期")
    end = day("结束日期")
    due = day("提交期限")
    name = chars("名称", 40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].error_messages.update(required="请选择月度或季度", invalid_choice="请选择月度或季度")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "结束日期不能早于开始日期")
        return data


class AnswersForm(forms.Form):
    """The six answers: ``rating_<q>`` (好 / 较好 / 一般 / 差, or none yet) and ``narrative_<q>`` (查摆情况). Only
    the questions posted are read (the API may send some of them); cleaned: ``answers`` {q: (rating, narrative)}."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.questions = [q for q in QUESTIONS if f"rating_{q}" in (data or {}) or f"narrative_{q}" in (data or {})]
        for q in self.questions:
            self.fields[f"rating_{q}"] = forms.ChoiceField(
                choices=[("", "—"), *SelfRating.choices],
                required=False,
                error_messages={"invalid_choice": f"第{q}问:{RATING}"},
            )
            self.fields[f"narrative_{q}"] = chars(f"第{q}问的查摆情况", 4000, required=False)

    @staticmethod
    def data_of(answers):
        """The API's list of {question, rating, narrative} as this form's fields."""
        data = {}
        for a in answers:
            data[f"rating_{a.question}"], data[f"narrative_{a.question}"] = a.rating, a.narrative
        return data

    def arguments(self):
        d = self.cleaned_data
        return {"answers": {q: (d[f"rating_{q}"], d[f"narrative_{q}"]) for q in self.questions}}


class MeasureForm(forms.Form):
    """A problem found and its four 定: 目标, 任务, 措施, 期限."""

    question = forms.TypedChoiceField(
        choices=[(q, f"第{q}问") for q in QUESTIONS],
        coerce=int,
        error_messages={"required": QUESTION, "invalid_choice": QUESTION},
    )
    problem = chars("问题", 2000)
    goal = chars("目标", 200)
    task = chars("任务", 200)
    action = chars("措施", 2000)
    due = day("期限")


class DoneForm(forms.Form):
    done_on = day("完成日期", past=True)
    result = _required("完成情况", 2000, "请写明完成情况")


class ActForm(forms.Form):
    """A step of the review: the note (which steps require it is the table's) and the version read with the page."""

    note = chars("意见", 1000, required=False)
    version = number("版本", 1, 2**31, required=False, message="该表单已失效,请刷新页面后重新填写")
