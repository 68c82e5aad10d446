"""Field validation for people and organisations, shared by pages, the API and the Excel import."""

import re
from datetime import date

from django import forms
from django.utils import timezone

from orgs.models import JobType, OrgKind, OrgNode, Person, PoliticalStatus, WorkStatus

ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")
PHONE_RE = re.compile(r"^1\d{10}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

WORK_UNIT_KINDS = (OrgKind.TEAM, OrgKind.UNIT)
PARTY_UNIT_KINDS = (OrgKind.BRANCH, OrgKind.PARTY_GROUP)
EMP_NO_WORDS = "工号只能包含字母、数字和连字符,最长20位"


def clean_id_number(value):
    value = (value or "").strip().upper()
    if not value:
        return ""
    if not ID_NUMBER_RE.match(value):
        raise forms.ValidationError("身份证号应为18位(最后一位可为X)")
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS))
    if ID_CHECK[total % 11] != value[17]:
        raise forms.ValidationError("身份证号校验位不正确")
    return value


def clean_phone(value):
    value = re.sub(r"[\s-]", "", value or "")
    if value and not PHONE_RE.match(value):
        raise forms.ValidationError("手机号应为以1开头的11位数字")
    return value


class PersonRules:
    """The rules of a person's own fields, in the words both the page (``PersonForm``) and a row of the roster file
    (``PersonRowForm``) say."""

    def clean_emp_no(self):
        value = self.cleaned_data["emp_no"].strip()
        if not re.match(r"^[0-9A-Za-z-]{1,20}$", value):
            raise forms.ValidationError(EMP_NO_WORDS)
        return value

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number")
        stored = getattr(self, "instance", None)
        if stored is not None and stored.pk and (value or "").strip().upper() == (stored.id_number or "").upper():
            return stored.id_number  # kept as stored (the demo's numbers fail the check digit on purpose)
        return clean_id_number(value)

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone"))

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        birth, hire = data.get("birth_date"), data.get("hire_date")
        if birth and (birth > today or birth < date(1930, 1, 1)):
            self.add_error("birth_date", "出生日期不合理")
        if hire and hire > today:
            self.add_error("hire_date", "入职日期不能晚于今天")
        if birth and hire and hire < birth:
            self.add_error("hire_date", "入职日期不能早于出生日期")
        status = data.get("political_status")
        if status in (PoliticalStatus.MASSES, PoliticalStatus.LEAGUE) and data.get("party_join_date"):
            self.add_error("party_join_date", "非党员不应填写入党日期")
        return data


class PersonForm(PersonRules, forms.ModelForm):
    """Validates a person's fields. ``org`` and ``party_org`` are limited to what the user manages."""

    class Meta:
        model = Person
        fields = [
            "emp_no",
            "name",
            "gender",
            "birth_date",
            "id_number",
            "phone",
            "address",
            "hire_date",
            "job_type",
            "post",
            "org",
            "political_status",
            "party_join_date",
            "party_org",
            "work_status",
            "family_notes",
            "thoughts_notes",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "hire_date": forms.DateInput(attrs={"type": "date"}),
            "party_join_date": forms.DateInput(attrs={"type": "date"}),
            "family_notes": forms.Textarea(attrs={"rows": 3}),
            "thoughts_notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            field: {"required": "必填", "invalid_choice": "不在可选范围内", "invalid": "格式不正确"}
            for field in ["emp_no", "name", "gender", "hire_date", "job_type", "org", "political_status"]
        }
        # the words a page and a row of the roster file both say (the import binds PersonRowForm to each row)
        error_messages["emp_no"]["max_length"] = EMP_NO_WORDS
        error_messages["gender"]["invalid_choice"] = "“%(value)s”不是有效的性别,填写 男 或 女"
        error_messages["political_status"]["invalid_choice"] = "“%(value)s”不是有效的政治面貌"
        error_messages["work_status"] = {"required": "必填", "invalid_choice": "“%(value)s”不是有效的在岗状态"}
        for field in ("birth_date", "hire_date", "party_join_date"):
            error_messages.setdefault(field, {})["invalid"] = "日期格式不正确,请填写如 2015-07-01"
        for field in ("name", "address", "post"):
            error_messages.setdefault(field, {})["max_length"] = "不能超过 %(limit_value)d 个字"

    def __init__(self, *args, org_choices=None, show_sensitive=True, **kwargs):
        super().__init__(*args, **kwargs)
        nodes = org_choices if org_choices is not None else OrgNode.objects.all()
        if "org" in self.fields:  # PersonRowForm has no record fields
            self.fields["org"].queryset = nodes.filter(kind__in=WORK_UNIT_KINDS)
            self.fields["party_org"].queryset = nodes.filter(kind__in=PARTY_UNIT_KINDS)
            self.fields["job_type"].queryset = JobType.objects.all()
        if not show_sensitive:
            for name in ("id_number", "phone", "address", "family_notes", "thoughts_notes"):
                self.fields.pop(name, None)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        org, party_org = data.get("org"), data.get("party_org")
        if org and party_org and org.mine != party_org.mine:
            self.add_error("party_org", "党组织与所在班组不属于同一个矿")
        if org:
            mine = org.mine
            emp_no = data.get("emp_no")
            if mine is None:
                self.add_error("org", "所在班组不在任何矿下")
            elif emp_no:
                clash = Person.objects.filter(mine=mine, emp_no=emp_no)
                if self.instance.pk:
                    clash = clash.exclude(pk=self.instance.pk)
                if clash.exists():
                    self.add_error("emp_no", f"工号 {emp_no} 在本矿已存在")
        return data


