"""The inputs of the scorecard (履职评价) and the 二十字 evaluation, each declared once (``leadership.forms`` is the
model): the pages bind these forms to the POST; ``common.inputs.clean`` hands the service typed keyword arguments.

Ids become records here (``ModelField``); whether a record may be used — a mine the user manages, a branch of the
scheme's mine, a branch the user may report on — is the service's domain check (out of reach: 404, as before)."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from common.inputs import ModelField, chars, choice, day, number
from orgs.models import OrgKind, OrgNode
from scorecard.models import CRITERIA, Rating

EVIDENCE = 2000


def _branch(message="请选择党支部"):
    return ModelField(OrgNode.objects.filter(kind=OrgKind.BRANCH), message)


class MonthField(forms.CharField):
    """A month as 年-月 (the first day of it); anything else ``请选择月份(如 2026-10)``."""

    def __init__(self, **kwargs):
        super().__init__(max_length=20, error_messages={"required": "请选择月份(如 2026-10)"}, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        try:
            year, month = (int(x) for x in text.strip().split("-")[:2])
            return date(year, month, 1)
        except ValueError:
            raise ValidationError("请选择月份(如 2026-10)")


class SchemeNewForm(forms.Form):
    """The example scheme of a mine for a period (the committee)."""

    mine = ModelField(OrgNode.objects.filter(kind=OrgKind.MINE), "请选择矿")
    start = day("考核期开始日期")
    end = day("考核期结束日期")

    def clean(self):
        d = super().clean()
        if d.get("start") and d.get("end") and d["end"] < d["start"]:
            self.add_error("end", "结束日期不能早于开始日期")
        return d


class WeightsForm(forms.Form):
    """The committee's weights and targets of a scheme: ``cw_<component>``, ``iw_<scheme indicator>`` (whole numbers)
    and ``it_<scheme indicator>`` (a number, empty for the indicator's default). A field not posted is left as it is;
    a target posted empty goes back to the default."""

    def __init__(self, data=None, *, components, **kwargs):
        super().__init__(data, **kwargs)
        for c in components:
            self.fields[f"cw_{c.pk}"] = number("权重", 0, 100, required=False, message="权重应为 0–100 的整数")
            for si in c.indicators.all():
                self.fields[f"iw_{si.pk}"] = number("权重", 0, 1000, required=False, message="权重应为整数")
                self.fields[f"it_{si.pk}"] = forms.FloatField(
                    label="目标", required=False, error_messages={"invalid": "目标应为数字"}
                )

    def _posted(self, prefix):
        out = {}
        for name, value in self.cleaned_data.items():
            if name.startswith(prefix) and name in self.data:
                out[int(name[len(prefix) :])] = value
        return out

    def arguments(self):
        return {
            "component_weights": {k: v for k, v in self._posted("cw_").items() if v is not None},
            "indicator_weights": {k: v for k, v in self._posted("iw_").items() if v is not None},
            "targets": self._posted("it_"),
        }


class ScoreForm(forms.Form):
    """实地考核 / 加分项 / 否决项 of a branch, always with its evidence (the range of a score depends on the part: the
    service checks it)."""

    branch = _branch()
    score = forms.DecimalField(
        label="得分", required=False, max_digits=6, decimal_places=2, error_messages={"invalid": "得分应为数字",
        "max_digits": "得分应为数字", "max_decimal_places": "得分最多两位小数", "max_whole_digits": "得分应为数字"},
    )  # fmt: skip
    vetoed = forms.BooleanField(required=False)
    evidence = chars("依据", EVIDENCE, required=False)

    def clean_evidence(self):
        evidence = self.cleaned_data["evidence"]
        if not evidence:
            raise ValidationError("请写明依据(检查记录、现场情况、文件编号等)")
        return evidence


class RoundForm(forms.Form):
    """A 二十字 evaluation round of a branch's secretary (the committee)."""

    branch = _branch()
    title = chars("测评名称", 60, required=False)  # empty: 「<支部>书记二十字测评」
    opens_on = day("开始日期")
    closes_on = day("截止日期")


class MonthlyForm(forms.Form):
    """The monthly branch report's parameters."""

    branch = _branch()
    month = MonthField()
    format = choice("格式", (("docx", "docx"), ("pdf", "PDF")))

    def arguments(self):
        d = self.cleaned_data
        return {"branch": d["branch"], "month": d["month"], "fmt": d["format"]}


class RatingField(forms.TypedChoiceField):
    """One of 好 / 较好 / 一般 / 差 (4–1), the same words whether it is missing or not one of them."""

    def __init__(self, label):
        message = f"请为“{label}”选择 好 / 较好 / 一般 / 差"
        super().__init__(
            label=label,
            choices=[(str(v), t) for v, t in Rating.choices],
            coerce=int,
            error_messages={"required": message, "invalid_choice": message},
        )


class BallotForm(forms.Form):
    """An anonymous 二十字 ballot: the five criteria and the overall rating, and an optional comment. Only the
    ratings and the comment reach the service; nothing about who answered."""

    comment = chars("意见建议", 1000, required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for key, label in (*CRITERIA, ("overall", "总体评价")):
            self.fields[key] = RatingField(label)

    def arguments(self):
        d = self.cleaned_data
        return {"ratings": {k: v for k, v in d.items() if k != "comment"}, "comment": d["comment"]}
