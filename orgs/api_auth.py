"""API authentication: the browser session (with CSRF) or a personal token.

- ``SessionAuth``: the user logged in through the pages. Unsafe methods (POST, PATCH, ...) must carry the CSRF
  token (header ``X-CSRFToken``), as the pages' forms do; a request without it answers 403.
- ``TokenAuth``: ``Authorization: Bearer <令牌>``; only the token's SHA-256 is stored (``orgs.models.ApiToken``).
  A request that carries an ``Authorization`` header is judged by the token alone: a cross-site page cannot set
  that header, so CSRF does not apply, and a session cookie sent along does not rescue a bad token.
"""

import hashlib
from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

# last_used_at is refreshed at most this often: one write per token per minute, not per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_digest(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def account_usable(user):
    return user is not None and user.is_active and not user.must_change_password


class SessionAuth(NinjaSessionAuth):
    def __call__(self, request):
        # Not a session request: no CSRF check, let the next authenticator (the token) decide.
        if request.headers.get("Authorization") or not request.user.is_authenticated:
            return None
        # ninja's cookie authenticators run Django's CSRF check for unsafe methods here (403 when it fails).
        return super().__call__(request)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if account_usable(user) else None


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        from orgs.models import ApiToken

        if not token or len(token) > 200:
            return None
        found = ApiToken.objects.select_related("user").filter(digest=token_digest(token), revoked=False).first()
        if found is None or not account_usable(found.user):
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        _set_audit_actor(found.user)
        return found.user


def _set_audit_actor(user):
    """The audit middleware ran before the token was read (request.user was anonymous then): name the actor now."""
    try:
        from auditlog.context import auditlog_value
    except ImportError:  # pragma: no cover - auditlog changed its internals
        return
    context = auditlog_value.get(None)
    if isinstance(context, dict) and context.get("actor") is None:
        context["actor"] = user
