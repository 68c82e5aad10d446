"""The inputs of ``stability``, each declared once: the pages bind these forms to the POST, the API to its schema's
values (``common.inputs.body``); ``common.inputs.parse`` hands the services typed keyword arguments."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from common.inputs import NUL, ModelField, ModelsField, chars, choice, day, number, token
from orgs.models import OrgNode
from stability.models import (
    Channel,
    EmergencyPlan,
    FactorTrend,
    Level,
    PetitionClass,
    PlanKind,
    Satisfaction,
    ScreenResult,
    Severity,
    Shift,
    TriggerReason,
)

CODES_MAX = 500


class CodesField(forms.CharField):
    """工号 typed in one box, split by spaces, commas, 、 or ; — each once, at most ``most``. Whether each is a
    person of the mine is the service's check (``services.people_by_emp_no``)."""

    def __init__(self, label, longest=2000, most=CODES_MAX, too_many=None):
        self.longest, self.most = longest, most
        self.too_many = too_many or f"一次最多填写{most}个工号"
        super().__init__(label=label, required=False)

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            value = " ".join(str(v) for v in value)
        text = super().to_python(value)
        if len(text) > self.longest:
            raise ValidationError(f"{self.label}最长{self.longest}字")
        if "\x00" in text:
            raise ValidationError(NUL["null_characters_not_allowed"])
        for sep in (",", ",", "、", ";", ";"):
            text = text.replace(sep, " ")
        codes = list(dict.fromkeys(text.split()))
        if len(codes) > self.most:
            raise ValidationError(self.too_many)
        return codes

    def run_validators(self, value):
        pass  # length and NUL were checked on the typed text


class OneCodeField(CodesField):
    """One 工号, or "" when empty (for ``services.person_by_emp_no``)."""

    def __init__(self, label):
        super().__init__(label, longest=20, most=1, too_many="只能填写一个工号")

    def to_python(self, value):
        codes = super().to_python(value)
        return codes[0] if codes else ""


def one_code(label):
    return OneCodeField(label)


def _org(label):
    return ModelField(OrgNode.objects.all(), f"请选择{label}")


def _past(label, required=True):
    return day(label, required=required, past=True, years_back=5)


class FactorForm(forms.Form):
    org = _org("支部/单位")
    title = chars("名称", 100, min_length=2)
    description = chars("情况描述", 4000, min_length=4)
    people_count = number("涉及人数", 1, 100000)
    people = CodesField("涉及人员工号")
    extent = chars("涉及范围", 200, required=False)
    severity = choice("严重程度", Severity.choices)
    leader = one_code("包案领导工号")
    plans = ModelsField(EmergencyPlan.objects.all(), "预案不存在或不属于本矿")
    found_on = _past("发现日期")
    token = token()


class MeasureForm(forms.Form):
    text = chars("措施", 200, min_length=2)
    owner = one_code("责任人工号")
    due = day("期限", required=False)


class AssessmentForm(forms.Form):
    date = _past("研判日期")
    judgement = chars("研判意见", 2000, min_length=2)
    trend = choice("趋势", FactorTrend.choices)


class FollowUpForm(forms.Form):
    date = _past("日期")
    text = chars("跟踪情况", 2000, min_length=2)


class NoteForm(forms.Form):
    note = chars("说明", 2000, min_length=2)


class PetitionForm(forms.Form):
    org = _org("支部/单位")
    channel = choice("渠道", Channel.choices)
    klass = choice("类别", PetitionClass.choices)
    received_on = _past("收到日期")
    petitioner_names = chars("信访人", 200)
    people_count = number("人数", 1, 100000)
    petitioners = CodesField("信访人工号")
    matter = chars("信访事项", 4000, min_length=4)
    accused = CodesField("被检举控告人工号")
    token = token()

    def clean(self):
        data = super().clean()
        if data.get("accused") and data.get("klass") != PetitionClass.ACCUSATION:
            self.add_error("accused", "只有检举控告类信访才填写被检举控告人")
        return data


class DatedForm(forms.Form):
    date = _past("日期")
    note = chars("说明", 2000, required=False)


class ExtendForm(forms.Form):
    days = number("延长日数", 1, 366)
    reason = chars("延期理由", 300, min_length=2)
    approved_by = chars("批准人", 60)
    told_on = _past("告知信访人日期")


class AnswerForm(forms.Form):
    date = _past("答复日期")
    result = chars("办理结果", 4000, min_length=2)
    level = choice("化解层级", Level.choices)
    satisfaction = choice("满意度", Satisfaction.choices, required=False)


