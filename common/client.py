"""The client's address, the one place that reads it (sensitive-read log, audit log, login lockout, request log).

Behind the documented nginx every request comes from 127.0.0.1 and nginx appends the real address to
``X-Forwarded-For``. That header is believed only when we are behind our own proxy: ``TRUSTED_PROXY_HOPS`` (env) is
the number of proxies of ours in front of the app (1 for the documented nginx, 0 = none: ``REMOTE_ADDR`` as it is).
The client is then the address ``TRUSTED_PROXY_HOPS`` places from the right of the header — what a client writes
into the header itself stands further left and is ignored.
"""

import ipaddress

from django.conf import settings


def _valid(text):
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR") or None
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    if hops <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote  # not through all our proxies (e.g. a direct request to the app port)
    return _valid(forwarded[-hops]) or remote
