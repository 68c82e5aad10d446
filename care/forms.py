"""The inputs of 薄弱人物排查 and 谈心谈话, each declared once: the pages bind these forms to the POST, the API to its
schema's values (``common.inputs.body``); ``common.inputs.clean`` hands the service typed keyword arguments.

Ids become records here (``ModelField`` / ``ModelsField``); whether a record may be used — a 帮教人 of the person's
branch, a person the user may talk with, a criterion of this mine — is the service's domain check, with the same
message."""

from django import forms

from care.models import CareSettings, Criterion, HelpForm, Measure, Rule, ScreeningKind, TalkForm, Tier, Trend
from common.inputs import LinesField, ModelField, ModelsField, chars, choice, day, number, token
from common.parsing import as_id
from orgs.models import Person

HELPER = "请选择本支部的党员或班组长作为帮教人"
CRITERIA = "请至少选择一个薄弱类型"
MEASURES = "请填写至少一条帮教措施(一人一策)"
RELEASE = "请填写解除理由(转化情况)"
PARTICIPANTS = "请选择参加人"
SCREENED = "请选择排查到的职工"
TALKED = "请选择谈话对象"
TALKER = "请选择谈话人"
CRITERION = "请选择薄弱类型"


def _said(field, **messages):
    """``field`` with some of its messages replaced."""
    field.error_messages.update(messages)
    return field


def _recent(label="日期"):
    """A day of the last three years, not after today; empty: today (the service's default)."""
    return day(label, required=False, past=True, years_back=3)


def _flag():
    return forms.BooleanField(required=False)


# ---------------------------------------------------------------- suggestions


class DismissForm(forms.Form):
    reason = _said(chars("排除的理由", 300, min_length=2), min_length="请填写排除的理由")


# ---------------------------------------------------------------- the register


class EntryForm(forms.Form):
    """列入台账. ``rule``: the suggestion rules confirmed (the page's hidden fields, the API's ``rules``)."""

    tier = _said(choice("等级", Tier.choices), required="请选择等级(A/B/C)", invalid_choice="请选择等级(A/B/C)")
    criteria = ModelsField(Criterion.objects.filter(active=True), CRITERIA, required=True)
    helper = ModelField(Person.objects.all(), HELPER)
    measures = _said(LinesField(label="帮教措施", longest=200, most=20, required=True), required=MEASURES)
    reason = chars("情况说明", 2000, required=False, textarea=True)
    rule = forms.MultipleChoiceField(
        choices=Rule.choices, required=False, error_messages={"invalid_choice": "建议规则不在可选范围内"}
    )
    token = token()

    def arguments(self):
        d = dict(self.cleaned_data)
        d["rule_keys"] = d.pop("rule")
        d["token"] = d["token"] or None
        return d


class ActForm(forms.Form):
    """What every change of an entry carries: the note of the event row."""

    note = chars("说明", 1000, required=False, textarea=True)


class TierForm(ActForm):
    tier = _said(choice("等级", Tier.choices), required="请选择等级(A/B/C)", invalid_choice="请选择等级(A/B/C)")


class HelperForm(ActForm):
    helper = ModelField(Person.objects.all(), HELPER)


class MeasureForm(ActForm):
    text = chars("措施", 200)


class MeasureDoneForm(ActForm):
    measure = ModelField(Measure.objects.filter(done=False), "请选择未落实的措施")


class HelpRecordForm(ActForm):
    form = choice("帮教形式", HelpForm.choices)
    date = _recent()
    content = chars("帮教内容", 2000, textarea=True)
    token = token()

    def arguments(self):
        return {**self.cleaned_data, "token": self.cleaned_data["token"] or None}


class EvaluateForm(ActForm):
    trend = choice("评估结论", Trend.choices)
    date = _recent()


class ReleaseForm(ActForm):
    reason = _said(chars("解除理由", 1000, min_length=4, textarea=True), required=RELEASE, min_length=RELEASE)
    confirm_open = _flag()


