"""A short cache of the home page's parts (issue 15), correct after every write.

The home gathers every module's tiles, cards and 待办; computed afresh they cost dozens of queries. Each *part* (one
provider) is kept for ``HOME_CACHE_SECONDS`` under a key holding the user and the day, together with a *stamp*: the
write generation, at the time it was computed, of every table it read. A kept part is used while none of those
tables has been written since; a write to the hazards recomputes the parts that read hazards, not the care tile.

The generations are rows of ``common.HomeGeneration`` (one per table that has been written, read in one query per
request), so two app servers, which share only the database, agree on them; each keeps its values in its own memory
(the ``home`` cache).

What a part read is recorded, not declared: while a part is computed, the database execute wrapper notes every table
named in each SELECT it runs (and what the request's memos of ``orgs.scope.memo`` read, when a part uses them; the
user, their person, roles and org tree are read before any part, so every stamp holds those tables and the places:
``ALWAYS_READ``). A part that reads a table in ``NOT_WATCHED`` is computed on every request, whatever it is
registered as.

How every write is seen: the same wrapper looks at each statement; an INSERT, UPDATE or DELETE on a table other than
the few written all day (``NOT_WATCHED``: the daily-question answers, sessions, audit and access logs, job progress,
login records) raises that table's generation once the transaction commits; a write whose table it cannot tell (a
write inside a CTE, TRUNCATE, anything else that is not a read) raises ``*``, which every stamp holds. That covers
``save()`` / ``delete()``, the workflow kernel's compare-and-set ``update()``, ``bulk_create`` of the imports and raw
SQL alike: nothing has to remember to call it. Raising after the commit (in autocommit, one statement per table,
in the order of their names, so raisers never wait on each other in a cycle) keeps writers from queueing on the
rows: a reader that read an old number meanwhile stores a stamp that no longer matches, and computes again.

What a part shows must depend only on the records and the day (not the time of day): a part that reads the clock is
registered ``live=True`` and computed on every request (e.g. the open exam). The tests run with the cache off
(``HONGLING_HOME_CACHE = False``) except those about it.
"""

import functools
import re
import threading

from django.conf import settings
from django.db import transaction

ANY = "*"  # the generation of writes whose table is not known: part of every stamp

# model labels whose writes do not raise a generation: written all day; a part that reads one is never kept
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
# what every request reads before any part, or a part may take from an object another part loaded (the user, their
# person, its org node and job type, the roles; places and their units): in every stamp
ALWAYS_READ = ("orgs.User", "orgs.Person", "orgs.OrgNode", "orgs.JobType", "orgs.RoleAssignment", "places")
READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET ", "SHOW", "PRAGMA", "EXPLAIN")
_TABLE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)
_WORD = re.compile(r"[a-z_][a-z0-9_]*")
# an account's last_login (each login) changes nothing a home shows
_LAST_LOGIN = re.compile(r'^UPDATE "orgs_user" SET "last_login" = %s WHERE', re.IGNORECASE)
_tables = {}
_local = threading.local()


def enabled():
    return getattr(settings, "HONGLING_HOME_CACHE", True)


def _known():
    """{"all": every model's table, "ignored": the NOT_WATCHED ones, "live": those a kept part may not read, "always":
    those of ALWAYS_READ} (lower case)."""
    if not _tables:
        from django.apps import apps

        every = {m._meta.db_table.lower() for m in apps.get_models(include_auto_created=True)}
        ignored = set(NOT_WATCHED_RAW)
        for label in NOT_WATCHED:
            try:
                ignored.add(apps.get_model(label)._meta.db_table.lower())
            except LookupError:
                continue
        always = set()
        for label in ALWAYS_READ:
            models = [apps.get_model(label)] if "." in label else apps.get_app_config(label).get_models()
            always.update(m._meta.db_table.lower() for m in models)
        from common.models import HomeGeneration

        live = ignored - {HomeGeneration._meta.db_table.lower()}  # (the generations are read by every request)
        _tables.update(all=frozenset(every), ignored=frozenset(ignored), live=frozenset(live), always=frozenset(always))
    return _tables


