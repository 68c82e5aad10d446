"""The inputs of 职工安全培训, each declared once: the pages bind these forms to the POST, the API to its schema's
values (``common.inputs.body``), the question-bank import to each row of the file (``bank_excel.check_rows``);
``common.inputs.clean`` hands the service typed keyword arguments.

The orgs a user may send a lesson or an exam to are the form's choices (``user=``): an org outside them and one
that does not exist get the same words. Whether a question's answer fits its type is ``bank.validate_question``,
run by the form, so the page, the import and the starter bank read a question by the same rules."""

import re

from django import forms
from django.core.exceptions import ValidationError

from common.inputs import ModelField, ModelsField, chars, number
from common.parsing import parse_moment
from orgs.models import JobType, OrgKind, OrgNode
from training.bank import validate_question
from training.models import (
    JobGroup,
    KnowledgePoint,
    LessonKind,
    QaAnswer,
    Question,
    QuestionStatus,
    QuestionType,
)

YES = ("on", "1", "true", "True", "是", True)
NO = ("", "0", "off", "false", "False", "否", False, None)


def _says(field, **messages):
    """The field with some of its messages in the words the pages always used (``题干必填``)."""
    field.error_messages.update(messages)
    return field


class NamedChoiceField(forms.ChoiceField):
    """A choice given by its value or by its label (the file's ``单选题`` / ``启用`` / ``易``); empty is ``default``."""

    def __init__(self, *, label, choices, message, default=None, aliases=None, coerce=str, **kwargs):
        self.names = {str(v): v for v, _ in choices} | {str(lbl): v for v, lbl in choices} | (aliases or {})
        self.default, self.coerce = default, coerce
        super().__init__(label=label, choices=choices, required=default is None, **kwargs)
        self.error_messages.update(required=message, invalid_choice=message)

    def to_python(self, value):
        text = "" if value is None else str(value).strip()
        if text == "":
            return self.default
        if text not in self.names:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return self.coerce(self.names[text])

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


class YesNoField(forms.Field):
    """A check box (``on``), the API's true/false or the file's 是 / 否; anything else is ``message``."""

    def __init__(self, *, message, **kwargs):
        kwargs.setdefault("required", False)
        self.message = message
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in YES:
            return True
        if value in NO:
            return False
        raise ValidationError(self.message)


class MomentField(forms.Field):
    """A date and time (年-月-日 时:分, the page's datetime-local or the API's ISO time), aware in the local zone."""

    def __init__(self, *, label, **kwargs):
        super().__init__(label=label, **kwargs)
        self.error_messages.update(required=f"请填写{label}")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        moment = parse_moment(value)
        if moment is None:
            raise ValidationError(f"{self.label}格式不正确,应为 年-月-日 时:分")
        return moment


class RecordField(ModelField):
    """``ModelField`` that also takes the record itself, as server code hands it (the bank import's rows name their
    knowledge point, read once for the file): no query per row. A posted value is always a string or a number."""

    def to_python(self, value):
        if isinstance(value, self.queryset.model):
            return value
        return super().to_python(value)


class RecordsField(ModelsField):
    """``ModelsField`` that also takes a list of records (see ``RecordField``)."""

    def clean(self, value):
        if isinstance(value, (list, tuple)) and value and all(isinstance(v, self.queryset.model) for v in value):
            return list(dict.fromkeys(value))
        return super().clean(value)


# ---------------------------------------------------------------- the question bank


TYPE_ALIASES = {"单选": "single", "多选": "multiple", "判断": "truefalse", "填空": "fill"}
TYPE_MESSAGE = "题型须为 单选题 / 多选题 / 判断题 / 填空题"
DIFFICULTIES = [(1, "易"), (2, "中"), (3, "难")]
CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")
CODE_MESSAGE = "题号只能用字母、数字、- 和 _,最长40位"


class OptionsField(forms.Field):
    """A choice question's options: a textarea (one a line) or a list (the file's 选项A…F). Stripped, empty ones
    dropped; each at most 200 characters. How many a type needs is ``validate_question``'s."""

    def to_python(self, value):
        if value in self.empty_values:
            return []
        items = value.splitlines() if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)):
            raise ValidationError("选项格式不正确")
        options = [str(o).strip() for o in items if str(o or "").strip()]
        if any(len(o) > 200 for o in options):
            raise ValidationError("每个选项最长200字")
        return options


