"""The JSON API under /api/ (django-ninja). Each app adds its router here."""
from ninja import NinjaAPI

from common.api_auth import SessionAuth, TokenAuth
from common.errors import DomainError

api = NinjaAPI(
    title="红领 API",
    version="1",
    description="红领平台的 JSON 接口。会话(浏览器登录)或令牌(Authorization: Bearer <令牌>)认证;数据范围与页面相同。",
    auth=[SessionAuth(), TokenAuth()],
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request, exc):
    return api.create_response(request, {"detail": exc.message}, status=exc.status)


def _register_routers():
    from frontline.api import router as frontline_router
    from hazards.api import router as hazards_router
    from orgs.api import router as orgs_router
    from vanguard.api import router as vanguard_router
    from violations.api import router as violations_router

    api.add_router("/", orgs_router)
    api.add_router("/hazards/", hazards_router)
    api.add_router("/violations/", violations_router)
    api.add_router("/vanguard/", vanguard_router)
    api.add_router("/frontline/", frontline_router)


_register_routers()
