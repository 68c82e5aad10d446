"""One log line per request (SPEC §8): request id, user, method, path, status, duration.

The request id is nginx's ``X-Request-ID`` (``proxy_set_header X-Request-ID $request_id``) when it is a sane token,
else a new one; it goes back in the response header and onto every log line written while the request runs
(``RequestIdFilter``), so one request's lines can be found together across nginx, gunicorn and the app.

    2026-12-02 14:30:01,123 INFO hongling.request [5f0c1e2a9b3d4e6f] user=42 GET /hazards/ 200 38ms
"""

import contextvars
import logging
import re
import time
import uuid

logger = logging.getLogger("hongling.request")
current_request_id = contextvars.ContextVar("request_id", default="-")
SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id.get()
        return True


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if SANE.match(given) else uuid.uuid4().hex[:16]
        request.request_id = request_id
        token = current_request_id.set(request_id)
        started = time.monotonic()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            user = getattr(request, "user", None)
            who = user.pk if user is not None and getattr(user, "is_authenticated", False) else "-"
            elapsed = (time.monotonic() - started) * 1000
            path = request.path if len(request.path) <= 200 else request.path[:200] + "…"
            logger.info("user=%s %s %s %s %dms", who, request.method, path, status, elapsed)
            current_request_id.reset(token)