class PlanForm(forms.Form):
    org = _org("编制单位")
    title = chars("名称", 100, min_length=2)
    kind = choice("类型", PlanKind.choices)
    version = chars("版本", 20)
    extent = chars("适用范围", 200)
    owner = one_code("责任人工号")
    issued_on = _past("发布日期")
    assessed_on = _past("最近评估日期", required=False)


class DrillForm(forms.Form):
    date = _past("演练日期")
    whole_mine = forms.BooleanField(label="全矿演练", required=False)
    participants = number("参演人数", 0, 100000)
    summary = chars("演练情况", 2000, required=False)
    problems = chars("发现的问题", 2000, required=False)
    major_problem = forms.BooleanField(label="发现重大问题", required=False)
    token = token()


class TriggerForm(forms.Form):
    reason = choice("修订原因", TriggerReason.choices)
    note = chars("说明", 300, required=False)
    recorded_on = _past("记录日期")


class ReviseForm(forms.Form):
    version = chars("新版本", 20)
    issued_on = _past("发布日期")
    note = chars("修订说明", 300, required=False)


class AssessForm(forms.Form):
    date = _past("评估日期")


class ScreenDayForm(forms.Form):
    date = _past("筛查日期")


class SheetForm(forms.Form):
    date = _past("日期")
    shift = choice("班次", Shift.choices)


class CampaignForm(forms.Form):
    org = _org("对象单位")
    title = chars("名称", 100, min_length=2)
    starts_on = day("开始日期")
    ends_on = day("结束日期")

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "结束日期不能早于开始日期")
        return data


class SettingsForm(forms.Form):
    major_people = number("人数达到即为重大(人)", 2, 10000)
    follow_up_days = number("重大因素书记跟踪间隔(天)", 1, 90)
    accept_days = number("受理告知期限(日)", 1, 15)
    handle_days = number("办理期限(日,自受理)", 1, 60)
    extend_days = number("延期最多(日,一次)", 0, 30)
    review_request_days = number("请求复查/复核期限(日)", 1, 30)
    review_answer_days = number("复查/复核答复期限(日)", 1, 30)
    near_days = number("临期提示(剩余日)", 0, 30)
    roll_holidays = forms.BooleanField(label="期限末日遇休息日顺延", required=False)
    mine_drill_months = number("全矿演练间隔(月)", 1, 6)
    onsite_drill_months = number("现场处置方案演练间隔(月)", 1, 6)
    plan_drill_months = number("综合/专项预案演练间隔(月)", 1, 12)
    assessment_years = number("预案评估间隔(年)", 1, 3)
    due_soon_days = number("演练/评估提前提示(天)", 0, 180)
    health_enabled = forms.BooleanField(label="启用健康监测", required=False)
    fever_threshold = forms.DecimalField(
        label="体温异常(℃,达到)",
        min_value=37,
        max_value=38.5,
        decimal_places=1,
        error_messages={
            "required": "请填写体温阈值",
            "invalid": "应为数字",
            "min_value": "不能低于37.0",
            "max_value": "不能高于38.5",
        },
    )


class SheetValuesForm(forms.Form):
    """The lines of a team's temperature sheet: ``t<person id>`` the temperature (36.5), ``a<person id>`` absent
    (then the temperature is not read). Cleaned: ``values`` {person id: Decimal to 0.1, or None for absent}."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.people = [int(k[1:]) for k in (data or {}) if k[:1] == "t" and k[1:].isdigit() and len(k) < 20]
        for pid in self.people:
            self.fields[f"t{pid}"] = forms.CharField(required=False, max_length=10, error_messages=NUL)

    @staticmethod
    def data_of(values):
        """The API's {person id: Decimal or None} as this form's fields."""
        data = {f"t{pid}": "" if v is None else str(v) for pid, v in values.items()}
        data.update({f"a{pid}": "1" for pid, v in values.items() if v is None})
        return data

    def clean(self):
        data = super().clean()
        values = {}
        for pid in self.people:
            if self.data.get(f"a{pid}"):
                values[pid] = None
                continue
            text = data.get(f"t{pid}") or ""
            try:
                values[pid] = Decimal(text).quantize(Decimal("0.1")) if text else None
            except (InvalidOperation, ValueError):
                self.add_error(f"t{pid}", "应为数字,如 36.5")
        self.values = values
        return data

    def arguments(self):
        return {"values": self.values}


class ResultsForm(ScreenDayForm):
    """A screening day's results: ``r<person id>`` normal / abnormal (other values are not read)."""

    def arguments(self):
        results = {
            int(k[1:]): v
            for k, v in self.data.items()
            if k[:1] == "r" and k[1:].isdigit() and len(k) < 20 and v in ScreenResult.values
        }
        return {"date": self.cleaned_data["date"], "results": results}


class FollowForm(forms.Form):
    note = chars("跟进情况", 200, min_length=2)