class QuestionForm(forms.Form):
    """One bank question, on the page (新题 / 修改) and as each row of the bank import. Editing (``current``) keeps the
    question's 题号. ``arguments()``: the service's keyword arguments, the question's fields as
    ``validate_question`` cleans them."""

    code = chars("题号", 40)
    point = RecordField(KnowledgePoint.objects.all(), "请选择知识点")
    type = NamedChoiceField(label="题型", choices=QuestionType.choices, message=TYPE_MESSAGE, aliases=TYPE_ALIASES)
    stem = _says(chars("题干", 2000, textarea=True), required="题干必填")
    options = OptionsField(required=False)
    answer = chars("答案", 500, required=False)
    explanation = _says(chars("解析", 2000, textarea=True), required="解析必填:答完题就要看到为什么")
    clause = chars("依据条款", 200, required=False)
    difficulty = NamedChoiceField(
        label="难度", choices=DIFFICULTIES, message="难度须为 易 / 中 / 难", default=2, coerce=int
    )
    status = NamedChoiceField(
        label="状态",
        choices=QuestionStatus.choices,
        message="状态须为 启用 / 草稿 / 停用",
        default=QuestionStatus.ACTIVE,
    )
    job_types = RecordsField(JobType.objects.all(), "请从列表中选择工种")
    groups = RecordsField(JobGroup.objects.all(), "请从列表中选择工种组")
    underground_only = YesNoField(message="仅井下须为 是 或 否")

    def __init__(self, data=None, *, current=None, by_code=False, **kwargs):
        """``by_code``: the import's row, where a 题号 in the bank names the question to update (on the page a new
        question's 题号 must be free)."""
        super().__init__(data, **kwargs)
        self.current, self.by_code = current, by_code
        if current is not None:
            del self.fields["code"]

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not CODE.fullmatch(code):
            raise ValidationError(CODE_MESSAGE)
        if not self.by_code and Question.objects.filter(code=code).exists():
            raise ValidationError(f"题号 {code} 已存在")
        return code

    def clean(self):
        data = super().clean()
        if not {"type", "stem", "options", "answer", "explanation", "difficulty"} & set(self.errors):
            try:
                data["fields"] = validate_question(data)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    self.add_error(field if field in self.fields else "stem", messages)
        return data

    def arguments(self):
        d = self.cleaned_data
        return {
            "code": self.current.code if self.current else d["code"],
            "point": d["point"],
            **d["fields"],
            "status": d["status"],
            "job_types": d["job_types"],
            "groups": d["groups"],
            "underground_only": d["underground_only"],
            "current": self.current,
        }


class _CodedForm(forms.Form):
    """A record with a 编码 given once at creation (knowledge points, 工种组): editing keeps it; a new one must be
    free and written in lower-case letters, digits, - and _."""

    model = None
    code_message = ""

    def __init__(self, data=None, *, current=None, **kwargs):
        super().__init__(data, **kwargs)
        self.current = current
        if current is not None:
            del self.fields["code"]

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not re.fullmatch(r"[a-z0-9_-]{1,40}", code):
            raise ValidationError(self.code_message)
        if self.model.objects.filter(code=code).exists():
            raise ValidationError(f"编码 {code} 已存在")
        return code

    def arguments(self):
        d = dict(self.cleaned_data)
        d["order"] = d["order"] or 0
        if self.current is not None:
            d["code"] = self.current.code
        return {**d, "current": self.current}


class PointForm(_CodedForm):
    """A knowledge point of the tree (editing keeps its 编码)."""

    code = chars("编码", 40)
    name = _says(chars("名称", 40), required="名称必填,最长40字", max_length="名称必填,最长40字")
    parent = ModelField(KnowledgePoint.objects.all(), "请选择上级知识点", required=False)
    order = number("排序", -32768, 32767, required=False, message="排序须为数字")
    high_risk = YesNoField(message="高风险须为 是 或 否")
    underground_only = YesNoField(message="仅井下须为 是 或 否")
    every_underground = YesNoField(message="井下必学须为 是 或 否")
    job_types = ModelsField(JobType.objects.all(), "请从列表中选择工种")
    groups = ModelsField(JobGroup.objects.all(), "请从列表中选择工种组")

    model = KnowledgePoint
    code_message = "编码只能用小写字母、数字、- 和 _"


class GroupForm(_CodedForm):
    """A 工种组 (editing keeps its 编码)."""

    code = chars("编码", 40)
    name = _says(chars("名称", 40), required="名称必填,最长40字", max_length="名称必填,最长40字")
    order = number("排序", 0, 32767, required=False, message="排序须为不小于 0 的整数")
    underground = YesNoField(message="井下须为 是 或 否")
    job_types = ModelsField(JobType.objects.all(), "请从列表中选择工种")

    model = JobGroup
    code_message = "编码只能用小写字母、数字、- 和 _,最长40位"


# ---------------------------------------------------------------- 每周一课一案

