from django.urls import include, path

from common import health
from hongling import views as home_views
from hongling.api import api

urlpatterns = [
    path("", home_views.home, name="home"),
    path("favicon.ico", home_views.favicon),
    path("healthz", health.healthz, name="healthz"),
    path("menu/", home_views.menu, name="menu"),
    path("accounts/", include("orgs.account_urls")),
    path("", include("orgs.urls")),
    path("", include("orgs.excel_urls")),
    path("", include("common.import_urls")),
    path("", include("orgs.admin_urls")),
    path("", include("orgs.token_urls")),
    path("hazards/", include("hazards.urls")),
    path("violations/", include("violations.urls")),
    path("vanguard/", include("vanguard.urls")),
    path("frontline/", include("frontline.urls")),
    path("training/", include("training.urls")),
    path("care/", include("care.urls")),
    path("leadership/", include("leadership.urls")),
    path("stability/", include("stability.urls")),
    path("api/", api.urls),
]

handler400 = "common.error_pages.bad_request"
handler403 = "common.error_pages.permission_denied"
handler404 = "common.error_pages.not_found"
handler500 = "common.error_pages.server_error"