ACTION_FORMS = {  # each change of the register (``care.services.MACHINE``) and the form its effect reads
    "tier": TierForm,
    "helper": HelperForm,
    "measure": MeasureForm,
    "measure_done": MeasureDoneForm,
    "help": HelpRecordForm,
    "evaluate": EvaluateForm,
    "release": ReleaseForm,
}


# ---------------------------------------------------------------- screenings and talks


class ScreeningForm(forms.Form):
    """排查. Each person screened has their own 情况 (``note_<id>``), for the people posted."""

    kind = choice("排查形式", ScreeningKind.choices)
    date = _recent()
    participants = ModelsField(Person.objects.all(), PARTICIPANTS, required=True)
    people = ModelsField(Person.objects.all(), SCREENED, required=True)
    concern = ModelsField(Person.objects.all(), SCREENED)
    summary = chars("情况", 2000, required=False, textarea=True)
    follow_up = chars("后续措施", 2000, required=False, textarea=True)
    token = token()

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        posted = data.getlist("people") if hasattr(data, "getlist") else (data or {}).get("people") or []
        if isinstance(posted, (str, int)):
            posted = [posted]
        for part in " ".join(map(str, posted)).replace(",", " ").split():
            if pk := as_id(part):
                self.fields[f"note_{pk}"] = chars("情况", 500, required=False)

    def arguments(self):
        d = self.cleaned_data
        people = d["people"]
        return {
            "kind": d["kind"],
            "date": d["date"],
            "participants": d["participants"],
            "people": people,
            "concerns": {p.pk for p in d["concern"]},
            "notes": {p.pk: d.get(f"note_{p.pk}", "") for p in people},
            "summary": d["summary"],
            "follow_up": d["follow_up"],
            "token": d["token"] or None,
        }


class TalkRecordForm(forms.Form):
    form = choice("谈话形式", TalkForm.choices)
    date = _recent()
    people = ModelsField(Person.objects.all(), TALKED, required=True)
    talker = ModelField(Person.objects.all(), TALKER, required=False)
    topics = chars("谈话内容", 2000, textarea=True)
    concerns = chars("反映的问题", 2000, required=False, textarea=True)
    concern = _flag()
    follow_ups = LinesField(label="跟进事项", longest=200, most=20)
    token = token()

    def arguments(self):
        return {**self.cleaned_data, "token": self.cleaned_data["token"] or None}


class CloseFollowUpForm(forms.Form):
    note = chars("说明", 200, required=False)


# ---------------------------------------------------------------- criteria catalogue and thresholds


class CriterionForm(forms.Form):
    name = chars("类型名称", 20)


class CriterionToggleForm(forms.Form):
    """The criterion by its id (``pk``) as the service's ``criterion``."""

    pk = ModelField(Criterion.objects.all(), CRITERION)

    def arguments(self):
        d = dict(self.cleaned_data)
        return {"criterion": d.pop("pk"), **d}


class CriterionRenameForm(CriterionToggleForm):
    name = chars("类型名称", 20)


THRESHOLDS = (  # (field of CareSettings, lowest, highest)
    ("recent_days", 1, 365), ("violation_days", 1, 365), ("violation_count", 1, 20), ("exam_fails", 1, 6),
    ("leave_months", 1, 36), ("concern_days", 1, 365), ("eval_days_a", 1, 90), ("eval_days_b", 1, 180), ("eval_days_c", 1, 180),
)  # fmt: skip


class ThresholdsForm(forms.Form):
    """The rules' thresholds: each one posted (left out: it keeps its value), a whole number in its range."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for key, low, high in THRESHOLDS:
            if key in (data or {}):
                message = f"须为 {low}–{high} 的整数"
                label = CareSettings._meta.get_field(key).verbose_name
                self.fields[key] = _said(number(label, low, high, message=message), required=message)


SETTINGS_FORMS = {  # the settings page's ``kind_of``
    "criterion": CriterionForm,
    "criterion_rename": CriterionRenameForm,
    "criterion_toggle": CriterionToggleForm,
    "thresholds": ThresholdsForm,
}
