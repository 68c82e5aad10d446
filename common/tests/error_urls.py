"""The project's URLs plus views that fail on purpose, for the error page tests."""

from django.db import OperationalError
from django.urls import path

from hongling.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("a bug")


def database_down(request):
    raise OperationalError("connection refused")


urlpatterns = [
    path("__boom__/", boom),
    path("api/__boom__", boom),
    path("__dbdown__/", database_down),
    *urlpatterns,
]
