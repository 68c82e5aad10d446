"""The pages a user sees when something goes wrong (issue 9): Chinese, inside the normal shell, with a way back.

Django calls these for 400/403/404/500 (``handler400`` … in hongling/urls.py). An API path gets a JSON body, never
HTML. When the database cannot be reached, nothing that needs it (the user, the menu) is touched: a plain Chinese
503 page, so a mine's intranet outage does not look like a bug.
"""

import logging
import sys
from urllib.parse import urlsplit

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("请求无法处理", "提交的内容不完整或格式不对。请返回上一页重新填写。"),
    403: ("没有权限", "您的账号不能进行这项操作。如需开通,请联系本矿党委(组织部)或系统管理员。"),
    404: ("页面不存在", "您要找的页面不存在,或不在您的查看范围内。"),
    500: ("系统出错了", "服务器处理时出现错误,已记录下来。您填写的内容如未保存,请返回上一页再试。"),
    503: ("系统暂时无法使用", "数据库暂时连接不上,请稍后再试。如一直如此,请联系系统管理员。"),
}
DB_DOWN = (OperationalError, InterfaceError)


def _api(request):
    return request.path.startswith("/api/")


def page(request, status, detail=""):
    title, text = MESSAGES[status]
    if _api(request):
        return JsonResponse({"detail": detail or title}, status=status)
    context = {"status": status, "title": title, "text": detail or text, "back_url": _back(request)}
    try:
        return render(request, "errors/page.html", context, status=status)
    except DatabaseError:  # the shell needs the user and the menu: show the page without them
        return _plain(request, 503)


def _back(request):
    """The page the user came from, when it is one of ours and not the page that failed."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        if urlsplit(referer).path != request.path:
            return referer
    return ""


def _plain(request, status):
    title, text = MESSAGES[status]
    if _api(request):
        return JsonResponse({"detail": title}, status=status)
    html = render_to_string("errors/plain.html", {"status": status, "title": title, "text": text})
    return HttpResponse(html, status=status)


def bad_request(request, exception=None):
    return page(request, 400)


def permission_denied(request, exception=None):
    return page(request, 403)


def not_found(request, exception=None):
    return page(request, 404)


def server_error(request):
    exc = sys.exc_info()[1]
    if isinstance(exc, DB_DOWN):
        log.error("database unreachable: %s", exc)
        return _plain(request, 503)
    try:
        return page(request, 500)
    except Exception:  # never let the error page itself fail
        log.exception("the error page failed")
        return _plain(request, 500)
