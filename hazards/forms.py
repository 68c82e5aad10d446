"""The inputs of the hazard loop, each declared once: the pages bind these forms to the POST, the API to its schema's
values (``common.inputs.body``), the ledger import to each row (``ImportRowForm``: the same fields with the same
limits and words, the records named as the other system names them); ``common.inputs.parse`` hands the services
typed keyword arguments.

Ids become records here (``ModelField``); whether a record may be used — a place of this mine still worked, a 责任人
of this mine — is the service's domain check, with the same message."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.inputs import NUL, DayField, ModelField, chars, choice, day, number, token
from common.parsing import as_id, parse_moment
from hazards.models import Category, Grade, HazardStatus, SupervisionLevel
from orgs.models import OrgKind, OrgNode, Person
from places.models import Location, Shift

FOREIGN = "{label}不存在或不属于本矿"
UNIT = "请选择本矿的责任单位(区队/班组)"
PERSON = "请选择本矿的责任人"
MEASURES = "请填写整改措施"
DESCRIPTION = "请描述隐患(至少4个字)"


def _record(queryset, label, required=True):
    """A record of the register form: ``请选择…`` when empty, ``…不存在或不属于本矿`` when unknown."""
    field = ModelField(queryset, FOREIGN.format(label=label), required=required)
    field.error_messages["required"] = f"请选择{label}"
    return field


def _description():
    field = chars("隐患描述", 2000, min_length=4)
    field.error_messages.update(required=DESCRIPTION, min_length=DESCRIPTION)
    return field


def _clause():
    return chars("违反条款", 200, required=False)


class MomentField(forms.Field):
    """A moment (the page's 年-月-日T时:分, the API's ISO time), not after now (five minutes' grace for the phone's
    clock) nor more than a year ago; None when empty."""

    def __init__(self, *, label, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(label=label, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        moment = parse_moment(value)
        if moment is None:
            raise ValidationError(f"{self.label}格式不正确")
        return moment

    def validate(self, value):
        super().validate(value)
        now = timezone.now()
        if value is not None and value > now + timedelta(minutes=5):
            raise ValidationError(f"{self.label}不能晚于现在")
        if value is not None and value < now - timedelta(days=366):
            raise ValidationError(f"{self.label}太早了")


# ---------------------------------------------------------------- registering


class HazardForm(forms.Form):
    """登记隐患 (the page and ``POST /api/hazards``)."""

    location = _record(Location.objects.all(), "地点")
    category = _record(Category.objects.all(), "专业")
    grade = _record(Grade.objects.all(), "等级")
    description = _description()
    clause = _clause()
    found_at = MomentField(label="发现时间")
    shift = _record(Shift.objects.all(), "班次", required=False)
    token = token()


# ---------------------------------------------------------------- the list's filters (the page's query, the API's, a ledger's)


class IdField(forms.IntegerField):
    """An id of a filter (a positive whole number a database id can be; ``as_id``'s rule)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        pk = as_id(value)
        if pk is None:
            raise ValidationError("编号不正确")
        return pk


class ListFilterForm(forms.Form):
    """A filter that does not read (an odd id, a malformed day) is left out: the list shows without it."""

    status = choice("状态", HazardStatus.choices, required=False)
    overdue = forms.BooleanField(required=False)
    grade = IdField(required=False)
    category = IdField(required=False)
    location = IdField(required=False)
    branch = IdField(required=False)
    finder = forms.CharField(required=False)

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["from"] = day("发现日期从", required=False)
        self.fields["to"] = day("发现日期到", required=False)

    def arguments(self):
        d = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        d["finder"] = (d.get("finder") or "")[:30]
        d["found_from"], d["found_to"] = d.pop("from", None), d.pop("to", None)
        return d


def list_filters(data):
    """The typed filters of ``services.filter_list`` from a query (the page's GET, a ledger's stored query, the API's
    values); what does not read is left out."""
    form = ListFilterForm({k: v for k, v in dict(data.items()).items() if v is not None})
    form.is_valid()
    return form.arguments()


# ---------------------------------------------------------------- transitions


class ActionForm(forms.Form):
    """What every transition posts: the version read (a stale form → 409) and the note (required by some rows: the
    kernel's rule)."""

    version = number("版本", 1, 2**31, required=False, message="表单已过期,请刷新页面后重试")
    note = chars("说明", 1000, required=False)


class AssignForm(ActionForm):
    """限时整改(五定). Empty fields are left to the transition (which of them it needs is the row's rule: in a state
    where it cannot be done the answer is 409, not a field error)."""

    responsible_unit = ModelField(OrgNode.objects.filter(kind__in=(OrgKind.UNIT, OrgKind.TEAM)), UNIT, required=False)
    responsible_person = ModelField(Person.objects.all(), PERSON, required=False)
    measures = chars("整改措施", 2000, required=False, min_length=2)
    funds = forms.DecimalField(
        label="资金",
        required=False,
        min_value=0,
        max_value=9999999999,
        max_digits=12,
        decimal_places=2,
        error_messages={
            k: "资金须为不小于0的数字"
            for k in ("invalid", "min_value", "max_value", "max_digits", "max_decimal_places")
        }
        | {"max_whole_digits": "资金须为不小于0的数字"},
    )
    deadline = day("整改期限", required=False)
    plan = chars("预案", 2000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].error_messages["min_length"] = MEASURES


class DeadlineForm(ActionForm):
    """申请延期 (may name the deadline asked for) and 批准延期 (the deadline granted; empty: the one asked for)."""

    deadline = day("新期限", required=False)


ACTION_FORMS = {"assign": AssignForm, "request_extension": DeadlineForm, "approve_extension": DeadlineForm}


def action_form(action):
    """The form of a transition's input (``ActionForm`` for those that take only the version and a note)."""
    return ACTION_FORMS.get(action, ActionForm)


# ---------------------------------------------------------------- master data (the 设置 page)


def _name(label, longest):
    field = chars(f"{label}名称", longest)
    message = f"{label}名称必填,最长{longest}字"
    field.error_messages.update(required=message, max_length=message)
    return field


def _pk():
    """The id of the mine's record being edited; the service reads it in the mine (another mine's is 404)."""
    return number("编号", 1, 2**63 - 1, message="记录不存在")


class LocationForm(forms.Form):
    unit = ModelField(OrgNode.objects.filter(kind=OrgKind.UNIT), "请选择所属区队")
    kind = choice("类型", Location._meta.get_field("kind").choices)
    name = _name("地点", 80)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].error_messages["invalid_choice"] = "请选择类型"


