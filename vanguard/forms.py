"""The inputs of 包保 / 责任区 and 党员示范岗, each declared once: the pages bind these forms to the POST, the API to its
schema's values (``common.inputs.body``); ``common.inputs.clean`` hands the service typed keyword arguments.

Ids become records here (``ModelField`` / ``ModelsField``); whether a record may be used — a party member the user
manages, a worker or a place of this mine — is the service's domain check, with the same message."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.inputs import ModelField, ModelsField, chars, choice, day
from common.parsing import parse_day
from orgs.models import Person, PoliticalStatus
from places.models import Location
from vanguard.models import Rating

MEMBER = "该职工不是您管理范围内的党员"
WORKERS = "包保对象中有不属于本矿的职工"
LOCATIONS = "责任区中有不属于本矿的地点"
HOLDER = "请选择您管理范围内的党员"
LOCATION = "地点不存在或不属于本矿"
POST_NAME = "请填写岗位名称(2到60字)"
COMMITMENTS = "请填写公开承诺"
SUMMARY = "请写明本月履诺情况"
PARTY = Person.objects.filter(political_status__in=(PoliticalStatus.MEMBER, PoliticalStatus.PROBATIONARY))


def _said(field, **messages):
    """``field`` with some of its messages replaced."""
    field.error_messages.update(messages)
    return field


def month_of(value, today=None):
    """The first day of the month written ``YYYY-MM`` (or a day of it, ``YYYY-MM-DD``); this month when empty; None
    when malformed. Also the month of the overview's query string."""
    today = today or timezone.localdate()
    if not value:
        return today.replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value)[:10]
    parsed = parse_day(text if len(text) > 7 else f"{text}-01")
    return parsed.replace(day=1) if parsed else None


class MonthField(forms.Field):
    """A month (``YYYY-MM``) as its first day, not after this month; empty: None (the service's this month)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        month = month_of(value)
        if month is None or month.year < 2000:
            raise ValidationError("月份格式不正确")
        return month

    def validate(self, value):
        super().validate(value)
        if value is not None and value > timezone.localdate().replace(day=1):
            raise ValidationError("不能为将来的月份自评")


# ---------------------------------------------------------------- 包保 / 责任区


class SetsForm(forms.Form):
    """Who and what a member answers for: 包保对象 (workers) and 责任区 (places)."""

    workers = ModelsField(Person.objects.all(), WORKERS)
    locations = ModelsField(Location.objects.all(), LOCATIONS)


class AssignForm(SetsForm):
    member = _said(ModelField(PARTY, MEMBER), required="请选择本支部的党员")
    starts_on = day("开始日期", required=False)
    ends_on = day("结束日期", required=False)
    note = chars("说明", 200, required=False)


class AdjustForm(SetsForm):
    """调整: the new sets from a day on (posted as ``from``; the service's ``from_day``)."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["from"] = day("调整日期", required=False)

    def arguments(self):
        d = dict(self.cleaned_data)
        return {"from_day": d.pop("from"), **d}


class EndForm(forms.Form):
    ends_on = day("结束日期", required=False)


# ---------------------------------------------------------------- 党员示范岗


class PostForm(forms.Form):
    name = _said(chars("岗位名称", 60, min_length=2), required=POST_NAME, min_length=POST_NAME, max_length=POST_NAME)
    holder = ModelField(PARTY, HOLDER)
    location = ModelField(Location.objects.all(), LOCATION, required=False)
    commitments = _said(
        chars("公开承诺", 2000, min_length=4, textarea=True), required=COMMITMENTS, min_length=COMMITMENTS
    )


class SelfAssessForm(forms.Form):
    month = MonthField(required=False)
    summary = _said(chars("履诺情况", 2000, min_length=4, textarea=True), required=SUMMARY, min_length=SUMMARY)
    self_rating = _said(choice("自评等级", Rating.choices), invalid_choice="请选择自评等级")


class RateForm(forms.Form):
    rating = _said(choice("评定等级", Rating.choices), invalid_choice="请选择评定等级")
    note = chars("评语", 500, required=False)
