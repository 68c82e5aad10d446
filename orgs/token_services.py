"""Personal API tokens: create (the raw token is shown once, only its SHA-256 is kept), list, revoke.

A user manages only their own tokens; someone else's token answers NotFound (404).

Double submit: the creation form carries a random ``nonce``; the raw token is an HMAC (with SECRET_KEY) of the
user and that nonce, so the same form sent twice (double tap, retry on a bad network) meets the same digest and
creates one token — the second answer shows the same token instead of a second one.
"""

import base64
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from common.errors import Conflict, NotFound
from orgs.api_auth import token_digest
from orgs.models import ApiToken, User

TOKEN_PREFIX = "hl_"
MAX_ACTIVE_TOKENS = 10
# A repeated form is answered with the same token only this soon after the first submission.
RESUBMIT_WINDOW = timedelta(minutes=10)
MAX_ID = 2**63 - 1


def new_nonce():
    return secrets.token_urlsafe(16)


def tokens_of(user):
    return ApiToken.objects.filter(user=user).order_by("revoked", "-created_at", "-pk")


def _clean_name(name):
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["请填写用途,例如“调度室大屏”"]})
    if len(name) > 60:
        raise ValidationError({"name": ["用途不能超过60个字"]})
    if "\x00" in name:
        raise ValidationError({"name": ["用途包含非法字符"]})
    return name


def _raw_token(user, nonce):
    if not nonce or len(nonce) > 64:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)
    mac = salted_hmac("hongling.api-token", f"{user.pk}:{nonce}", algorithm="sha256").digest()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(mac).decode().rstrip("=")


@transaction.atomic
def create_token(user, name, nonce=None):
    """Return (ApiToken, raw token). The raw token cannot be recovered later: the page shows it once."""
    if not user.is_authenticated or not user.is_active:
        raise NotFound()
    name = _clean_name(name)
    # Lock the user's row: simultaneous submissions of one user run one after the other.
    User.objects.select_for_update().filter(pk=user.pk).first()
    raw = _raw_token(user, nonce)
    existing = ApiToken.objects.filter(digest=token_digest(raw)).first()
    if existing is not None:
        recent = existing.created_at > timezone.now() - RESUBMIT_WINDOW
        if existing.user_id == user.pk and not existing.revoked and recent:
            return existing, raw
        raise Conflict("该表单已提交过,请刷新页面后重新创建")
    if ApiToken.objects.filter(user=user, revoked=False).count() >= MAX_ACTIVE_TOKENS:
        raise Conflict(f"有效令牌最多 {MAX_ACTIVE_TOKENS} 个,请先吊销不用的令牌")
    token = ApiToken.objects.create(user=user, name=name, digest=token_digest(raw), prefix=raw[:8])
    return token, raw


@transaction.atomic
def revoke_token(user, pk):
    """Revoke one of the user's own tokens. Revoking an already revoked token changes nothing."""
    token = None
    if user.is_authenticated and 0 < int(pk) <= MAX_ID:
        token = ApiToken.objects.select_for_update().filter(user=user, pk=pk).first()
    if token is None:
        raise NotFound("令牌不存在")
    if not token.revoked:
        token.revoked = True
        token.save(update_fields=["revoked"])
    return token