def written_table(sql):
    """The table a statement writes (lower case), ``ANY`` for a write whose table cannot be told, None for a read
    or a write no part follows."""
    head = sql.lstrip()[:12].upper()
    if head.startswith(READS):
        return None
    if head.startswith("WITH"):  # a write inside a CTE counts, whatever its table
        return ANY if _writes_in(sql) else None
    match = _TABLE.match(sql)
    if match is None:  # schema changes hold no records; TRUNCATE / REPLACE (and what else writes rows) count
        schema = head.startswith(("CREATE", "ALTER", "DROP", "DECLARE", "CLOSE", "FETCH", "MOVE", "ANALYZE", "VACUUM"))
        return None if schema else ANY
    if _LAST_LOGIN.match(sql.strip()) and sql.count("%s") == 2:
        return None
    table = match.group(1).lower()
    return None if table in _known()["ignored"] else table


def _writes_in(sql):
    upper = sql.upper()
    return any(word in upper for word in ("INSERT ", "UPDATE ", "DELETE "))


def tables_read(sql):
    """The tables of the project a SELECT names (any word of the statement that is a table's name)."""
    return set(_WORD.findall(sql.lower())) & _known()["all"]


def bump(tables, using="default"):
    """Raise the generation of ``tables`` (in autocommit, after the writer's transaction; one statement each, an
    upsert: no transaction of its own, which SQLite could not commit while the writer's INSERT … RETURNING is read)."""
    from django.db import DatabaseError, connections

    from common.models import HomeGeneration

    connection = connections[using]
    quote = connection.ops.quote_name
    name, table_col, n_col = quote(HomeGeneration._meta.db_table), quote("table"), quote("n")
    sql = (
        f"INSERT INTO {name} ({table_col}, {n_col}) VALUES (%s, 1) "
        f"ON CONFLICT ({table_col}) DO UPDATE SET {n_col} = {name}.{n_col} + 1"
    )
    try:
        with connection.cursor() as cursor:
            for table in sorted(tables):
                cursor.execute(sql, [table])
    except DatabaseError:
        # while the database is migrated up to the table's last column, nothing is cached yet; otherwise an error
        introspection = connection.introspection
        if HomeGeneration._meta.db_table in introspection.table_names():
            with connection.cursor() as cursor:
                columns = {c.name for c in introspection.get_table_description(cursor, HomeGeneration._meta.db_table)}
            if "table" in columns:
                raise


class _Bump:
    """The queued raise of one connection's transaction: the tables it wrote, however many writes it makes."""

    def __init__(self, alias, table):
        self.__qualname__ = "homecache.bump"  # (Django names the callback so in the log when a raise fails)
        self.alias = alias
        self.tables = {table}

    def __call__(self):
        bump(self.tables, self.alias)


def _queued(connection):
    return next((func for _sids, func, _robust in connection.run_on_commit if isinstance(func, _Bump)), None)


def _recording():
    return _local.__dict__.setdefault("stack", [])


def watch(execute, sql, params, many, context):
    """The execute wrapper: after a watched write, raise its table's generation when the transaction commits; while a
    part is computed, note the tables each read names."""
    result = execute(sql, params, many, context)
    if not isinstance(sql, str):
        return result
    table = written_table(sql)
    if table is not None:
        connection = context["connection"]
        queued = _queued(connection)
        if queued is not None:
            queued.tables.add(table)
        else:  # robust: a failed raise is logged and does not undo the writer's committed work
            transaction.on_commit(_Bump(connection.alias, table), using=connection.alias, robust=True)
    else:
        stack = _recording()
        if stack:
            stack[-1].update(tables_read(sql))
    return result


def install(connection, **kwargs):
    """``connection_created`` receiver (and once for the connections already open)."""
    if watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch)


class reading:
    """``with reading() as tables:`` collects the tables the block reads (a nested block's count for the outer)."""

    def __enter__(self):
        self.tables = set()
        _recording().append(self.tables)
        return self.tables

    def __exit__(self, *exc):
        stack = _recording()
        stack.pop()
        if stack:
            stack[-1].update(self.tables)


def note_read(tables):
    """What a memo read when it was computed, read again from the memo: counts for the part being computed."""
    stack = _recording()
    if stack:
        stack[-1].update(tables)


def remember(store, key, compute):
    """``store[key]``, computed once, with the tables it read (see ``orgs.scope.memo``)."""
    if key not in store:
        with reading() as tables:
            value = compute()
        store[key] = (value, frozenset(tables))
    value, tables = store[key]
    note_read(tables)
    return value


