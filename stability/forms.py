"""The inputs of ``stability``, each declared once: the pages parse with these forms and hand the services typed
keyword arguments (the API's ninja schemas do the same for JSON)."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from stability.models import (
    Channel,
    FactorTrend,
    Level,
    PetitionClass,
    PlanKind,
    Satisfaction,
    Severity,
    Shift,
    TriggerReason,
)

REQUIRED = {"required": "必填"}


def past_date(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        error_messages={"required": f"请填写{label}", "invalid": f"{label}格式不正确"},
    )


def check_past(value, label):
    if value is None:
        return value
    today = timezone.localdate()
    if value > today:
        raise ValidationError(f"{label}不能晚于今天")
    if value < today - timedelta(days=5 * 366):
        raise ValidationError(f"{label}太早了")
    return value


def errors_of(form):
    """{field: [message]} of a bound, invalid form, for ``ValidationError``."""
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


def parse(form_class, data):
    """The cleaned data of ``data``, or a ``ValidationError`` by field."""
    form = form_class(data)
    if not form.is_valid():
        raise ValidationError(errors_of(form))
    return form.cleaned_data


class PastDates(forms.Form):
    """Dates of this form (by field name) may not lie in the future."""

    past_fields = ()

    def clean(self):
        data = super().clean()
        for name in self.past_fields:
            try:
                check_past(data.get(name), self.fields[name].label)
            except ValidationError as exc:
                self.add_error(name, exc)
        return data


def chars(label, longest, required=True, min_length=None):
    return forms.CharField(
        label=label,
        max_length=longest,
        min_length=min_length,
        required=required,
        error_messages={
            "required": f"请填写{label}",
            "max_length": f"{label}最长{longest}字",
            "min_length": f"{label}至少{min_length}字",
        },
    )


def choice(label, choices, required=True):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        error_messages={"required": f"请选择{label}", "invalid_choice": f"{label}不在可选范围内"},
    )


def number(label, lo, hi, required=True):
    return forms.IntegerField(
        label=label,
        min_value=lo,
        max_value=hi,
        required=required,
        error_messages={
            "required": f"请填写{label}",
            "invalid": f"{label}应为整数",
            "min_value": f"{label}不能小于{lo}",
            "max_value": f"{label}不能大于{hi}",
        },
    )


class FactorForm(PastDates):
    past_fields = ("found_on",)
    org = forms.IntegerField(
        label="支部/单位", error_messages={"required": "请选择支部/单位", "invalid": "请选择支部/单位"}
    )
    title = chars("名称", 100, min_length=2)
    description = chars("情况描述", 4000, min_length=4)
    people_count = number("涉及人数", 1, 100000)
    people = chars("涉及人员工号", 2000, required=False)
    extent = chars("涉及范围", 200, required=False)
    severity = choice("严重程度", Severity.choices)
    leader = chars("包案领导工号", 20, required=False)
    plans = forms.TypedMultipleChoiceField(label="关联预案", coerce=int, required=False, choices=())
    found_on = past_date("发现日期")

    def __init__(self, data=None, plan_choices=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["plans"].choices = plan_choices
        self.fields["plans"].error_messages["invalid_choice"] = "预案不存在或不属于本矿"

    @classmethod
    def with_plans(cls, plan_ids):
        return lambda data: cls(data, plan_choices=[(p, p) for p in plan_ids])


class MeasureForm(forms.Form):
    text = chars("措施", 200, min_length=2)
    owner = chars("责任人工号", 20, required=False)
    due = forms.DateField(label="期限", required=False, error_messages={"invalid": "期限格式不正确"})


class AssessmentForm(PastDates):
    past_fields = ("date",)
    date = past_date("研判日期")
    judgement = chars("研判意见", 2000, min_length=2)
    trend = choice("趋势", FactorTrend.choices)


class FollowUpForm(PastDates):
    past_fields = ("date",)
    date = past_date("日期")
    text = chars("跟踪情况", 2000, min_length=2)


class NoteForm(forms.Form):
    note = chars("说明", 2000, min_length=2)


class PetitionForm(PastDates):
    past_fields = ("received_on",)
    org = forms.IntegerField(
        label="支部/单位", error_messages={"required": "请选择支部/单位", "invalid": "请选择支部/单位"}
    )
    channel = choice("渠道", Channel.choices)
    klass = choice("类别", PetitionClass.choices)
    received_on = past_date("收到日期")
    petitioner_names = chars("信访人", 200)
    people_count = number("人数", 1, 100000)
    petitioners = chars("信访人工号", 2000, required=False)
    matter = chars("信访事项", 4000, min_length=4)
    accused = chars("被检举控告人工号", 2000, required=False)

    def clean(self):
        data = super().clean()
        if data.get("accused") and data.get("klass") != PetitionClass.ACCUSATION:
            self.add_error("accused", "只有检举控告类信访才填写被检举控告人")
        return data


class DatedForm(PastDates):
    past_fields = ("date",)
    date = past_date("日期")
    note = chars("说明", 2000, required=False)


class ExtendForm(PastDates):
    past_fields = ("told_on",)
    days = number("延长日数", 1, 366)
    reason = chars("延期理由", 300, min_length=2)
    approved_by = chars("批准人", 60)
    told_on = past_date("告知信访人日期")


class AnswerForm(PastDates):
    past_fields = ("date",)
    date = past_date("答复日期")
    result = chars("办理结果", 4000, min_length=2)
    level = choice("化解层级", Level.choices)
    satisfaction = choice("满意度", Satisfaction.choices, required=False)


class PlanForm(PastDates):
    past_fields = ("issued_on", "assessed_on")
    org = forms.IntegerField(
        label="编制单位", error_messages={"required": "请选择编制单位", "invalid": "请选择编制单位"}
    )
    title = chars("名称", 100, min_length=2)
    kind = choice("类型", PlanKind.choices)
    version = chars("版本", 20)
    extent = chars("适用范围", 200)
    owner = chars("责任人工号", 20, required=False)
    issued_on = past_date("发布日期")
    assessed_on = past_date("最近评估日期", required=False)


class DrillForm(PastDates):
    past_fields = ("date",)
    date = past_date("演练日期")
    whole_mine = forms.BooleanField(label="全矿演练", required=False)
    participants = number("参演人数", 0, 100000)
    summary = chars("演练情况", 2000, required=False)
    problems = chars("发现的问题", 2000, required=False)
    major_problem = forms.BooleanField(label="发现重大问题", required=False)


class TriggerForm(PastDates):
    past_fields = ("recorded_on",)
    reason = choice("修订原因", TriggerReason.choices)
    note = chars("说明", 300, required=False)
    recorded_on = past_date("记录日期")


class ReviseForm(PastDates):
    past_fields = ("issued_on",)
    version = chars("新版本", 20)
    issued_on = past_date("发布日期")
    note = chars("修订说明", 300, required=False)


class AssessForm(PastDates):
    past_fields = ("date",)
    date = past_date("评估日期")


class ScreenDayForm(PastDates):
    past_fields = ("date",)
    date = past_date("筛查日期")


class SheetForm(PastDates):
    past_fields = ("date",)
    date = past_date("日期")
    shift = choice("班次", Shift.choices)


class CampaignForm(forms.Form):
    org = forms.IntegerField(
        label="对象单位", error_messages={"required": "请选择对象单位", "invalid": "请选择对象单位"}
    )
    title = chars("名称", 100, min_length=2)
    starts_on = forms.DateField(
        label="开始日期", error_messages={"required": "请填写开始日期", "invalid": "开始日期格式不正确"}
    )
    ends_on = forms.DateField(
        label="结束日期", error_messages={"required": "请填写结束日期", "invalid": "结束日期格式不正确"}
    )

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
