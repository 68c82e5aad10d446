"""Input no page or service should ever see: NUL characters (PostgreSQL refuses them in text; they are never real input)."""

from django.http import HttpResponse, JsonResponse
from django.middleware.gzip import GZipMiddleware


def _has_nul(querydict):
    return any("\x00" in value for values in querydict.lists() for value in values[1])


class RefuseNulCharactersMiddleware:
    """Answer 422 with a Chinese message when a query, form field or JSON body carries a NUL character."""

    message = "输入中含有不允许的控制字符(NUL)"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = _has_nul(request.GET)
        content_type = request.content_type or ""
        if not bad and request.method in ("POST", "PUT", "PATCH"):
            if content_type.startswith("application/json"):
                try:
                    body = request.body
                except Exception:  # too large etc.: let Django answer as usual
                    body = b""
                bad = b"\\u0000" in body or b"\x00" in body
            elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                bad = _has_nul(request.POST)
        if bad:
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": [{"loc": ["body"], "msg": self.message, "type": "value_error"}]}, status=422
                )
            return HttpResponse(self.message, status=422, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class DomainErrorPagesMiddleware:
    """A page view lets a service's ``NotFound`` (missing or out of scope) and ``Forbidden`` rise: they answer as
    Django's 404 and 403 pages, once here instead of ``except NotFound: raise Http404`` in every view. (The API
    answers them as JSON through its own exception handlers; views still catch ``Conflict`` and field errors to
    show them next to the form.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        from common.errors import Forbidden, NotFound

        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        if isinstance(exception, Forbidden):
            raise PermissionDenied(exception.message) from exception
        return None


class CompressPagesMiddleware(GZipMiddleware):
    """Pages and JSON go gzipped to a client that accepts it (issue 15: a phone on a 400 kbit/s link gets the home
    in a fifth of the bytes). Only HTML and JSON of at least ``min_length`` bytes, never a streamed or already
    encoded answer: downloads (xlsx, PDF, photos) are compressed already or streamed, and static files come
    compressed from whitenoise (brotli or gzip, made once at collectstatic).

    BREACH (a network observer who can make the victim's browser send many requests guesses a secret of a
    compressed page from the response sizes, with text of their own reflected in the same page) was weighed, and
    compression kept: the secret every page carries is the CSRF token, and Django masks it anew in every response, so
    no two pages carry the same token text to guess at; Django's GZipMiddleware (this class) also adds random bytes
    to every gzip header (Heal The Breach, Django >= 4.2), so a size does not tell a right guess from a wrong one;
    the session cookie is SameSite=Lax, so another site can make the browser send logged-in requests only as
    visible page loads; and production runs over HTTPS behind nginx. The other secrets, personal numbers
    (身份证号 etc.), are masked on pages and shown whole only by the logged 查看敏感信息 partial, which reflects no
    input of the request (nothing of an attacker's to compress against them)."""

    min_length = 1024
    types = ("text/html", "application/json")

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if response.streaming or not (content_type in self.types or content_type.endswith("+json")):
            return response
        if len(response.content) < self.min_length:
            return response
        return super().process_response(request, response)
