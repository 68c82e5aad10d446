"""The JSON API under /api/ (django-ninja). Each app adds its router here."""

import json

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from common.errors import DomainError
from orgs.api_auth import SessionAuth, TokenAuth


class BodyNotAnObject(ValueError):
    pass


class ObjectParser(Parser):
    """A JSON body must be an object: an array, a number or a string is refused (422), not read as "no fields"."""

    def parse_body(self, request):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise BodyNotAnObject()
        return data


# answers every operation can give besides its own (the schema of each names them)
COMMON_RESPONSES = {
    "400": "请求格式不正确(不是有效的 JSON,或含有 NUL 字符)",
    "403": "无权执行此操作:角色不允许、CSRF 校验失败,或须先修改密码",
}


class HonglingAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        # The document depends only on the code: built once per process (it takes seconds on a busy machine), then
        # served from memory.
        key = (path_prefix, tuple(sorted((path_params or {}).items())))
        cache = self.__dict__.setdefault("_openapi_cache", {})
        if key not in cache:
            cache[key] = self._build_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return cache[key]

    def _build_openapi_schema(self, *, path_prefix, path_params):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        detail = {
            "type": "object",
            "properties": {"detail": {"title": "说明", "type": "string"}},
            "required": ["detail"],
        }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in COMMON_RESPONSES.items():
                    if status in responses or int(status) in responses:  # ninja keys its own by int: one key each
                        continue
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": detail}},
                    }
        return schema


api = HonglingAPI(
    title="红领 API",
    parser=ObjectParser(),
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


@api.exception_handler(HttpError)
def http_error(request, exc):
    if isinstance(exc.__cause__, BodyNotAnObject):
        detail = [{"type": "dict_type", "loc": ["body"], "msg": "请求体应为 JSON 对象({...})"}]
        return api.create_response(request, {"detail": detail}, status=422)
    if isinstance(exc.__cause__, ValueError):
        return api.create_response(request, {"detail": "请求体不是有效的 JSON"}, status=400)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


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


def validation_errors(exc):
    """{field: [Chinese messages]} of a Django ``ValidationError`` ("__all__" for errors of the whole input)."""
    if hasattr(exc, "error_dict"):
        return {field: [m for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
    return {"__all__": list(exc.messages)}


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    """422 for a service's ``ValidationError``, in the shape of ninja's own 422 plus ``errors`` per field."""
    errors = validation_errors(exc)
    detail = [
        {"loc": ["body"] if field == "__all__" else ["body", field], "msg": msg, "type": "value_error"}
        for field, msgs in errors.items()
        for msg in msgs
    ]
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def _register_routers():
    from care.api import router as care_router
    from frontline.api import router as frontline_router
    from hazards.api import router as hazards_router
    from leadership.api import router as leadership_router
    from orgs.api import router as orgs_router
    from scorecard.api import evaluation_router
    from scorecard.api import router as scorecard_router
    from selfcheck.api import router as selfcheck_router
    from stability.api import router as stability_router
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
    api.add_router("/leadership", leadership_router)
    api.add_router("/stability", stability_router)
    api.add_router("/scorecard", scorecard_router)
    api.add_router("/evaluation", evaluation_router)
    api.add_router("/selfcheck", selfcheck_router)


_register_routers()
