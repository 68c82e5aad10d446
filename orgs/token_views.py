"""The page where a logged-in user creates (shown once), lists and revokes their own API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import DomainError
from orgs import token_services


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    user = request.user
    name = ""
    errors = {}
    created = raw = None
    status = 200
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            created, raw = token_services.create_token(user, name, nonce=request.POST.get("nonce"))
        except ValidationError as exc:
            errors = exc.message_dict
            status = 422
        except DomainError as exc:
            errors = {"__all__": [exc.message]}
            status = exc.status
        else:
            name = ""
    context = {
        "tokens": token_services.tokens_of(user),
        "created": created,
        "raw": raw,
        "name": name,
        "name_errors": errors.get("name", []),
        "form_errors": [m for f, msgs in errors.items() if f != "name" for m in msgs],
        # after a field error the same form is sent again: keep its nonce (nothing was created with it)
        "nonce": request.POST.get("nonce") if status == 422 else token_services.new_nonce(),
        "max_tokens": token_services.MAX_ACTIVE_TOKENS,
    }
    return render(request, "orgs/tokens.html", context, status=status)


@login_required
@require_POST
def token_revoke(request, pk):
    token = token_services.revoke_token(request.user, pk)
    messages.success(request, f"已吊销令牌“{token.name}”,使用它的程序将无法再访问")
    return redirect("api_tokens")
