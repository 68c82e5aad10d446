"""The question bank: answers in one shape, grading, versioned saving, and the starter bank shipped with the project.

Answer shape (``Question.answer``): single ["B"], multiple ["A", "C"], true/false ["T"] or ["F"], fill-in the list
of accepted answers. ``grade`` compares a worker's answer in the same shape.
"""

import json
import re
import unicodedata
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from orgs.models import JobType
from training.models import KnowledgePoint, Question, QuestionStatus, QuestionType

STARTER_DIR = Path(__file__).resolve().parent / "starter_bank"
LETTERS = "ABCDEF"
TRUE_WORDS = {"T", "TRUE", "对", "正确", "是", "√", "Y"}
FALSE_WORDS = {"F", "FALSE", "错", "错误", "否", "×", "X", "N"}
CONTENT_FIELDS = ("point_id", "type", "stem", "options", "answer", "explanation", "clause", "difficulty")


def normalise_text(text):
    """Fill-in answers compare without spaces, width or case differences, and without trailing punctuation."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    text = re.sub(r"\s+", "", text)
    return text.rstrip("。.;;,,")  # noqa: B005 (a set of trailing punctuation)


def parse_answer(qtype, value, option_count=0):
    """A worker's or an author's answer in the stored shape; ValidationError with a Chinese message if unusable."""
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        if isinstance(value, str):
            letters = [c for c in value.upper() if c.strip() and c not in ",,、;; "]
        else:
            letters = [str(v).strip().upper() for v in (value or []) if str(v).strip()]
        letters = sorted(set(letters))
        valid = set(LETTERS[:option_count]) if option_count else set(LETTERS)
        if not letters:
            raise ValidationError("请选择答案")
        if any(letter not in valid for letter in letters):
            raise ValidationError("答案须是选项字母 " + "、".join(sorted(valid)))
        if qtype == QuestionType.SINGLE and len(letters) != 1:
            raise ValidationError("单选题只能选一个答案")
        return letters
    if qtype == QuestionType.TRUEFALSE:
        if isinstance(value, bool):
            return ["T" if value else "F"]
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        word = str(value or "").strip().upper()
        if word in TRUE_WORDS:
            return ["T"]
        if word in FALSE_WORDS:
            return ["F"]
        raise ValidationError("判断题请选择“正确”或“错误”")
    if qtype == QuestionType.FILL:
        items = value if isinstance(value, list) else re.split(r"[|｜]", str(value or ""))
        items = [str(i).strip() for i in items if str(i).strip()]
        if not items:
            raise ValidationError("请填写答案")
        return items
    raise ValidationError("未知题型")


NUMBER_WITH_UNIT = re.compile(r"^(\d+(?:\.\d+)?)([^\d.]{0,4})$")


def _number(text):
    """The number an answer states (``"40%"``, ``"0.5m"``, ``"20h"`` -> 40.0, 0.5, 20.0); None when it is not one."""
    match = NUMBER_WITH_UNIT.match(text)
    return float(match.group(1)) if match else None


def grade(question, given):
    """Right or wrong. A fill-in answer is right when it is one of the accepted answers (compared without spaces,
    width, case or trailing punctuation), or when the worker wrote the number of an accepted "number + unit" answer
    without the unit ("40" for "40%", "1" for "1.0%")."""
    if question.type == QuestionType.FILL:
        text = normalise_text(given[0] if given else "")
        accepted = {normalise_text(a) for a in question.answer}
        if text in accepted:
            return True
        if text and re.fullmatch(r"\d+(?:\.\d+)?", text):
            return float(text) in {n for n in map(_number, accepted) if n is not None}
        return False
    return sorted(given) == sorted(question.answer)


def validate_question(data):
    """Check a question's fields (from a form, the API, a file or the starter bank); return the cleaned fields."""
    errors = {}
    qtype = data.get("type")
    if qtype not in QuestionType.values:
        errors["type"] = "题型须为 单选题 / 多选题 / 判断题 / 填空题"
    stem = str(data.get("stem") or "").strip()
    if not stem:
        errors["stem"] = "题干必填"
    options = [str(o).strip() for o in (data.get("options") or []) if str(o).strip()]
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        if len(options) < 2:
            errors["options"] = "选择题至少要有两个选项"
        elif len(options) > len(LETTERS):
            errors["options"] = f"最多 {len(LETTERS)} 个选项"
    else:
        options = []
    answer = None
    if qtype in QuestionType.values and "options" not in errors:
        try:
            answer = parse_answer(qtype, data.get("answer"), len(options))
        except ValidationError as exc:
            errors["answer"] = exc.messages[0]
        if qtype == QuestionType.MULTIPLE and answer and len(answer) < 2:
            errors["answer"] = "多选题的正确答案至少两个"
    explanation = str(data.get("explanation") or "").strip()
    if not explanation:
        errors["explanation"] = "解析必填:答完题就要看到为什么"
    try:
        difficulty = int(data.get("difficulty") or 2)
        if difficulty not in (1, 2, 3):
            raise ValueError
    except (TypeError, ValueError):
        errors["difficulty"] = "难度须为 1(易)、2(中)或 3(难)"
        difficulty = 2
    if errors:
        raise ValidationError(errors)
    return {
        "type": qtype,
        "stem": stem,
        "options": options,
        "answer": answer,
        "explanation": explanation,
        "clause": str(data.get("clause") or "").strip()[:200],
        "difficulty": difficulty,
    }