class ToggleForm(forms.Form):
    pk = _pk()


def named_form(label, longest=20):
    """A new 专业 or 班次 (``name``)."""
    return type(f"{label}Form", (forms.Form,), {"name": _name(label, longest)})


def rename_form(label, longest=20):
    return type(f"{label}RenameForm", (forms.Form,), {"pk": _pk(), "name": _name(label, longest)})


class GradeForm(forms.Form):
    grade = _pk()
    deadline_days = number("期限", 1, 365, message="期限须为 1–365 天")
    supervision = choice("督办层级", SupervisionLevel.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervision"].error_messages["invalid_choice"] = "请选择督办层级"


MASTER_FORMS = {
    "location": LocationForm,
    "location_active": ToggleForm,
    "category": named_form("专业"),
    "category_rename": rename_form("专业"),
    "shift": named_form("班次"),
    "shift_rename": rename_form("班次"),
    "grade": GradeForm,
}


# ---------------------------------------------------------------- one row of the ledger import


class NamedField(forms.Field):
    """A record of the import by the name (or 工号) the other system gives it, looked up in ``table`` ({name: value},
    the mine's records read once for the whole sheet). Empty: ``请选择…`` when required, else None."""

    def __init__(self, *, label, unknown, required=True, default=None):
        self.unknown, self.default, self.table = unknown, default, {}
        super().__init__(label=label, required=required, error_messages={"required": f"请选择{label}"})

    def to_python(self, value):
        text = str(value if value is not None else "").strip()
        if not text:
            if self.default is None:
                return None
            text = self.default
        if "\x00" in text:
            raise ValidationError(NUL["null_characters_not_allowed"])
        if text not in self.table:
            raise ValidationError(self.unknown.format(text=text))
        return self.table[text]


class CellDayField(DayField):
    """A date cell (an Excel date or a typed 年-月-日 / 年/月/日): the form's date rules, the import's reading."""

    def to_python(self, value):
        from orgs.roster_excel import parse_date

        try:
            return parse_date(None if value is None else str(value))
        except ValueError:
            raise ValidationError(f"“{value}”不是有效日期") from None


def _cell_day(label, required=False, past=False):
    return CellDayField(label=label, required=required, past=past)


STATUS_NAMES = {label: value for value, label in HazardStatus.choices} | {
    "已整改": HazardStatus.CLOSED,
    "未整改": HazardStatus.RECTIFYING,
}


class ImportRowForm(forms.Form):
    """One row of the hazard ledger (``hazards.excel``): the register form's description and clause with its limits
    and words, the records by name in the mine's ``tables`` ({field: {name: value}}), the other system's dates.
    The 排查日期 is a day not after today (a history: older than a year is fine)."""

    location = NamedField(label="地点", unknown="地点“{text}”不存在")
    category = NamedField(label="专业", unknown="专业“{text}”不存在")
    grade = NamedField(label="等级", unknown="等级“{text}”不存在")
    description = _description()
    clause = _clause()
    found = _cell_day("排查日期", required=True, past=True)
    finder = NamedField(label="发现人", unknown="本矿没有工号 {text}", required=False)
    shift = NamedField(label="班次", unknown="班次“{text}”不存在", required=False)
    status = NamedField(label="状态", unknown="状态须为 待处理 / 整改中 / 待验收 / 已销号", default="待处理")
    responsible_unit = NamedField(label="责任单位", unknown="责任单位“{text}”不存在或重名", required=False)
    responsible_person = NamedField(label="责任人", unknown="本矿没有工号 {text}", required=False)
    measures = chars("整改措施", 2000, required=False)
    deadline = _cell_day("整改期限")
    closed = _cell_day("销号日期")

    def __init__(self, data, *, tables, **kwargs):
        super().__init__(data, **kwargs)
        tables = {"status": STATUS_NAMES, **tables}
        for name, table in tables.items():
            self.fields[name].table = table

    def read(self, data):
        """This form bound to the next row (one form for the whole sheet: a new form per row would copy its fields
        every time, most of a row's cost)."""
        self.data, self._errors = data, None
        return self

    def clean(self):
        data = super().clean()
        found, deadline = data.get("found"), data.get("deadline")
        if found and deadline and deadline < found:
            self.add_error("deadline", "整改期限不能早于排查日期")
        if data.get("status") == HazardStatus.CLOSED and not data.get("closed") and "closed" not in self.errors:
            self.add_error("closed", "已销号的隐患须填写销号日期")
        return data

    def arguments(self):
        """The hazard's fields (ids; the grade as a record, for its 重大 flag)."""
        d, tz = self.cleaned_data, timezone.get_current_timezone()
        return {
            "grade": d["grade"],
            "values": {
                "location_id": d["location"],
                "category_id": d["category"],
                "grade_id": d["grade"].pk,
                "description": d["description"],
                "clause": d["clause"],
                "found_at": datetime.combine(d["found"], time(8), tzinfo=tz),
                "deadline": d["deadline"],
                "closed_at": datetime.combine(d["closed"], time(12), tzinfo=tz) if d["closed"] else None,
                "found_by_id": d["finder"],
                "shift_id": d["shift"],
                "status": d["status"],
                "responsible_unit_id": d["responsible_unit"],
                "responsible_person_id": d["responsible_person"],
                "measures": d["measures"],
            },
        }
