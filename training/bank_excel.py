"""题库 Excel: template, import keyed by 题号 (re-import updates; answered questions get a new version), export."""

import re
from dataclasses import dataclass

from common import imports, inputs
from common.excel import Column, Sheet, workbook_bytes
from common.imports import Checked, Importer, RowError
from orgs import scope
from orgs.models import JobType, OrgKind, OrgNode
from training.bank import LETTERS, save_question
from training.forms import QuestionForm
from training.models import JobGroup, KnowledgePoint, Question, QuestionType

CONTENT = ("type", "stem", "options", "answer", "explanation", "clause", "difficulty")

OPTION_KEYS = [f"option_{letter}" for letter in LETTERS[:6]]

COLUMNS = [
    Column("code", "题号", required=True, width=12, help="唯一编号;已有题号的题目会被更新(已被作答过的题目生成新版本)"),
    Column("point", "知识点", required=True, width=12, help="知识点名称或编码"),
    Column("type", "题型", required=True, width=8, help="单选题 / 多选题 / 判断题 / 填空题"),
    Column("stem", "题干", required=True, width=50),
    *[Column(key, f"选项{key[-1]}", width=20) for key in OPTION_KEYS],
    Column(
        "answer", "答案", required=True, width=10, help="单选 B;多选 ACD;判断 正确/错误;填空 多个可接受答案用 | 分隔"
    ),
    Column("explanation", "解析", required=True, width=50),
    Column("clause", "依据条款", width=24),
    Column("job_types", "适用工种", width=20, help="多个用 、 分隔;与工种组都空 = 同知识点"),
    Column("groups", "适用工种组", width=16, help="采煤类、掘进类…多个用 、 分隔;表中没有这一列时保持原样"),
    Column("underground_only", "仅井下", width=6, help="是 / 否;是 = 不发给只属于地面工种组的职工"),
    Column("difficulty", "难度", width=6, help="易 / 中 / 难"),
    Column("status", "状态", width=8, help="启用 / 草稿 / 停用;空 = 启用"),
]
HEADER = {c.key: c.header for c in COLUMNS}


@dataclass
class BankPlan:
    rows: list  # QuestionForm.arguments() of each row


class BankImporter(Importer):
    kind = "bank"
    title = "题库"
    columns = COLUMNS
    back_url_name = "training_bank"
    instructions = (
        "第一行是列名(带 * 为必填),每行一道题。题号相同的行会更新原题,不会重复新增。",
        "已被职工作答过的题目修改后会生成新版本,旧的作答记录仍指向原来的题目。",
    )
    example_rows = (
        (
            "GAS-900",
            "瓦斯",
            "单选题",
            "瓦斯爆炸的浓度范围一般是?",
            "1%~5%",
            "5%~16%",
            "16%~30%",
            "",
            "",
            "",
            "B",
            "浓度低于5%不爆炸,高于16%缺氧也不爆炸。",
            "《煤矿安全规程》",
            "",
            "一通三防类",
            "是",
            "易",
            "启用",
        ),
    )

    def targets(self, user):
        if not scope.can(user, "training_bank"):
            return []
        return list(
            OrgNode.objects.visible_to(user, "training_bank")
            .filter(kind__in=(OrgKind.GROUP, OrgKind.MINE))
            .order_by("depth")[:1]
        )

    def check(self, job, rows, progress):
        return check_rows(rows, progress)

    def apply(self, job, plan):
        counts = {"created": 0, "updated": 0, "versioned": 0, "unchanged": 0}
        for arguments in plan.rows:
            _question, outcome = save_question(
                arguments["code"],
                arguments["point"],
                {k: arguments[k] for k in CONTENT},
                arguments["job_types"],
                status=arguments["status"],
                source="import",
                groups=arguments["groups"],
                underground_only=arguments["underground_only"],
            )
            counts[outcome] += 1
        counts["updated"] += counts.pop("versioned")
        return counts


imports.register(BankImporter())


COLUMN_OF = {"options": "option_A", "__all__": "stem"}  # the form's field -> the file's column, where they differ


def _names(text, pattern=r"[、,,;;]"):
    return [n.strip() for n in re.split(pattern, text or "") if n.strip()]


@dataclass
class _Known:
    """What the rows' names refer to, read once for the file."""

    points: dict
    jobs: dict
    groups: dict

    @classmethod
    def read(cls):
        points, groups = {}, {}
        for point in KnowledgePoint.objects.all():
            points[point.name] = points[point.code] = point
        for group in JobGroup.objects.all():
            groups[group.name] = groups[group.code] = group
        return cls(points, {j.name: j for j in JobType.objects.all()}, groups)