def generations(user):
    """{table: generation}, read once per request (kept on the user object like the roles)."""
    # (in the object's own __dict__, as orgs.scope.memo keeps its memo: request.user is a SimpleLazyObject, whose
    # attributes set with ``=`` land on the wrapped user, not in the __dict__ looked at)
    store = user.__dict__
    if "_home_generations" not in store:
        from common.models import HomeGeneration

        store["_home_generations"] = dict(HomeGeneration.objects.values_list("table", "n"))
    return store["_home_generations"]


def add_provider(providers, live_set, provider, *, live):
    """Register a home provider once (in order) and, when ``live``, mark it as computed on every request: the one body
    of ``register_tile``, ``register_card`` and ``todos.register``."""
    if provider not in providers:
        providers.append(provider)
    if live:
        live_set.add(provider)
    return provider


def _current(stamp, gens):
    return all(gens.get(table, 0) == n for table, n in stamp)


def kept(name, user, computes):
    """{key: computes[key]()}: each part's value as it was computed for the same user and day while none of the tables
    it read has been written since (within ``HONGLING_HOME_CACHE_SECONDS``), the others computed now."""
    if not enabled() or not getattr(user, "is_authenticated", False):
        return {key: compute() for key, compute in computes.items()}
    from django.core.cache import caches
    from django.utils import timezone

    cache = caches[getattr(settings, "HONGLING_HOME_CACHE_ALIAS", "home")]
    cache_key = f"home:{name}:{user.pk}:{timezone.localdate():%Y%m%d}"
    gens = generations(user)
    entry = _safely(cache.get, cache_key) or {}
    values, changed = {}, False
    for key, compute in computes.items():
        found = entry.get(key)
        if found is not None and _current(found[0], gens):
            values[key] = found[1]
            continue
        with reading() as tables:
            values[key] = compute()
        known = _known()
        if tables & known["live"]:  # it reads a table written all day: computed on every request
            # (the entry is stored again only when it held the part: not re-pickled on every request)
            changed = entry.pop(key, None) is not None or changed
            continue
        changed = True
        read = sorted(tables | known["always"])
        entry[key] = (tuple((table, gens.get(table, 0)) for table in [ANY, *read]), values[key])
    if changed:
        _safely(cache.set, cache_key, entry, getattr(settings, "HONGLING_HOME_CACHE_SECONDS", 3600))
    return values


def _safely(call, *args):
    """A call to the cache; when the cache server (Redis) does not answer, None: the parts are computed, the home is
    not refused."""
    try:
        return call(*args)
    except Exception:  # (redis' ConnectionError, TimeoutError … : whatever the backend raises)
        import logging

        logging.getLogger(__name__).warning("the home cache did not answer; the home is computed", exc_info=True)
        return None


def provided(name, user, providers, live, call):
    """``[call(p) for p in providers]``, those not in ``live`` kept as ``kept`` keeps a part (under the provider's
    dotted name): the one body of the home's tiles, cards and 待办."""

    def key(provider):
        return f"{provider.__module__}.{provider.__qualname__}"

    stored = kept(name, user, {key(p): functools.partial(call, p) for p in providers if p not in live})
    return [call(p) if p in live else stored[key(p)] for p in providers]


def cached(name, user, compute):
    """``compute()``, or what it gave for the same user and day while nothing it read has been written since."""
    return kept(name, user, {"": compute})[""]


def clear():
    from django.core.cache import caches

    caches[getattr(settings, "HONGLING_HOME_CACHE_ALIAS", "home")].clear()


def shared():
    """Whether the kept parts live outside this process (Redis, ``HONGLING_CACHE_URL``): what one process computes,
    every server process reads."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    return not isinstance(caches[getattr(settings, "HONGLING_HOME_CACHE_ALIAS", "home")], LocMemCache)


def warm(users, log=None):
    """Compute the home of each of ``users`` as a GET / would (the view itself, resolved from the URL), so that the
    parts are kept when they come: (homes computed, homes that failed). A failure is logged and the next user taken."""
    import logging

    from django.test import RequestFactory
    from django.urls import resolve

    match = resolve("/")
    hosts = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith((".", "*"))]
    factory = RequestFactory(HTTP_HOST=hosts[0] if hosts else "localhost")
    done = failed = 0
    for user in users:
        request = factory.get("/")
        request.user, request.resolver_match = user, match
        try:
            match.func(request)
            done += 1
        except Exception:  # one user's home must not stop the others'
            logging.getLogger(__name__).exception("warming the home of user %s failed", user.pk)
            failed += 1
        if log is not None and (done + failed) % 500 == 0:
            log(done, failed)
    return done, failed
