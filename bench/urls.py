"""The site's URLs plus the bare baseline view the benchmarks compare pages with (bench only)."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.urls import path

from hongling.urls import urlpatterns as site_urlpatterns


@login_required
def select1(request):
    """One trivial SELECT behind the same middleware and login as the pages."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


@login_required
def insert1(request):
    """One INSERT into a scratch table behind the same middleware and login (the daily question's baseline)."""
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_insert (user_id, at) VALUES (%s, %s)", [request.user.pk, timezone.now()])
    return HttpResponse("ok", content_type="text/plain")


def ensure_insert_table():
    id_column = (
        "id bigserial PRIMARY KEY" if connection.vendor == "postgresql" else "id integer PRIMARY KEY AUTOINCREMENT"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS bench_insert ({id_column}, user_id integer, at timestamp)")


urlpatterns = [path("__bench__/select1/", select1), path("__bench__/insert1/", insert1)] + list(site_urlpatterns)
