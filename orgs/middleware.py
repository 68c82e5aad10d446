from auditlog.middleware import AuditlogMiddleware
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

ALLOWED_PREFIXES = ("/static/", "/accounts/logout", "/accounts/password", "/api/")


class ForcePasswordChangeMiddleware:
    """A first login (or a reset by an admin) must choose a new password before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not request.path.startswith(ALLOWED_PREFIXES)
        ):
            return redirect(reverse("password_change"))
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and request.path.startswith("/api/")
        ):
            # a one-time code (a reset by an admin) opens nothing but the password change: not the API either
            return JsonResponse({"detail": "请先修改密码"}, status=403)
        return self.get_response(request)


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, but the recorded IP is ``common.client.client_ip`` (X-Forwarded-For only
    behind our own proxy, otherwise any client could forge it)."""

    @staticmethod
    def _get_remote_addr(request):
        from common.client import client_ip

        return client_ip(request)

    def __call__(self, request):
        from auditlog.context import auditlog_value

        try:
            return super().__call__(request)
        finally:
            # auditlog leaves its context (the actor) set after the request: a later write in the same thread that
            # is no request (a command, a task, a test) must not be recorded as that user's
            auditlog_value.set({})
