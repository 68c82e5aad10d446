"""The inputs of 红领一线工作法, each declared once: the pages bind these forms to the POST, the API to its schema's
values (``common.inputs.body``); ``common.inputs.parse`` hands the services typed keyword arguments.

Ids become records here (``ModelField`` / ``ModelsField``); whether a record may be used — a branch the user records
for, a place of the branch's mine, a person in the user's reach, a branch of the campaign's mine — is the service's
domain check, with the same message. Attachments go through ``common.uploads`` (``services.attachments``)."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.inputs import LinesField, ModelField, ModelsField, chars, choice, day, number, token
from frontline.models import SecretaryRole, TaskStatus, UrgentKind
from orgs.models import OrgKind, OrgNode, Person
from places.models import Location

MAX_PEOPLE = 30
MAX_REQUESTS = 10
MAX_TEXT = 4000
NOTE_MAX = 2000
STALE_FORM = "该表单已失效,请刷新页面后重新填写"
BRANCH = "请选择您所在的党支部"
LOCATION = "地点不存在或不属于本矿"
PEOPLE = "有人员不存在或不在您的范围内"


def _text(label, longest, least, message):
    """Required text of at least ``least`` characters; ``message`` when empty or shorter."""
    field = chars(label, longest, min_length=least)
    field.error_messages.update(required=message, min_length=message)
    return field


def _version():
    return number("版本", 1, 2**31, required=False, message=STALE_FORM)


class TextsField(LinesField):
    """Several texts posted under one name (the page's boxes, the API's list): each kept whole, empty ones dropped."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget = forms.MultipleHiddenInput()


class _Visit(forms.Form):
    """Where and when, and the people met: the diary's and the 急难险重 record's common part. An empty date is today
    (``services``); an empty place is the name of the chosen 井下地点."""

    date = day("日期", required=False, past=True, years_back=1)
    place = chars("地点", 100, required=False)
    location = ModelField(Location.objects.all(), LOCATION, required=False)
    people = ModelsField(Person.objects.all(), PEOPLE)

    def clean_people(self):
        people = self.cleaned_data["people"]
        if len(people) > MAX_PEOPLE:
            raise ValidationError(f"最多选 {MAX_PEOPLE} 人")
        return people

    def clean(self):
        data = super().clean()
        location = data.get("location")
        if not data.get("place") and "place" not in self.errors and "location" not in self.errors:
            if location is None:
                self.add_error("place", "请填写地点")
            else:
                data["place"] = location.name[:100]
        return data


class DiaryForm(_Visit):
    """记民情日记 (``services.create_entry``)."""

    branch = ModelField(OrgNode.objects.filter(kind=OrgKind.BRANCH), BRANCH, required=False)
    learned = _text("了解到的民情", MAX_TEXT, 4, "请填写了解到的民情(至少4个字)")
    action = chars("当场采取的措施", MAX_TEXT, required=False)
    concern = forms.BooleanField(required=False)
    requests = TextsField(label="诉求", longest=MAX_TEXT, most=MAX_REQUESTS)
    due = day("承诺办结日期", required=False)
    token = token()

    def clean(self):
        data = super().clean()
        due, visited = data.get("due"), data.get("date") or timezone.localdate()
        if due and due < visited:
            self.add_error("due", "承诺办结日期不能早于走访日期")
        return data


class DiaryEditForm(_Visit):
    """修改民情日记 (``services.update_entry``): the version read with the form (a stale one is 409)."""

    version = _version()
    learned = _text("了解到的民情", MAX_TEXT, 4, "请填写了解到的民情(至少4个字)")
    action = chars("当场采取的措施", MAX_TEXT, required=False)
    concern = forms.BooleanField(required=False)


class RequestForm(forms.Form):
    """A 诉求 heard later on (``services.add_request``)."""

    problem = _text("诉求内容", MAX_TEXT, 2, "请填写诉求内容")
    due = day("承诺办结日期", required=False)
    token = token()