ROW_FIELDS = ("emp_no", "name", "gender", "birth_date", "id_number", "phone", "address", "hire_date", "post",
              "political_status", "party_join_date", "work_status")  # fmt: skip


class PersonRowForm(PersonRules, forms.Form):
    """A row of the roster file, checked by the page's own fields (``PersonForm``'s, with their words) and rules —
    but for the three that name records (工种, 区队/班组, 党组织): the import finds those by name in what it read
    once per file, so a row costs no query (``orgs.roster_excel.check_rows``). Care notes never come from a file.

    One form checks every row of a file (``check``): the fields are copied once, not per row."""

    def check(self, data):
        """(errors by field, cleaned data) of one row."""
        self.data, self.is_bound = data, True
        self.full_clean()
        return self._errors, self.cleaned_data


PersonRowForm.base_fields = {name: PersonForm.base_fields[name] for name in ROW_FIELDS}


class TransferForm(forms.Form):
    date = forms.DateField(label="转岗日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))
    to_job = forms.ModelChoiceField(
        label="新工种", queryset=JobType.objects.all(), widget=forms.Select(attrs={"class": "form-select"})
    )
    to_org = forms.ModelChoiceField(
        label="新班组", queryset=OrgNode.objects.none(), widget=forms.Select(attrs={"class": "form-select"})
    )
    note = forms.CharField(
        label="说明", required=False, max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, person, org_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["to_org"].queryset = org_choices.filter(kind__in=WORK_UNIT_KINDS)
        self.fields["date"].error_messages = {"required": "必填", "invalid": "日期格式不正确"}

    def clean(self):
        data = super().clean()
        when, job, org = data.get("date"), data.get("to_job"), data.get("to_org")
        if when and when > timezone.localdate():
            self.add_error("date", "转岗日期不能晚于今天")
        if when and when < self.person.hire_date:
            self.add_error("date", "转岗日期不能早于入职日期")
        if job and org and job == self.person.job_type and org == self.person.org:
            raise forms.ValidationError("新工种和新班组与当前相同,无需转岗")
        if org and org.mine != self.person.mine:
            self.add_error("to_org", "跨矿调动请先办理调出、调入")
        return data


class PersonFilterForm(forms.Form):
    """The roster filters; used by the page, the export and the API."""

    q = forms.CharField(label="搜索", required=False)
    org = forms.IntegerField(label="组织", required=False, min_value=1, max_value=2**31 - 1)
    job_type = forms.IntegerField(label="工种", required=False, min_value=1, max_value=2**31 - 1)
    political_status = forms.ChoiceField(
        label="政治面貌",
        required=False,
        choices=[("", "全部政治面貌")] + PoliticalStatus.choices,
        widget=forms.Select(attrs={"class": "form-select", "aria-label": "政治面貌"}),
    )
    work_status = forms.ChoiceField(
        label="在岗状态",
        required=False,
        choices=[("", "全部在岗状态")] + WorkStatus.choices,
        widget=forms.Select(attrs={"class": "form-select", "aria-label": "在岗状态"}),
    )
    new_hire = forms.BooleanField(label="新入职", required=False)
    transferred = forms.BooleanField(label="转岗", required=False)
