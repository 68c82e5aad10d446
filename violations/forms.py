"""The inputs of 三违, each declared once: the pages bind these forms to the POST, the API to its schema's values
(``common.inputs.body``), the Excel import to each row (``import_row_form``: the same fields, limits and messages,
names instead of ids); ``common.inputs.clean`` hands the services typed keyword arguments.

The 工号, the severity, the place and the shift become records here, among the mine's; whether the user may record
that person is the service's domain check, with the same words (an unknown 工号 and one out of reach read alike)."""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.inputs import NUL, LinesField, ModelField, chars, choice, day, number, token
from common.parsing import as_id
from orgs.models import Person
from places.models import Location, Shift
from violations.models import AppealRole, Severity, ViolationKind, ViolationStatus

MAX_POINTS = 100
MAX_FINE = Decimal("100000")
EMP_NO_REQUIRED = "请填写违章人工号"
EMP_NO_UNKNOWN = "工号不存在或该职工不在您的管理范围内"
SEVERITY = "请选择严重程度"
LOCATION = "地点不存在或不属于本矿"
SHIFT = "班次不存在或不属于本矿"
POINTS = f"扣分须为0到{MAX_POINTS}之间的整数"
TOO_OLD = "违章日期太早了(一年以前的请用Excel导入)"


def _say(field, **messages):
    """A builder's field with some of its messages in this module's words."""
    field.error_messages.update(messages)
    return field


def money(label, message):
    """An amount of yuan in [0, 100000], to the fen; ``message`` for anything else (malformed, negative, too big)."""
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_FINE,
        max_digits=8,
        decimal_places=2,
        error_messages={
            k: message
            for k in ("invalid", "min_value", "max_value", "max_digits", "max_decimal_places", "max_whole_digits")
        },
    )


class PersonByCodeField(forms.Field):
    """A person of the mine by 工号 (unique in a mine). Whether the user may record them is the service's check,
    with the same words: an unknown 工号 and one out of reach are not told apart."""

    def __init__(self, people=None, **kwargs):
        self.people = people if people is not None else Person.objects.none()
        super().__init__(**kwargs, error_messages={"required": EMP_NO_REQUIRED})

    def to_python(self, value):
        text = str(value if value is not None else "").strip()
        if text in self.empty_values:
            return None
        person = self.find(text) if len(text) <= 20 and "\x00" not in text else None
        if person is None:
            raise ValidationError(EMP_NO_UNKNOWN)
        return person

    def find(self, emp_no):
        return self.people.filter(emp_no=emp_no).select_related("org").first()


class OptionalFlag(forms.Field):
    """A yes/no that may be left out: None when not given (the severity decides), else True or False."""

    def to_python(self, value):
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("1", "on", "true", "yes")


class IdsField(forms.Field):
    """Ids (a list, or one string split by commas or spaces); each once; a malformed one is ``message``."""

    def __init__(self, message, **kwargs):
        self.message = message
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return []
        parts = value if isinstance(value, (list, tuple)) else str(value).replace(",", " ").split()
        ids = [as_id(p) for p in parts]
        if None in ids or len(ids) > 50:
            raise ValidationError(self.message)
        return list(dict.fromkeys(ids))


def _reexam_points():
    return IdsField("复考知识点不正确")


# ---------------------------------------------------------------- recording


class RecordForm(forms.Form):
    """登记三违. ``mine``: the mine whose people (by 工号), severities, places and shifts are read.
    ``history``: an import from another system — the date is required and may be older than a year."""

    emp_no = PersonByCodeField()
    occurred_on = day("违章日期", required=False, past=True)
    kind = _say(choice("三违类型", ViolationKind.choices), required="请选择三违类型", invalid_choice="请选择三违类型")
    severity = ModelField(Severity.objects.all(), SEVERITY)
    location = ModelField(Location.objects.all(), LOCATION, required=False)
    shift = ModelField(Shift.objects.all(), SHIFT, required=False)
    description = _say(
        chars("违章情况", 2000, min_length=4, textarea=True),
        required="请描述违章情况(至少4个字)",
        min_length="请描述违章情况(至少4个字)",
    )
    clauses = chars("违反条款", 300, required=False)
    points = number("扣分", 0, MAX_POINTS, required=False, message=POINTS)
    fine = money("罚款", "罚款须为不小于0的金额(元)")
    requires_reexam = OptionalFlag(required=False)
    reexam_points = _reexam_points()
    photo = forms.FileField(
        required=False, error_messages={"empty": "照片是空文件", "invalid": "照片格式不正确", "missing": "照片未上传"}
    )
    token = token()

    history = False

    def __init__(self, data=None, files=None, *, mine=None, **kwargs):
        super().__init__(data, files, **kwargs)
        if mine is not None:
            self.fields["emp_no"].people = Person.objects.filter(mine=mine)
            for name in ("severity", "location", "shift"):
                self.fields[name].queryset = self.fields[name].queryset.filter(mine=mine)

    def clean_occurred_on(self):
        value = self.cleaned_data["occurred_on"]
        if value and not self.history and value < timezone.localdate() - timedelta(days=366):
            raise ValidationError(TOO_OLD)
        return value

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo:
            return None
        from common.uploads import clean_photo

        try:
            return clean_photo(photo, field="photo")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["photo"]) from None

    def arguments(self):
        d = dict(self.cleaned_data)
        d["person"] = d.pop("emp_no")
        if "token" in d:
            d["token"] = d["token"] or None
        return d


