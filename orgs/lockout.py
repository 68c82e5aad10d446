"""Login lockout (django-axes), keyed by the person, not the string typed (issue 14, finding 7).

- ``person_key`` (``AXES_USERNAME_CALLABLE``): both login names of an account (工号 and ``<矿代码>-<工号>``) give
  the same key ``user:<id>``; an unknown login name keys as ``login:<text>``.
- ``PersonLockoutHandler``: locked per (person, client address) after ``LOGIN_FAILURE_LIMIT`` (5) failures, and per
  person from every address only after ``LOGIN_FAILURE_LIMIT_PERSON`` (30): a stranger cannot lock a worker out of
  their own phone with five requests, and a slow guess from many addresses still stops.
- ``lockouts_for(actor)``: who is being locked out, for the secretary / admin page.
"""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

from orgs import scope


def key_for_user(user):
    return f"user:{user.pk}"


def person_key(request, credentials=None):
    from orgs.backends import users_for_login

    credentials = credentials or {}
    login = str(credentials.get("username") or "").strip()
    if not login:
        return None
    mine = credentials.get("mine")
    users = list(users_for_login(login, mine)[:2])
    if len(users) == 1:
        return key_for_user(users[0])
    return f"login:{login[:100]}"


class PersonLockoutHandler(AxesDatabaseHandler):
    """Two thresholds over the two lockout parameter sets [(username, ip_address), username]."""

    def get_failures(self, request, credentials=None):
        pair, person = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = settings.AXES_FAILURE_LIMIT
        if pair >= limit or person >= settings.LOGIN_FAILURE_LIMIT_PERSON:
            return limit
        return min(pair, limit - 1)


def _recent(attempts):
    cooloff = settings.AXES_COOLOFF_TIME
    if isinstance(cooloff, timedelta):
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cooloff)
    return attempts


def locked_user_ids(user_ids):
    """Which of these accounts are locked right now (from one address, or from all of them)."""
    from axes.models import AccessAttempt

    keys = {key_for_user_id(pk): pk for pk in user_ids}
    if not keys:
        return set()
    rows = (
        _recent(AccessAttempt.objects.filter(username__in=keys))
        .values("username", "ip_address")
        .annotate(n=Sum("failures_since_start"))
    )
    per_pair, per_person = {}, {}
    for row in rows:
        per_pair[(row["username"], row["ip_address"])] = row["n"]
        per_person[row["username"]] = per_person.get(row["username"], 0) + row["n"]
    locked = {u for (u, _), n in per_pair.items() if n >= settings.AXES_FAILURE_LIMIT}
    locked |= {u for u, n in per_person.items() if n >= settings.LOGIN_FAILURE_LIMIT_PERSON}
    return {keys[u] for u in locked}


def key_for_user_id(pk):
    return f"user:{pk}"


def unlock(user):
    from axes.models import AccessAttempt

    AccessAttempt.objects.filter(username=key_for_user(user)).delete()


def lockouts_for(actor):
    """[(user, [(ip, failures, last)], total, locked)] of accounts in the actor's scope with recent failures, most
    failures first. Admins see the accounts they manage; secretaries and the committee the people of their subtree."""
    from axes.models import AccessAttempt

    from orgs.models import User

    rows = list(
        _recent(AccessAttempt.objects.filter(username__startswith="user:"))
        .values("username", "ip_address")
        .annotate(n=Sum("failures_since_start"), last=Max("attempt_time"))
    )
    ids = {int(r["username"].split(":", 1)[1]) for r in rows if r["username"].split(":", 1)[1].isdigit()}
    if not ids:
        return []
    users = User.objects.filter(pk__in=ids).select_related("person", "person__org")
    if not actor.is_superuser:
        from orgs.services import manageable_users

        managed = manageable_users(actor).filter(pk__in=ids).values("pk")
        in_subtree = scope.filter_for(actor, "sensitive", path_field="person__org__path", self_field=None)
        users = users.filter(in_subtree) | users.filter(pk__in=managed)
    by_key = {key_for_user(u): u for u in users.distinct()}
    result = {}
    for r in rows:
        user = by_key.get(r["username"])
        if user is not None:
            result.setdefault(user.pk, (user, []))[1].append((r["ip_address"], r["n"], r["last"]))
    out = []
    for user, addresses in result.values():
        total = sum(n for _, n, _ in addresses)
        locked = any(n >= settings.AXES_FAILURE_LIMIT for _, n, _ in addresses)
        everywhere = total >= settings.LOGIN_FAILURE_LIMIT_PERSON
        addresses.sort(key=lambda a: -a[1])
        out.append({"user": user, "addresses": addresses, "total": total, "locked": locked, "everywhere": everywhere})
    return sorted(out, key=lambda row: -row["total"])


def can_see_lockouts(actor):
    return scope.can(actor, "manage_accounts") or scope.can(actor, "sensitive")
