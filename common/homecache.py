"""A short cache of the home page's parts (issue 15), correct after every write.

The home gathers every module's tiles and 待办; computed afresh they cost dozens of queries. What a part computed is
kept for ``HOME_CACHE_SECONDS`` under a key holding the user, the day and the *write generation*: one number in the
database (``common.HomeGeneration``) that every committed write raises. So a value is only ever read back while no
write has been committed since it was computed, whatever process or server made the write (two app servers share
only the database; each keeps its values in its own memory, the ``home`` cache).

How every write is seen: a database execute wrapper on every connection looks at each statement; an INSERT, UPDATE,
DELETE (or any statement that is not a read) on a table other than the few written all day that no cached part reads
(``NOT_WATCHED``: the daily-question answers, sessions, audit and access logs, job progress, login records) raises
the generation once the transaction commits. That covers ``save()`` / ``delete()``, the workflow kernel's
compare-and-set ``update()``, ``bulk_create`` of the imports and raw SQL alike: nothing has to remember to call it.
Raising it after the commit (not inside the transaction) keeps writers from queueing on the row: a reader that read
the old number meanwhile stores under the old key, which nobody reads again.

What a part shows must depend only on the records and the day (not the time of day): a part that reads the clock or
a table in ``NOT_WATCHED`` is registered ``live=True`` and computed on every request (e.g. the open exam, the day's
question). The tests run with the cache off (``HONGLING_HOME_CACHE = False``) except those about it.
"""

import re

from django.conf import settings
from django.db import transaction
from django.db.models import F

ROW = 1  # the one row of common.HomeGeneration
_MISSING = object()

# model labels whose writes do not raise the generation: written all day, read by no cached part
NOT_WATCHED = (
    "training.DailyQuestion",
    "orgs.SensitiveAccess",
    "frontline.DiaryRead",
    "auditlog.LogEntry",
    "sessions.Session",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "django_tasks_db.DBTaskResult",
    "common.GeneratedFile",
    "common.ImportJob",
    "common.HomeGeneration",
)
NOT_WATCHED_RAW = ("bench_insert",)  # the benchmarks' scratch table
READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET ", "SHOW", "PRAGMA", "EXPLAIN")
_TABLE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)
# an account's last_login (each login) changes nothing a home shows
_LAST_LOGIN = re.compile(r'^UPDATE "orgs_user" SET "last_login" = %s WHERE', re.IGNORECASE)
_ignored_tables = None


def enabled():
    return getattr(settings, "HONGLING_HOME_CACHE", True)


def _ignored():
    global _ignored_tables
    if _ignored_tables is None:
        from django.apps import apps

        tables = set(NOT_WATCHED_RAW)
        for label in NOT_WATCHED:
            try:
                tables.add(apps.get_model(label)._meta.db_table.lower())
            except LookupError:
                continue
        _ignored_tables = frozenset(tables)
    return _ignored_tables


def is_watched_write(sql):
    """True for a statement after which a cached part may read something else."""
    head = sql.lstrip()[:12].upper()
    if head.startswith(READS):
        return False
    if head.startswith("WITH"):  # a write inside a CTE counts, whatever its table
        return _writes_in(sql)
    match = _TABLE.match(sql)
    if match is None:  # schema changes hold no records; TRUNCATE / REPLACE (and what else writes rows) count
        return not head.startswith(
            ("CREATE", "ALTER", "DROP", "DECLARE", "CLOSE", "FETCH", "MOVE", "ANALYZE", "VACUUM")
        )
    if _LAST_LOGIN.match(sql.strip()) and sql.count("%s") == 2:
        return False
    return match.group(1).lower() not in _ignored()


def _writes_in(sql):
    upper = sql.upper()
    return any(word in upper for word in ("INSERT ", "UPDATE ", "DELETE "))


def _bump_after_commit(using="default"):
    """Raise the generation (in autocommit, after the writer's transaction)."""
    from django.db import DatabaseError, IntegrityError, connections

    from common.models import HomeGeneration

    rows = HomeGeneration.objects.using(using)
    try:
        if not rows.filter(pk=ROW).update(n=F("n") + 1):
            try:
                with transaction.atomic(using=using):
                    rows.create(pk=ROW, n=1)
            except IntegrityError:  # another process made it meanwhile
                rows.filter(pk=ROW).update(n=F("n") + 1)
    except DatabaseError:
        # while the database is migrated up to the table, nothing is cached yet; otherwise it is an error
        if HomeGeneration._meta.db_table in connections[using].introspection.table_names():
            raise


class _Bump:
    """The queued raise of one connection (one per transaction however many writes it makes)."""

    def __init__(self, alias):
        self.alias = alias

    def __call__(self):
        _bump_after_commit(self.alias)


def _queued(connection):
    return any(isinstance(func, _Bump) for _sids, func, _robust in connection.run_on_commit)


def watch(execute, sql, params, many, context):
    """The execute wrapper: after a watched write, raise the generation when the transaction commits."""
    result = execute(sql, params, many, context)
    connection = context["connection"]
    if isinstance(sql, str) and is_watched_write(sql) and not _queued(connection):
        # robust: a failed raise is logged and does not undo the writer's committed work
        transaction.on_commit(_Bump(connection.alias), using=connection.alias, robust=True)
    return result


def install(connection, **kwargs):
    """``connection_created`` receiver (and once for the connections already open)."""
    if watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch)


def generation(user):
    """The write generation, read once per request (kept on the user object like the roles)."""
    store = user.__dict__.setdefault("_scope_memo", {})
    if "home_generation" not in store:
        from common.models import HomeGeneration

        store["home_generation"] = HomeGeneration.objects.filter(pk=ROW).values_list("n", flat=True).first() or 0
    return store["home_generation"]


def add_provider(providers, live_set, provider, *, live):
    """Register a home provider once (in order) and, when ``live``, mark it as computed on every request: the one body
    of ``register_tile``, ``register_card`` and ``todos.register``."""
    if provider not in providers:
        providers.append(provider)
    if live:
        live_set.add(provider)
    return provider


def cached(name, user, compute):
    """``compute()``, or what it gave for the same user, day and write generation within the last few minutes."""
    if not enabled() or not getattr(user, "is_authenticated", False):
        return compute()
    from django.core.cache import caches
    from django.utils import timezone

    cache = caches[getattr(settings, "HONGLING_HOME_CACHE_ALIAS", "home")]
    key = f"home:{name}:{user.pk}:{timezone.localdate():%Y%m%d}:{generation(user)}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, getattr(settings, "HONGLING_HOME_CACHE_SECONDS", 300))
    return value


def clear():
    from django.core.cache import caches

    caches[getattr(settings, "HONGLING_HOME_CACHE_ALIAS", "home")].clear()
