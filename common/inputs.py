"""Input declared once, at the edge: a Django form per input, bound to ``request.POST`` on the page and to the ninja
schema's values in the API, cleans it into the typed keyword arguments of a service.

    form = MeetingForm(request.POST)                      # the page
    form = MeetingForm(inputs.body(payload))              # the API: the schema's values, converted once
    services.create_meeting(user, **inputs.clean(form))   # cleaned, or ValidationError by field

A bad value raises Django's ``ValidationError`` with ``{field: [Chinese message]}``: the page shows it next to the
field (the form re-rendered with what was typed), the API's handler answers 422 naming the field. Services then do
only domain validation (a person of this branch, a date not before the term) and permission checks.

The field builders give every field Chinese messages that name it (``请填写主题``, ``主题最长200字``).
"""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.parsing import as_id

NUL = {"null_characters_not_allowed": "不能包含空字符"}


def errors_of(form):
    """{field: [message]} of a bound, invalid form ("__all__" for errors of the whole input)."""
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


def clean(form):
    """The service's keyword arguments from a bound form (its ``arguments()`` when it reshapes them, else the cleaned
    data), or a ``ValidationError`` by field."""
    if not form.is_valid():
        raise ValidationError(errors_of(form))
    arguments = getattr(form, "arguments", None)
    return arguments() if arguments else dict(form.cleaned_data)


def parse(form_class, data, **kwargs):
    """``clean(form_class(data, **kwargs))``."""
    return clean(form_class(data, **kwargs))


def body(payload, **extra):
    """A ninja schema's values as form data: a missing (None) value is left out, so the form reads it as empty."""
    values = payload.dict() if hasattr(payload, "dict") else dict(payload)
    return {k: v for k, v in {**values, **extra}.items() if v is not None}


# ---------------------------------------------------------------- fields with Chinese messages


def chars(label, longest, required=True, min_length=None, textarea=False):
    """Text, stripped; ``请填写…`` when required and empty, ``…最长N字`` when too long."""
    return forms.CharField(
        label=label,
        max_length=longest,
        min_length=min_length,
        required=required,
        widget=forms.Textarea if textarea else None,
        error_messages={
            "required": f"请填写{label}",
            "max_length": f"{label}最长{longest}字",
            "min_length": f"{label}至少{min_length}字",
            **NUL,
        },
    )


def choice(label, choices, required=True):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        error_messages={"required": f"请选择{label}", "invalid_choice": f"{label}不在可选范围内"},
    )


def number(label, lo, hi, required=True, message=None):
    """A whole number in [lo, hi]; ``message`` replaces the messages of a malformed or out-of-range value."""
    return forms.IntegerField(
        label=label,
        min_value=lo,
        max_value=hi,
        required=required,
        error_messages={
            "required": f"请填写{label}",
            "invalid": message or f"{label}应为整数",
            "min_value": message or f"{label}不能小于{lo}",
            "max_value": message or f"{label}不能大于{hi}",
        },
    )


class DayField(forms.DateField):
    """A date (年-月-日) from 2000 to three years ahead; ``past``: not after today; ``years_back``: not more than
    that many years ago."""

    def __init__(self, *, label, past=False, years_back=None, **kwargs):
        self.past, self.years_back = past, years_back
        messages = {"required": f"请填写{label}", "invalid": f"{label}格式不正确,应为 年-月-日"}
        super().__init__(label=label, error_messages=messages, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        today = timezone.localdate()
        if self.past and value > today:
            raise ValidationError(f"{self.label}不能晚于今天")
        if value.year < 2000 or value > today + timedelta(days=3 * 366):
            raise ValidationError(f"{self.label}超出可选范围")
        if self.years_back and value < today - timedelta(days=self.years_back * 366):
            raise ValidationError(f"{self.label}太早了")


def day(label, required=True, past=False, years_back=None):
    return DayField(label=label, required=required, past=past, years_back=years_back)


class ModelField(forms.ModelChoiceField):
    """One record by its id (a posted string or the API's int); a malformed, unknown or unoffered id is ``message``
    (the same words either way: an id outside the user's reach is not told apart from one that does not exist)."""

    def __init__(self, queryset, message, **kwargs):
        kwargs.setdefault("required", True)
        super().__init__(queryset, error_messages={"required": message, "invalid_choice": message}, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        pk = as_id(value.pk if isinstance(value, self.queryset.model) else value)
        if pk is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(pk)


class ModelsField(forms.ModelMultipleChoiceField):
    """Several records by id: a list (the API, a multiple select) or one string of ids split by spaces or commas.
    The records in the order given, each once; any unknown id is ``message``."""

    def __init__(self, queryset, message, **kwargs):
        kwargs.setdefault("required", False)
        messages = {
            "required": message,
            "invalid_choice": message,
            "invalid_pk_value": message,
            "invalid_list": message,
        }
        super().__init__(queryset, error_messages=messages, **kwargs)

    def clean(self, value):
        if isinstance(value, (str, int)):
            value = [value]
        parts = [part for v in value or [] for part in str(v).replace(",", " ").split()]
        ids = []
        for v in parts:
            pk = as_id(v)
            if pk is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            if pk not in ids:
                ids.append(pk)
        if not ids:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        found = {o.pk: o for o in self.queryset.filter(pk__in=ids)}
        if len(found) != len(ids):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return [found[pk] for pk in ids]


class LinesField(forms.Field):
    """Lines of text: a textarea (one a line) or the API's list of strings. Stripped, empty lines dropped; each at
    most ``longest`` characters, at most ``most`` lines."""

    def __init__(self, *, label, longest, most=50, **kwargs):
        kwargs.setdefault("required", False)
        self.longest, self.most = longest, most
        super().__init__(label=label, widget=forms.Textarea, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return []
        items = value.splitlines() if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)):
            raise ValidationError(f"{self.label}格式不正确")
        lines = [str(t).strip() for t in items if str(t).strip()]
        if any("\x00" in t for t in lines):
            raise ValidationError(NUL["null_characters_not_allowed"])
        if any(len(t) > self.longest for t in lines):
            raise ValidationError(f"每个{self.label}最长{self.longest}字")
        if len(lines) > self.most:
            raise ValidationError(f"{self.label}最多{self.most}个")
        return lines


def token():
    """The form token (one record per token: a double tap or a retry answers with the first one)."""
    return forms.CharField(required=False, max_length=40, error_messages={"max_length": "表单已过期,请重新提交", **NUL})