def _form_data(raw, known, err):
    """A row as ``QuestionForm`` data: its names read as ids (an unknown name is the row's error, named here)."""
    data = {key: raw.get(key, "") for key in ("code", "type", "stem", "answer", "explanation", "clause")}
    data |= {key: raw.get(key, "") for key in ("difficulty", "status", "underground_only")}
    data["options"] = [raw.get(key, "") for key in OPTION_KEYS]
    name = raw.get("point", "").strip()
    point = known.points.get(name)
    data["point"] = point or ""
    if name and point is None:
        err("point", f"知识点“{name}”不存在")
    jobs = _names(raw.get("job_types", ""), r"[、,,]")
    if unknown := [n for n in jobs if n not in known.jobs]:
        err("job_types", "工种不存在:" + "、".join(unknown))
    data["job_types"] = [known.jobs[n] for n in jobs if n in known.jobs]
    groups = _names(raw.get("groups", ""))
    if unknown := [n for n in groups if n not in known.groups]:
        err("groups", "工种组不存在:" + "、".join(unknown))
    data["groups"] = [known.groups[n] for n in groups if n in known.groups]
    return data


def check_row(raw, known, err):
    """One row read by the bank page's own form (``training.forms.QuestionForm``: the same limits, the same words):
    the service's arguments, or None after ``err(column key, message)`` for each refusal. A file without the
    工种组 / 仅井下 column keeps what the question has (None)."""
    form = QuestionForm(_form_data(raw, known, err), by_code=True)
    if not form.is_valid():
        for field, messages in inputs.errors_of(form).items():
            if field not in err.columns_refused():
                err(COLUMN_OF.get(field, field), messages[0])
    if err.found:  # this row's refusals, the file's own (a 题号 twice, an unknown name) among them
        return None
    arguments = form.arguments()
    if "groups" not in raw:
        arguments["groups"] = None
    if "underground_only" not in raw:
        arguments["underground_only"] = None
    return arguments


class _RowErrors:
    def __init__(self, number):
        self.number, self.found, self.keys = number, [], set()

    def __call__(self, key, message):
        self.keys.add(key)
        self.found.append(RowError(self.number, HEADER[key], message))

    def columns_refused(self):
        return self.keys


def check_rows(rows, progress=lambda n: None):
    known = _Known.read()
    current = {q.code: q for q in Question.objects.filter(replaced_by__isnull=True)}
    errors, plan, seen = [], [], {}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for done, (number, raw) in enumerate(rows, start=1):
        err = _RowErrors(number)
        code = raw.get("code", "").strip()
        if code in seen:
            err("code", f"与第 {seen[code]} 行的题号重复")
        elif code:
            seen[code] = number
        arguments = check_row(raw, known, err)
        errors.extend(err.found)
        if arguments is not None:
            plan.append(arguments)
            existing = current.get(arguments["code"])
            if existing is None:
                counts["created"] += 1
            elif _same(existing, arguments):
                counts["unchanged"] += 1
            else:
                counts["updated"] += 1
        progress(done)
    if errors:
        return Checked(errors=errors, counts=counts)
    return Checked(errors=[], plan=BankPlan(plan), counts=counts)


def _same(question, arguments):
    return (
        question.point_id == arguments["point"].pk
        and question.status == arguments["status"]
        and all(getattr(question, k) == arguments[k] for k in CONTENT)
    )


def export_bank(questions):
    rows = []
    questions = (
        questions.select_related("point").prefetch_related("job_types", "groups").order_by("point__order", "code")
    )
    for q in questions:
        options = list(q.options) + [""] * (len(OPTION_KEYS) - len(q.options))
        if q.type == QuestionType.TRUEFALSE:
            answer = "正确" if q.answer == ["T"] else "错误"
        elif q.type == QuestionType.FILL:
            answer = "|".join(q.answer)
        else:
            answer = "".join(q.answer)
        rows.append(
            [q.code, q.point.name, q.get_type_display(), q.stem, *options[: len(OPTION_KEYS)], answer, q.explanation, q.clause,
             "、".join(j.name for j in q.job_types.all()), "、".join(g.name for g in q.groups.all()),
             "是" if q.underground_only else "否", q.get_difficulty_display(), q.get_status_display()]
        )  # fmt: skip
    return workbook_bytes([Sheet("题库", COLUMNS, rows)])