@transaction.atomic
def save_question(
    code, point, fields, job_types=(), status=QuestionStatus.ACTIVE, source="manual", groups=None, underground_only=None
):
    """Create the question, or update the current version of ``code``.

    A question somebody has answered is never changed in place: the edit becomes a new version and the old one is
    retired, so old answers keep pointing at what was asked. Returns (question, "created" | "updated" | "versioned"
    | "unchanged"). ``groups`` (工种组) and ``underground_only``: None keeps what the current version has.
    """
    current = Question.objects.select_for_update().filter(code=code, replaced_by__isnull=True).first()
    job_ids = sorted(j.pk for j in job_types)
    if groups is None:
        group_ids = sorted(current.groups.values_list("pk", flat=True)) if current else []
    else:
        group_ids = sorted(g.pk for g in groups)
    if underground_only is None:
        underground_only = current.underground_only if current else False
    fields = {**fields, "underground_only": bool(underground_only)}
    if current is None:
        question = Question.objects.create(code=code, point=point, status=status, source=source, **fields)
        question.job_types.set(job_ids)
        question.groups.set(group_ids)
        return question, "created"
    same = all(getattr(current, f) == (point.pk if f == "point_id" else fields[f]) for f in CONTENT_FIELDS)
    same_jobs = sorted(current.job_types.values_list("pk", flat=True)) == job_ids
    same_targets = (
        sorted(current.groups.values_list("pk", flat=True)) == group_ids
        and current.underground_only == fields["underground_only"]
    )
    if same and same_jobs and not same_targets:  # whom a question goes to is not what was asked: no new version
        current.underground_only = fields["underground_only"]
        current.status = status
        current.save(update_fields=["underground_only", "status"])
        current.groups.set(group_ids)
        return current, "updated"
    if same and same_jobs:
        if current.status != status:
            current.status = status
            current.save(update_fields=["status"])
            return current, "updated"
        return current, "unchanged"
    if not current.daily.exists() and not same_is_answered_elsewhere(current):
        for name, value in fields.items():
            setattr(current, name, value)
        current.point = point
        current.status = status
        current.save()
        current.job_types.set(job_ids)
        current.groups.set(group_ids)
        return current, "updated"
    question = Question.objects.create(
        code=code, version=current.version + 1, point=point, status=status, source=source, **fields
    )
    question.job_types.set(job_ids)
    question.groups.set(group_ids)
    current.replaced_by = question
    current.status = QuestionStatus.RETIRED
    current.save(update_fields=["replaced_by", "status"])
    return question, "versioned"


def same_is_answered_elsewhere(question):
    """Hook for answers other than the daily question (exam papers, lesson checks) as those modules arrive."""
    return False


def load_starter_bank(directory=STARTER_DIR, log=lambda msg: None):
    """Load (or refresh) the starter bank: knowledge points and questions keyed by code, with their 工种组. Idempotent.

    A point's file names its groups by code (``training.targeting.DEFAULT_GROUPS``), whether it is 仅井下 and 井下
    必学; a question may name groups, 工种 and 仅井下 of its own."""
    from training import targeting

    groups = targeting.ensure_default_groups()
    jobs = {j.name: j for j in JobType.objects.all()}
    counts = {"created": 0, "updated": 0, "versioned": 0, "unchanged": 0}
    for order, path in enumerate(sorted(Path(directory).glob("*.json")), start=1):
        data = json.loads(path.read_text(encoding="utf-8"))
        spec = data["point"]
        point, _ = KnowledgePoint.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "high_risk": bool(spec.get("high_risk")),
                "order": spec.get("order", order * 10),
                "underground_only": bool(spec.get("underground_only")),
                "every_underground": bool(spec.get("every_underground")),
            },
        )
        if spec.get("parent"):
            point.parent = KnowledgePoint.objects.filter(code=spec["parent"]).first()
            point.save(update_fields=["parent"])
        point.job_types.set([jobs[name] for name in spec.get("job_types", []) if name in jobs])
        point.groups.set([groups[code] for code in spec.get("groups", []) if code in groups])
        for item in data["questions"]:
            fields = validate_question(item)
            job_types = [jobs[name] for name in item.get("job_types", []) if name in jobs]
            _question, outcome = save_question(
                item["code"],
                point,
                fields,
                job_types,
                source="starter",
                groups=[groups[code] for code in item.get("groups", []) if code in groups],
                underground_only=bool(item.get("underground_only")),
            )
            counts[outcome] += 1
        log(f"{spec['name']}: {len(data['questions'])} 题")
    return counts
