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


urlpatterns = [path("__bench__/select1/", select1)] + list(site_urlpatterns)
