"""API authentication: the browser session (with CSRF) or a personal token."""
import hashlib

from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth


def token_digest(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


class SessionAuth(NinjaSessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user and user.is_active and not user.must_change_password:
            return user
        return None


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        from orgs.models import ApiToken

        found = ApiToken.objects.select_related("user").filter(digest=token_digest(token), revoked=False).first()
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user
