"""The JSON API under /api/ (django-ninja). Each app adds its router here."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.errors import ValidationError as NinjaValidationError

from common.api_auth import SessionAuth, TokenAuth
from common.errors import DomainError

api = NinjaAPI(
    title="红领 API",
    version="1",
    description="红领平台的 JSON 接口。会话(浏览器登录)或令牌(Authorization: Bearer <令牌>)认证;数据范围与页面相同。",
    auth=[SessionAuth(), TokenAuth()],
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def not_authenticated(request, exc):
    return api.create_response(request, {"detail": "未登录,或令牌无效/已撤销"}, status=401)


@api.exception_handler(AuthorizationError)
def not_authorized(request, exc):
    message = "CSRF 校验失败:请求须带 X-CSRFToken 头" if "CSRF" in str(exc.message) else "您的角色无权执行此操作"
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "对象不存在或不在您的权限范围内"}, status=404)


# pydantic's error types, in the words of the pages (the "type" stays for programs)
PYDANTIC_MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "date_parsing": "日期格式不正确,应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式不正确,应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式不正确",
    "string_type": "应为文字",
    "string_too_long": "太长",
    "string_too_short": "不能为空",
    "literal_error": "不在可选范围内",
    "enum": "不在可选范围内",
    "greater_than_equal": "数值太小",
    "greater_than": "数值太小",
    "less_than_equal": "数值太大",
    "less_than": "数值太大",
    "extra_forbidden": "不认识的字段",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "格式不正确",
    "dict_type": "格式不正确",
    "list_type": "应为列表",
}


@api.exception_handler(NinjaValidationError)
def invalid_input(request, exc):
    detail = []
    for error in exc.errors:
        error = dict(error)
        error["msg"] = PYDANTIC_MESSAGES.get(error.get("type"), error.get("msg", "格式不正确"))
        error.pop("ctx", None)
        error.pop("url", None)
        detail.append(error)
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(DomainError)
def domain_error(request, exc):
    return api.create_response(request, {"detail": exc.message}, status=exc.status)


def _register_routers():
    from care.api import router as care_router
    from frontline.api import router as frontline_router
    from hazards.api import router as hazards_router
    from orgs.api import router as orgs_router
    from scorecard.api import evaluation_router
    from scorecard.api import router as scorecard_router
    from selfcheck.api import router as selfcheck_router
    from training.api import router as training_router
    from vanguard.api import router as vanguard_router
    from violations.api import router as violations_router

    api.add_router("/", orgs_router)
    api.add_router("/hazards", hazards_router)
    api.add_router("/violations", violations_router)
    api.add_router("/vanguard", vanguard_router)
    api.add_router("/frontline", frontline_router)
    api.add_router("/training/", training_router)
    api.add_router("/care", care_router)
    api.add_router("/scorecard", scorecard_router)
    api.add_router("/evaluation", evaluation_router)
    api.add_router("/selfcheck", selfcheck_router)


_register_routers()