MIN_CHECKS, MAX_CHECKS = 2, 5
CASE_FIELDS = {"story": "事故经过", "causes": "原因分析", "lessons_learned": "教训"}
LESSON_ORG = "请选择发给哪个单位(您负责的矿或党支部)"


def _sent_to(user, capability):
    """The mines and branches the user leads for ``capability``: where they may send a lesson or an exam."""
    if user is None:
        return OrgNode.objects.none()
    return OrgNode.objects.visible_to(user, capability).filter(kind__in=(OrgKind.MINE, OrgKind.BRANCH))


class LessonForm(forms.Form):
    """A lesson (一课) or an accident case (一案) and its 2–5 check questions; ``files`` may hold its attachment."""

    kind = NamedChoiceField(
        label="类型", choices=LessonKind.choices, message="类型须为 一课 或 一案", default=LessonKind.LESSON
    )
    title = _says(chars("标题", 100), required="标题必填", max_length="标题不能超过100字")
    week = forms.DateField(error_messages={"required": "请选择哪一周", "invalid": "请选择哪一周"})
    org = ModelField(OrgNode.objects.none(), LESSON_ORG)
    body = chars("课程内容", 20000, required=False, textarea=True)
    story = chars("事故经过", 20000, required=False, textarea=True)
    causes = chars("原因分析", 20000, required=False, textarea=True)
    lessons_learned = chars("教训", 20000, required=False, textarea=True)
    clauses = chars("相关条款", 300, required=False)
    questions = ModelsField(
        Question.objects.filter(status=QuestionStatus.ACTIVE, replaced_by__isnull=True),
        "检查题须从题库中启用的题目里选",
    )
    points = ModelsField(KnowledgePoint.objects.all(), "请从列表中选择知识点")
    attachment = forms.FileField(required=False)

    def __init__(self, data=None, files=None, *, user=None, **kwargs):
        super().__init__(data, files, **kwargs)
        self.fields["org"].queryset = _sent_to(user, "training_lessons")

    def clean_attachment(self):
        """(name, file, kind) of an upload we accept: images re-encoded without EXIF, MP4 video, PDF."""
        from django.conf import settings

        from common.uploads import clean_attachment

        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        try:
            content, kind = clean_attachment(
                upload,
                field="attachment",
                max_bytes=settings.HONGLING_LESSON_MAX_BYTES,
                kinds=("image", "video", "pdf"),
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return getattr(upload, "name", "file"), content, kind

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == LessonKind.LESSON and not data.get("body") and "body" not in self.errors:
            self.add_error("body", "课程内容必填")
        if kind == LessonKind.CASE:
            for field, label in CASE_FIELDS.items():
                if not data.get(field) and field not in self.errors:
                    self.add_error(field, f"{label}必填")
        questions = data.get("questions")
        if questions is not None and not MIN_CHECKS <= len(questions) <= MAX_CHECKS:
            self.add_error("questions", f"请选 {MIN_CHECKS}–{MAX_CHECKS} 道检查题")
        return data


class AnswerWidget(forms.Widget):
    """One answer as posted: several values (a multiple choice's boxes) as a list, one as itself."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            values = data.getlist(name)
            return values if len(values) > 1 else (values[0] if values else None)
        return data.get(name)


class AnswerField(forms.Field):
    """A worker's answer to one question, in the stored shape (``bank.parse_answer``: its words when unusable)."""

    widget = AnswerWidget

    def __init__(self, question, **kwargs):
        self.question = question
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        from training.bank import parse_answer

        try:
            return parse_answer(self.question.type, value, len(self.question.options))
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from exc


class ChecksForm(forms.Form):
    """A lesson's check questions answered: ``q<question id>`` each (the page's choices, the API's {id: answer})."""

    def __init__(self, data=None, *, questions, **kwargs):
        super().__init__(data, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q{question.pk}"] = AnswerField(question)

    @staticmethod
    def data_of(answers):
        """The API's {question id: answer} as this form's fields."""
        return {f"q{pk}": given for pk, given in answers.items()}

    def arguments(self):
        return {"answers": {q.pk: self.cleaned_data[f"q{q.pk}"] for q in self.questions}}


# ---------------------------------------------------------------- 每月一考

RULE_FIELDS = ("point", "type", "difficulty", "job_type", "count")
MAX_RULES = 50


class RulesField(forms.Field):
    """组卷规则: a list of {point, type, difficulty, job_type, count} (the page's rule rows, the API's list). A row
    with neither a count nor a point is left out; the message names the row."""

    def to_python(self, value):
        if value in self.empty_values:
            return []
        if not isinstance(value, (list, tuple)) or len(value) > MAX_RULES:
            raise ValidationError("组卷规则格式不正确")
        return list(value)

    def validate(self, value):
        pass  # "at least one rule" is read in clean(), after the blank rows are left out

    def clean(self, value):
        from training.exams import MAX_QUESTIONS

        rules = []
        points = set(KnowledgePoint.objects.values_list("pk", flat=True))
        jobs = set(JobType.objects.values_list("pk", flat=True))
        for n, rule in enumerate(self.to_python(value), start=1):
            clean = _rule(n, rule if isinstance(rule, dict) else {}, points, jobs)
            if clean is not None:
                rules.append(clean)
        if not rules:
            raise ValidationError("至少要有一条组卷规则")
        if sum(r["count"] for r in rules) > MAX_QUESTIONS:
            raise ValidationError(f"一张试卷最多 {MAX_QUESTIONS} 题")
        return rules


def _whole(value):
    """A rule's number: None when empty, False when not a whole number."""
    text = str(value if value is not None else "").strip()
    if text == "":
        return None
    return int(text) if text.isascii() and text.isdigit() else False


def _rule(n, rule, points, jobs):
    """One rule row, cleaned; None when it is blank."""
    count, point, difficulty, job = (_whole(rule.get(k)) for k in ("count", "point", "difficulty", "job_type"))
    if count is False or point is False:
        raise ValidationError(f"第 {n} 条规则:题数和知识点须为数字")
    if not count and not point:
        return None
    if point not in points:
        raise ValidationError(f"第 {n} 条规则:请选择知识点")
    if not 1 <= (count or 0) <= 50:
        raise ValidationError(f"第 {n} 条规则:题数须在 1–50 之间")
    qtype = rule.get("type") or None
    if qtype is not None and qtype not in QuestionType.values:
        raise ValidationError(f"第 {n} 条规则:题型不正确")
    if difficulty is False or difficulty not in (None, 1, 2, 3):
        raise ValidationError(f"第 {n} 条规则:难度不正确")
    if job is False or (job is not None and job not in jobs):
        raise ValidationError(f"第 {n} 条规则:工种不存在")
    return {"job_type": job, "point": point, "difficulty": difficulty, "type": qtype, "count": count}


class BlueprintForm(forms.Form):
    """A month's exam: whom (an org the user leads, 工种), when, how long, what passes, and the rules of its papers."""

    title = _says(chars("名称", 100), required="名称必填")
    org = ModelField(OrgNode.objects.none(), "请选择参考单位(您负责的矿或党支部)")
    month = forms.DateField(error_messages={"required": "请选择月份", "invalid": "请选择月份"})
    time_limit = number("限时", 5, 180, message="限时须在 5–180 之间")
    pass_mark = number("及格分", 1, 100, message="及格分须在 1–100 之间")
    opens_at = MomentField(label="开考时间")
    closes_at = MomentField(label="截止时间")
    rules = RulesField(required=False)
    job_types = ModelsField(JobType.objects.all(), "请从列表中选择工种")

    def __init__(self, data=None, *, user=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["org"].queryset = _sent_to(user, "training_exams")

    @classmethod
    def data_of(cls, post, rows):
        """The page's POST (a rule a row: ``rule-<n>-<field>``) as this form's data."""
        data = {k: post.get(k) for k in ("title", "org", "month", "time_limit", "pass_mark", "opens_at", "closes_at")}
        data["rules"] = [{k: post.get(f"rule-{n}-{k}") for k in RULE_FIELDS} for n in range(rows)]
        data["job_types"] = post.getlist("job_types")
        return data

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "截止时间须晚于开考时间")
        return data


# ---------------------------------------------------------------- 在线答疑


class AskForm(forms.Form):
    text = _says(chars("问题", 2000, min_length=5, textarea=True), required="请把问题写清楚(至少5个字)",
                 min_length="请把问题写清楚(至少5个字)", max_length="问题不能超过2000字")  # fmt: skip
    point = ModelField(KnowledgePoint.objects.all(), "请从列表中选择知识点", required=False)
    photo = forms.FileField(required=False)

    def clean_photo(self):
        from common.uploads import clean_photo

        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            return clean_photo(upload, field="photo")
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class AnswerForm(forms.Form):
    text = _says(chars("解答", 4000, min_length=2, textarea=True), required="请填写解答", min_length="请填写解答",
                 max_length="解答不能超过4000字")  # fmt: skip


class AcceptForm(forms.Form):
    answer = ModelField(QaAnswer.objects.all(), "请选择要采纳的解答")  # one of this question's: the service's check


class ToBankForm(forms.Form):
    point = ModelField(KnowledgePoint.objects.all(), "请选择知识点", required=False)