class StepForm(forms.Form):
    """One step of a 诉求 or a 专项工作 task: its text (which steps require it, and its message, is the table's) and
    the version read with the form."""

    version = _version()
    note = chars("说明", NOTE_MAX, required=False)


class ReportForm(StepForm):
    """上报 a 专项工作 task: the report (the attachments are read by ``common.uploads``)."""

    report = _text("上报内容", MAX_TEXT, 2, "请填写上报内容")


TASK_FORMS = {"report": ReportForm}  # the input each task action reads (the others: StepForm)


def task_form(action):
    return TASK_FORMS.get(action, StepForm)


class UrgentForm(_Visit):
    """记录急难险重任务 (``services.create_urgent``)."""

    branch = ModelField(OrgNode.objects.filter(kind=OrgKind.BRANCH), BRANCH, required=False)
    title = _text("任务名称", 100, 2, "请填写任务名称")
    kind = choice("类别", UrgentKind.choices)
    role = choice("书记的角色", SecretaryRole.choices, required=False)
    content = chars("任务内容", MAX_TEXT, required=False)
    result = _text("任务结果", MAX_TEXT, 2, "请填写任务结果")
    token = token()

    def clean_role(self):
        return self.cleaned_data["role"] or SecretaryRole.HANDS_ON


class CampaignForm(forms.Form):
    """下发专项工作 (``services.create_campaign``): no branches chosen = every branch of the mine."""

    mine = ModelField(OrgNode.objects.filter(kind=OrgKind.MINE), "请选择您所在的矿", required=False)
    title = _text("标题", 100, 2, "请填写标题")
    description = _text("工作要求", MAX_TEXT, 4, "请填写工作要求(至少4个字)")
    deadline = day("上报期限")
    branches = ModelsField(OrgNode.objects.filter(kind=OrgKind.BRANCH), "所选支部不属于本矿")
    token = token()

    def clean_deadline(self):
        deadline, today = self.cleaned_data["deadline"], timezone.localdate()
        if deadline < today:
            raise ValidationError("上报期限不能早于今天")
        if deadline > today + timedelta(days=366):
            raise ValidationError("上报期限不能超过一年")
        return deadline


# ---------------------------------------------------------------- the lists' filters (query strings)


class _Filters(forms.Form):
    """A list's filters, from its query string (the page) or the API's query schema: a malformed value is left out
    (a filter narrows a list; there is nothing to refuse). ``values()``: the service's keyword arguments."""

    renamed = {"from": "start", "to": "end"}

    def values(self):
        self.is_valid()
        out = {}
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            out[self.renamed.get(name, name)] = field.clean(None) if value is None else value
        return out


def _words():
    return forms.CharField(required=False, max_length=200)


def _id():
    return forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class FlagField(forms.Field):
    """A list's flag: ``?concern=1`` (the page) or true (the API); anything else is off."""

    def __init__(self):
        super().__init__(required=False)

    def to_python(self, value):
        return str(value).strip().lower() in ("1", "true", "on", "yes", "是")


def _dates(form_class):
    form_class.base_fields["from"] = forms.DateField(required=False)
    form_class.base_fields["to"] = forms.DateField(required=False)
    return form_class


@_dates
class DiaryFilters(_Filters):
    q = _words()
    person = _id()
    branch = _id()
    concern = FlagField()
    open = FlagField()

    def clean_q(self):
        return self.cleaned_data["q"][:50]


@_dates
class UrgentFilters(_Filters):
    q = _words()
    kind = forms.ChoiceField(required=False, choices=UrgentKind.choices)
    branch = _id()

    def clean_q(self):
        return self.cleaned_data["q"][:50]


class TaskFilters(_Filters):
    status = forms.ChoiceField(required=False, choices=TaskStatus.choices)
    overdue = FlagField()
    todo = FlagField()
    campaign = _id()
    branch = _id()
