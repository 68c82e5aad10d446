"""题库 Excel: template, import keyed by 题号 (re-import updates; answered questions get a new version), export."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from common import imports
from common.excel import Column, Sheet, workbook_bytes
from common.imports import Checked, Importer, RowError
from orgs import scope
from orgs.models import JobType, OrgKind, OrgNode
from training.bank import LETTERS, save_question, validate_question
from training.models import JobGroup, KnowledgePoint, Question, QuestionStatus, QuestionType

TYPE_NAMES = {label: value for value, label in QuestionType.choices} | {
    "单选": "single",
    "多选": "multiple",
    "判断": "truefalse",
    "填空": "fill",
}
STATUS_NAMES = {label: value for value, label in QuestionStatus.choices}
DIFFICULTY_NAMES = {"易": 1, "中": 2, "难": 3, "1": 1, "2": 2, "3": 3}
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
    rows: list  # (code, point, fields, job_types, status)


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
        for code, point, fields, jobs, status, groups, underground_only in plan.rows:
            _question, outcome = save_question(
                code,
                point,
                fields,
                jobs,
                status=status,
                source="import",
                groups=groups,
                underground_only=underground_only,
            )
            counts[outcome] += 1
        counts["updated"] += counts.pop("versioned")
        return counts


imports.register(BankImporter())


def check_rows(rows, progress=lambda n: None):
    points = {}
    for point in KnowledgePoint.objects.all():
        points[point.name] = point
        points[point.code] = point
    jobs = {j.name: j for j in JobType.objects.all()}
    groups = {}
    for group in JobGroup.objects.all():
        groups[group.name] = groups[group.code] = group
    current = {q.code: q for q in Question.objects.filter(replaced_by__isnull=True)}
    errors, plan, seen = [], [], {}
    created = updated = unchanged = 0
    for done, (number, raw) in enumerate(rows, start=1):
        row_errors = []

        def err(key, message):
            row_errors.append(RowError(number, HEADER[key], message))

        code = raw.get("code", "").strip()
        if not code:
            err("code", "必填")
        elif len(code) > 40:
            err("code", "不能超过40个字符")
        elif code in seen:
            err("code", f"与第 {seen[code]} 行的题号重复")
        else:
            seen[code] = number
        point = points.get(raw.get("point", "").strip())
        if point is None:
            err("point", f"知识点“{raw.get('point', '')}”不存在" if raw.get("point") else "必填")
        qtype = TYPE_NAMES.get(raw.get("type", "").strip())
        if qtype is None:
            err("type", "题型须为 单选题 / 多选题 / 判断题 / 填空题")
        job_names = [
            n.strip() for n in raw.get("job_types", "").replace(",", "、").replace(",", "、").split("、") if n.strip()
        ]
        unknown = [n for n in job_names if n not in jobs]
        if unknown:
            err("job_types", "工种不存在:" + "、".join(unknown))
        chosen_groups = None  # no column: the question keeps its groups
        if "groups" in raw:
            group_names = [n.strip() for n in re.split(r"[、,,;;]", raw["groups"]) if n.strip()]
            unknown = [n for n in group_names if n not in groups]
            if unknown:
                err("groups", "工种组不存在:" + "、".join(unknown))
            chosen_groups = [groups[n] for n in group_names if n in groups]
        underground_only = None
        if raw.get("underground_only", "").strip():
            underground_only = {"是": True, "否": False}.get(raw["underground_only"].strip())
            if underground_only is None:
                err("underground_only", "仅井下须为 是 或 否")
        elif "underground_only" in raw:
            underground_only = False
        difficulty = DIFFICULTY_NAMES.get(raw.get("difficulty", "").strip() or "中")
        if difficulty is None:
            err("difficulty", "难度须为 易 / 中 / 难")
        status = STATUS_NAMES.get(raw.get("status", "").strip() or "启用")
        if status is None:
            err("status", "状态须为 启用 / 草稿 / 停用")
        fields = None
        if qtype:
            data = {
                "type": qtype,
                "stem": raw.get("stem", ""),
                "options": [raw.get(key, "") for key in OPTION_KEYS],
                "answer": raw.get("answer", ""),
                "explanation": raw.get("explanation", ""),
                "clause": raw.get("clause", ""),
                "difficulty": difficulty or 2,
            }
            try:
                fields = validate_question(data)
            except ValidationError as exc:
                names = {
                    "stem": "stem",
                    "options": "option_A",
                    "answer": "answer",
                    "explanation": "explanation",
                    "difficulty": "difficulty",
                    "type": "type",
                }
                for field, messages in exc.message_dict.items():
                    err(names.get(field, "stem"), messages[0])
        if row_errors:
            errors.extend(row_errors)
        else:
            plan.append((code, point, fields, [jobs[n] for n in job_names], status, chosen_groups, underground_only))
            existing = current.get(code)
            if existing is None:
                created += 1
            elif _same(existing, point, fields, status):
                unchanged += 1
            else:
                updated += 1
        progress(done)
    counts = {"created": created, "updated": updated, "unchanged": unchanged}
    if errors:
        return Checked(errors=errors, counts=counts)
    return Checked(errors=[], plan=BankPlan(plan), counts=counts)


def _same(question, point, fields, status):
    return (
        question.point_id == point.pk
        and question.status == status
        and all(getattr(question, k) == v for k, v in fields.items())
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