class ByName(forms.Field):
    """An Excel cell naming one of ``names`` ({name: value}); ``message`` (``{text}``: the cell) when it names none."""

    def __init__(self, names, message, required=True, default=None):
        self.names, self.message, self.default = names, message, default
        super().__init__(required=required, error_messages={"required": message})

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return self.default
        if text not in self.names:
            raise ValidationError(self.message.replace("{text}", text))
        return self.names[text]


class ImportedPerson(PersonByCodeField):
    """The row's 工号 among the mine's people, read once per file (``{emp_no: person}``)."""

    def __init__(self, by_code):
        super().__init__()
        self.by_code = by_code

    def find(self, emp_no):
        return self.by_code.get(emp_no)


STATUS_NAMES = {
    "有效": ViolationStatus.RECORDED,
    "已撤销": ViolationStatus.REVOKED,
    "申诉中": ViolationStatus.APPEALING,
}
KIND_NAMES = {label: value for value, label in ViolationKind.choices}


def import_row_form(*, people, severities, locations, shifts):
    """The form of one row of the 三违 import: ``RecordForm``'s fields, limits and messages (the date required, and
    allowed older than a year: it is history), where the cells name the kind, the severity, the place and the
    shift (Excel holds names, not ids), plus the status. The lookups ({name: value}, people {工号: person}) are read
    once per file; the class is made once per file, and bound once per row."""

    class ImportRowForm(RecordForm):
        history = True
        emp_no = ImportedPerson(people)
        occurred_on = day("违章日期", past=True)
        kind = ByName(KIND_NAMES, "须为 " + " / ".join(KIND_NAMES))
        severity = ByName(severities, "须为 " + " / ".join(severities))
        location = ByName(locations, "地点“{text}”不存在", required=False)
        shift = ByName(shifts, "班次“{text}”不存在", required=False)
        status = ByName(STATUS_NAMES, "须为 有效 / 已撤销", required=False, default=ViolationStatus.RECORDED)
        requires_reexam = reexam_points = photo = token = None

    return ImportRowForm


# ---------------------------------------------------------------- the appeal, 帮教, the re-exam


class ActForm(forms.Form):
    """One step of the appeal table: the form's version (a stale form answers 409) and the reason."""

    version = number("版本", 1, 2**31, required=False, message="表单已过期,请刷新页面后重试")
    note = chars("理由", 1000, required=False, textarea=True)


class HelpForm(forms.Form):
    """One 帮教 step done: the day (空 = today) and what was done."""

    done_on = day("完成日期", required=False, past=True)
    note = _say(chars("帮教情况", 500, min_length=2), required="请简要记录帮教情况", min_length="请简要记录帮教情况")


class ReexamForm(forms.Form):
    """安排复考: the knowledge points (空 = those of the person's 工种)."""

    reexam_points = _reexam_points()


# ---------------------------------------------------------------- settings


class SeverityForm(forms.Form):
    """A severity of ``mine`` added (no id) or edited; its name once per mine."""

    id = ModelField(Severity.objects.all(), "该严重程度不存在,请刷新页面", required=False)
    name = _say(
        chars("严重程度名称", 20),
        required="请填写严重程度名称(不超过20字)",
        max_length="请填写严重程度名称(不超过20字)",
    )
    serious = forms.BooleanField(required=False)
    points = number("扣分", 0, MAX_POINTS, required=False, message=POINTS)
    fine = money("罚款", "罚款须为不小于0的数字")
    help_steps = LinesField(label="帮教步骤", longest=30, most=12)
    requires_reexam = forms.BooleanField(required=False)

    def __init__(self, data=None, *, mine, **kwargs):
        super().__init__(data, **kwargs)
        self.mine = mine
        self.fields["id"].queryset = Severity.objects.filter(mine=mine)

    def clean(self):
        data = super().clean()
        name, existing = data.get("name"), data.get("id")
        taken = Severity.objects.filter(mine=self.mine, name=name).exclude(pk=existing.pk if existing else None)
        if name and taken.exists():
            self.add_error("name", name_taken(name))
        return data

    def arguments(self):
        d = dict(self.cleaned_data)
        d["severity"] = d.pop("id")
        d["points"] = d["points"] or 0
        d["fine"] = d["fine"] if d["fine"] is not None else Decimal(0)
        return d


def name_taken(name):
    return f"已有“{name}”"


class RulesForm(forms.Form):
    appeals_allowed = forms.BooleanField(required=False)
    appeal_days = number("申诉期限", 1, 60, message="申诉期限须为1到60天")
    appeal_role = _say(choice("裁决申诉的角色", AppealRole.choices), invalid_choice="请选择裁决申诉的角色")


# ---------------------------------------------------------------- the list's filters


class FilterForm(forms.Form):
    """The list's (and its ledger's) filters from the query string: a malformed filter is not applied."""

    status = choice("状态", ViolationStatus.choices, required=False)
    kind = choice("类型", ViolationKind.choices, required=False)
    severity = number("严重程度", 1, 2**63 - 1, required=False)
    location = number("地点", 1, 2**63 - 1, required=False)
    shift = number("班次", 1, 2**63 - 1, required=False)
    branch = number("党支部", 1, 2**63 - 1, required=False)
    person = forms.CharField(required=False, max_length=30, error_messages=NUL)
    person_id = number("职工", 1, 2**63 - 1, required=False)
    date_from = day("起始日期", required=False)
    date_to = day("截止日期", required=False)
    help_open = forms.BooleanField(required=False)

    def __init__(self, data=None, **kwargs):
        data = dict(data.items()) if hasattr(data, "items") else dict(data or {})
        for key, name in (("from", "date_from"), ("to", "date_to")):
            if key in data and name not in data:
                data[name] = data.pop(key)
        super().__init__(data, **kwargs)

    def filters(self):
        """The well-formed filters, typed (the malformed ones dropped)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
