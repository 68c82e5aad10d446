"""Pages of 在线答疑. Thin: parse input, call ``training.qa``, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from common import inputs
from common.errors import Conflict, Forbidden, NotFound
from common.pagination import page_of
from common.responses import stored_file
from orgs import scope
from training import qa
from training.forms import AcceptForm, AnswerForm, AskForm, ToBankForm
from training.models import KnowledgePoint


@login_required
@require_http_methods(["GET", "POST"])
def qa_list(request):
    errors, data = {}, {}
    if request.method == "POST":
        data = request.POST
        try:
            question = qa.ask(request.user, **inputs.parse(AskForm, request.POST, files=request.FILES))
        except ValidationError as exc:
            errors = exc.message_dict
        except Forbidden as exc:
            errors = {"text": [exc.message]}
        else:
            messages.success(request, "问题已提交,有人解答时会在首页告诉您")
            return redirect("training_qa_detail", question.pk)
    text = request.GET.get("q", "")
    page = page_of(request, qa.listing(request.user, text))
    context = {
        "page": page,
        "q": text,
        "errors": errors,
        "data": data,
        "points": KnowledgePoint.objects.all(),
        "can_ask": bool(request.user.person_id),
    }
    return render(request, "training/qa_list.html", context, status=422 if errors else 200)


@login_required
def qa_detail(request, pk):
    question = qa.get(request.user, pk)
    context = {
        "question": question,
        "answers": question.answers.select_related("author", "author__person"),
        "can_answer": qa.can_answer(request.user, question),
        "is_asker": question.asker_id == request.user.person_id,
        "can_bank": scope.can(request.user, "training_bank"),
        "points": KnowledgePoint.objects.all(),
    }
    return render(request, "training/qa_detail.html", context)


@login_required
@require_POST
def qa_answer(request, pk):
    question = qa.get(request.user, pk)
    try:
        qa.answer(request.user, question, **inputs.parse(AnswerForm, request.POST))
    except Forbidden:
        raise Http404
    except ValidationError as exc:
        messages.error(request, exc.message_dict["text"][0])
    else:
        messages.success(request, "解答已发布")
    return redirect("training_qa_detail", pk)


@login_required
@require_POST
def qa_accept(request, pk):
    question = qa.get(request.user, pk)
    try:
        qa.accept(request.user, question, **inputs.parse(AcceptForm, request.POST))
    except (Forbidden, NotFound):
        raise Http404
    except ValidationError as exc:
        messages.error(request, next(iter(exc.message_dict.values()))[0])
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已采纳这条解答")
    return redirect("training_qa_detail", pk)


@login_required
@require_POST
def qa_to_bank(request, pk, answer_pk):
    qa.get(request.user, pk)
    try:
        question = qa.to_bank(request.user, answer_pk, **inputs.parse(ToBankForm, request.POST))
    except (Forbidden, NotFound):
        raise Http404
    except ValidationError as exc:
        messages.error(request, next(iter(exc.message_dict.values()))[0])
        return redirect("training_qa_detail", pk)
    messages.success(request, "已加入题库(草稿),请完善后启用")
    return redirect("training_question_edit", question.pk)


@login_required
def qa_photo(request, pk):
    question = qa.get(request.user, pk)
    return stored_file(question.photo, "image/jpeg")
