"""在线答疑: workers ask, secretaries and experts answer, the asker accepts, a good answer becomes a bank question."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from common import audit
from common.errors import Conflict, Forbidden, NotFound
from orgs import scope
from training.bank import save_question, validate_question
from training.models import QaAnswer, QaQuestion, QuestionStatus


def ask(user, *, text, photo=None, point=None):
    """A worker's question (read by ``training.forms.AskForm``: ``photo`` already cleaned, ``point`` a record)."""
    if not user.is_authenticated or not user.person_id:
        raise Forbidden("您的账号没有关联职工档案,不能提问")
    person = user.person
    question = QaQuestion(asker=person, mine_id=person.mine_id, org_id=person.org_id, text=text, point=point)
    if photo is not None:
        question.photo.save("photo.jpg", photo, save=False)
    question.save()
    return question


def listing(user, text=""):
    questions = (
        QaQuestion.objects.visible_to(user).select_related("asker", "accepted").annotate(n_answers=Count("answers"))
    )
    text = (text or "").strip()
    if text:
        has = QaAnswer.objects.filter(question=OuterRef("pk"), text__contains=text)
        questions = questions.filter(Q(text__contains=text) | Exists(has))
    return questions.order_by("-created_at")


def get(user, pk):
    question = QaQuestion.objects.visible_to(user).filter(pk=pk).select_related("asker", "org", "point").first()
    if question is None:
        raise NotFound()
    return question


def can_answer(user, question):
    return scope.can(user, "training_answer", question.org)


def answer(user, question, *, text):
    if not can_answer(user, question):
        raise Forbidden("只有书记、支部委员、安监员等可以解答")
    return QaAnswer.objects.create(question=question, author=user, text=text)


def accept(user, question, *, answer):
    """The asker accepts one of the question's answers (another question's answer: 404), once."""
    if question.asker_id != user.person_id:
        raise Forbidden("只有提问人可以采纳解答")
    if answer.question_id != question.pk:
        raise NotFound()
    with transaction.atomic():
        updated = QaQuestion.objects.filter(pk=question.pk, accepted__isnull=True).update(accepted=answer)
        if not updated:
            raise Conflict("已经采纳过解答了")
        audit.audit_update(question, QaQuestion.objects.get(pk=question.pk), actor=user)
    return answer


def to_bank(user, answer_id, *, point=None):
    """Turn an answer into a draft bank question (stem = the question, explanation = the answer); edited in the bank."""
    if not scope.can(user, "training_bank"):
        raise Forbidden("只有题库管理员可以加入题库")
    qa_answer = QaAnswer.objects.filter(pk=answer_id).select_related("question").first()
    if qa_answer is None or not QaQuestion.objects.visible_to(user).filter(pk=qa_answer.question_id).exists():
        raise NotFound()
    if qa_answer.bank_question_id:
        return qa_answer.bank_question
    point = point or qa_answer.question.point
    if point is None:
        raise ValidationError({"point": "请选择知识点"})
    fields = validate_question(
        {
            "type": "truefalse",
            "stem": qa_answer.question.text[:2000],
            "answer": "T",
            "explanation": qa_answer.text,
            "difficulty": 2,
        }
    )
    with transaction.atomic():
        question, _ = save_question(f"QA-{qa_answer.pk}", point, fields, status=QuestionStatus.DRAFT, source="qa")
        QaAnswer.objects.filter(pk=qa_answer.pk).update(bank_question=question)
        audit.audit_update(qa_answer, QaAnswer.objects.get(pk=qa_answer.pk), actor=user)
    return question


def waiting_for(user):
    """Questions in the user's scope nobody has answered yet (for answerers' 待办)."""
    if not scope.can(user, "training_answer"):
        return QaQuestion.objects.none()
    answered = QaAnswer.objects.filter(question=OuterRef("pk"))
    return QaQuestion.objects.filter(
        scope.filter_for(user, "training_answer", path_field="org__path", self_field=None)
    ).exclude(Exists(answered))
