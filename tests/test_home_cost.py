"""Issue 15: each role's home costs a fixed number of queries, whatever the size of the branch, and what the home keeps
between requests (common/homecache.py) equals a fresh computation after every kind of write."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from tests.test_crawl import roles

# the most queries one GET / may cost with nothing kept (every tile and 待办 computed), per role
COLD = {
    "secretary@branch": 93,
    "branch_committee@branch": 61,
    "committee@mine": 82,
    "safety@mine": 62,
    "team_leader@team": 59,
    "member@team": 38,
    "worker@team": 34,
}
# ... and with what was kept since the last write (the generation, the session, the live parts)
WARM = {
    "secretary@branch": 17,
    "branch_committee@branch": 17,
    "committee@mine": 17,
    "safety@mine": 17,
    "team_leader@team": 17,
    "member@team": 17,
    "worker@team": 17,
}
GROWN = ("hazards", "violations", "vanguard", "frontline", "care", "leadership", "stability", "selfcheck", "training")


@pytest.fixture
def demo_world(db):
    from orgs import demo

    demo.generate("small", log=lambda message: None)
    return roles()


@pytest.fixture
def committed_world(transactional_db):
    """The demo data, committed: each write of the test commits, and so raises the write generation for real."""
    from common import homecache
    from orgs import demo

    demo.generate("small", log=lambda message: None)
    homecache.clear()
    yield roles()
    homecache.clear()


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _queries(client):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    return len(captured)


def _grow():
    """Every record of the modules the home reads, once more (rows a unique rule refuses twice are left out), and
    more people in every branch: the branch is about twice as big."""
    from django.apps import apps

    from orgs.models import Person

    copied = 0
    for label in GROWN:
        for model in apps.get_app_config(label).get_models():
            for row in list(model.objects.all()[:3000]):
                row.pk = None
                row.id = None
                try:
                    with transaction.atomic():
                        row.save(force_insert=True)
                        copied += 1
                except (IntegrityError, ValueError, TypeError, AttributeError):
                    continue
    people = list(Person.objects.order_by("pk")[:400])
    for n, person in enumerate(people):
        person.pk = person.id = None
        person.emp_no = f"9{n:06d}"
        person.id_number = ""
        try:
            with transaction.atomic():
                person.save(force_insert=True)
        except IntegrityError:
            continue
    return copied


def test_each_homes_query_count_stays_the_same_when_the_branch_grows(demo_world, django_assert_max_num_queries):
    users = {key: demo_world[key] for key in COLD if key in demo_world}
    assert {"secretary@branch", "committee@mine", "safety@mine", "worker@team"} <= set(users)
    clients = {key: _client(user) for key, user in users.items()}
    for client in clients.values():  # the first request of a session reads a little more
        client.get("/")
    small = {key: _queries(c) for key, c in clients.items()}
    for key, client in clients.items():
        with django_assert_max_num_queries(COLD[key]):
            client.get("/")
    assert _grow() > 500
    grown = {key: _queries(c) for key, c in clients.items()}
    # (one query fewer once the grown rows' saves have filled the process's content-type cache)
    assert all(grown[key] <= small[key] for key in small), (small, grown)


def test_a_kept_home_costs_a_few_queries_and_a_write_recomputes_it(
    committed_world, settings, django_assert_max_num_queries
):
    settings.HONGLING_HOME_CACHE = True
    secretary = _client(committed_world["secretary@branch"])
    secretary.get("/")
    from common import homecache

    homecache.clear()
    cold = _queries(secretary)
    for key in WARM:
        if key in committed_world:
            client = _client(committed_world[key])
            client.get("/")
            with django_assert_max_num_queries(WARM[key]):
                assert client.get("/").status_code == 200
    warm = _queries(secretary)
    assert warm < cold / 2
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        secretary.get("/")
    # the generations are read once per request, however many parts look at them
    assert sum("common_homegeneration" in q["sql"] for q in captured.captured_queries) == 1
    from hazards.models import Hazard
    from orgs.models import Person

    with transaction.atomic():  # commits: the hazard table's generation is raised after it
        Hazard.objects.filter(pk__in=Hazard.objects.order_by("pk").values("pk")[:1]).update(description="改")
    after_hazard = _queries(secretary)  # the parts that read hazards computed again, the others kept
    assert warm < after_hazard < cold - 20, (cold, warm, after_hazard)
    assert _queries(secretary) == warm
    from orgs.models import ApiToken

    token = ApiToken.objects.create(user=committed_world["committee@mine"], name="报表", digest="d" * 64, prefix="d")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())  # (as each API call may)
    assert _queries(secretary) == warm  # no part read the tokens: all kept
    with transaction.atomic():  # a person's record: every part reads the people
        Person.objects.filter(pk=committed_world["secretary@branch"].person_id).update(phone="13800000000")
    after_person = _queries(secretary)  # everything computed again (± the process's content-type cache)
    assert abs(after_person - cold) <= 2, (cold, warm, after_person)


def _fresh(user_pk):
    from orgs.models import User

    return User.objects.select_related("person").get(pk=user_pk)


def _home_parts(user_pk):
    from django.urls import reverse

    from common.menu import entries_for
    from common.modules import cards_for, tiles_for
    from common.todos import todos_for
    from hongling import views  # noqa: F401  (the view's registries are loaded)
    from orgs import scope
    from orgs.services import roster_summary

    reverse("home")  # the URLs loaded, as in a running server (they import the last menu entries)
    user = _fresh(user_pk)
    summary = None
    if scope.can(user, "roster"):
        from common import homecache

        summary = homecache.cached("summary", user, lambda: roster_summary(user))
    cards = [(template, sorted(context)) for template, context in cards_for(user)]
    return tiles_for(user), todos_for(user), summary, [e.url_name for e in entries_for(user)], cards


def _kept_equals_fresh(settings, users):
    settings.HONGLING_HOME_CACHE = True
    kept = {key: _home_parts(u.pk) for key, u in users.items()}
    settings.HONGLING_HOME_CACHE = False
    fresh = {key: _home_parts(u.pk) for key, u in users.items()}
    settings.HONGLING_HOME_CACHE = True
    for key in users:
        for part, (k, f) in enumerate(zip(kept[key], fresh[key], strict=True)):
            assert k == f, (key, part, k if part != 3 else set(k) ^ set(f))


def test_what_the_home_keeps_equals_a_fresh_computation_after_every_kind_of_write(committed_world, settings):
    """Like the hazard tally: change records in every way the code does — a save, a workflow transition (a
    compare-and-set update), a queryset update, a bulk create, a delete, raw SQL, a change of roles — and after
    each, every kept part equals what a fresh computation gives."""
    from hazards import services as hazard_services
    from hazards.models import Hazard, HazardStatus
    from orgs.models import RoleAssignment
    from violations.models import Violation

    settings.HONGLING_HOME_CACHE = True
    users = {key: committed_world[key] for key in ("secretary@branch", "committee@mine", "safety@mine", "worker@team")}
    secretary, worker = users["secretary@branch"], users["worker@team"]
    _kept_equals_fresh(settings, users)  # fills the cache
    before = _home_parts(secretary.pk)

    def write(fn):
        with transaction.atomic():  # commits
            fn()
        _kept_equals_fresh(settings, users)
        steps.append(fn)

    steps = []

    # a save through a service: a new hazard in the secretary's branch
    like = Hazard.objects.visible_to(secretary).select_related("location").first()
    made = []
    write(lambda: made.append(hazard_services.register(worker, location=like.location, grade=like.grade,
                                                       category=like.category, description="顶板离层未支护")))  # fmt: skip
    # a workflow transition (the kernel's compare-and-set update)
    data = {"responsible_unit": like.location.unit, "responsible_person": worker.person, "measures": "整改",
            "funds": Decimal(0), "deadline": timezone.localdate() + timedelta(days=1)}  # fmt: skip
    write(lambda: hazard_services.act(secretary, made[0].pk, "assign", **data))
    # a queryset update: every open hazard of the branch overdue
    write(
        lambda: (
            Hazard.objects.visible_to(secretary)
            .filter(status__in=(HazardStatus.RECTIFYING, HazardStatus.EXTENSION))
            .update(deadline=timezone.localdate() - timedelta(days=3))
        )
    )
    # a bulk create: this month's 三违, copied
    rows = list(Violation.objects.visible_to(secretary)[:5])
    for v in rows:
        v.pk = v.id = None
        v.occurred_on = timezone.localdate()
    write(lambda: Violation.objects.bulk_create(rows))
    # a delete
    write(lambda: Hazard.objects.filter(pk__in=Hazard.objects.visible_to(secretary).values("pk")[:3]).delete())
    # raw SQL
    table = Hazard._meta.db_table

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET status = %s WHERE status = %s", [HazardStatus.CLOSED, HazardStatus.REGISTERED]
            )

    write(raw)
    # roles: the secretary's branch committee member loses the role (menu, tiles and 待办 change)
    write(lambda: RoleAssignment.objects.filter(user=users["safety@mine"]).delete())
    assert _home_parts(secretary.pk) != before  # the writes changed what the secretary's home shows


def test_writes_no_kept_part_reads_leave_the_generation_alone(committed_world):
    """The day's question answered, a session or an audit entry written: no generation moves (at shift start 5,000
    workers answer within minutes); any other write raises the generation of its table once per transaction."""
    from common import homecache
    from common.models import HomeGeneration
    from hazards.models import Hazard
    from training.models import DailyQuestion

    def generation(table="hazards_hazard"):
        return HomeGeneration.objects.filter(table=table).values_list("n", flat=True).first() or 0

    def all_generations():
        return dict(HomeGeneration.objects.values_list("table", "n"))

    before = all_generations()
    with transaction.atomic():
        DailyQuestion.objects.filter(pk__in=DailyQuestion.objects.values("pk")[:1]).update(answered_at=timezone.now())
    assert all_generations() == before
    assert homecache.written_table('UPDATE "orgs_user" SET "last_login" = %s WHERE "orgs_user"."id" = %s') is None
    assert homecache.written_table('UPDATE "orgs_user" SET "last_login" = %s, "is_active" = %s WHERE "id" = %s') == (
        "orgs_user"
    )
    assert homecache.written_table('SELECT * FROM "hazards_hazard"') is None
    assert homecache.written_table('DELETE FROM "hazards_hazard" WHERE "id" = %s') == "hazards_hazard"
    assert homecache.written_table("TRUNCATE hazards_hazard") == homecache.ANY
    assert homecache.written_table('WITH x AS (DELETE FROM "hazards_hazard" RETURNING 1) SELECT 1') == homecache.ANY

    start = generation()
    with transaction.atomic():
        Hazard.objects.filter(pk__in=Hazard.objects.values("pk")[:2]).update(description="改一")
        Hazard.objects.filter(pk__in=Hazard.objects.values("pk")[:2]).update(description="改二")
    assert generation() == start + 1  # once for the transaction
    changed = {t for t, n in all_generations().items() if n != before.get(t, 0)}
    assert changed == {"hazards_hazard"}  # and no other table's
    Hazard.objects.filter(pk__in=Hazard.objects.values("pk")[:1]).update(description="改三")  # autocommit
    assert generation() == start + 2
    try:
        with transaction.atomic():
            Hazard.objects.filter(pk__in=Hazard.objects.values("pk")[:1]).update(description="改四")
            raise RuntimeError
    except RuntimeError:
        pass
    assert generation() == start + 2  # rolled back: nothing changed


def test_a_write_recomputes_only_the_parts_that_read_its_table(committed_world, settings):
    """A hazard written: the secretary's hazard tile and hazard 待办 are computed again (and show the change), the parts
    that read no hazard (the care tile, the 班子 待办) come from the cache without a query."""
    from django.test.utils import CaptureQueriesContext

    from common import homecache
    from hazards.models import Hazard

    settings.HONGLING_HOME_CACHE = True
    secretary = committed_world["secretary@branch"]

    def home_sql():
        with CaptureQueriesContext(connection) as captured:
            parts = _home_parts(secretary.pk)
        return parts, [q["sql"] for q in captured.captured_queries]

    def others(sql):
        return [q for q in sql if "care_" in q or "leadership_" in q]

    homecache.clear()
    _parts, cold = home_sql()
    assert others(cold) and any("hazards_hazard" in q for q in cold)  # (the secretary's home reads all three)
    kept_parts, warm = home_sql()
    assert not others(warm) and not any("hazards_hazard" in q for q in warm)
    hazard = Hazard.objects.visible_to(secretary).exclude(status="rectifying").order_by("pk").first()
    with transaction.atomic():  # one more hazard overdue in the branch
        Hazard.objects.filter(pk=hazard.pk).update(
            status="rectifying", deadline=timezone.localdate() - timedelta(days=30)
        )
    parts, after = home_sql()
    assert any("hazards_hazard" in q for q in after)  # the hazard parts ran again ...
    assert not others(after), others(after)  # ... the others did not
    assert parts != kept_parts  # (the overdue hazard shows)
    settings.HONGLING_HOME_CACHE = False
    assert parts == _home_parts(secretary.pk)  # and what is shown is what a fresh computation gives


def test_what_the_home_keeps_equals_a_fresh_computation_after_a_write_to_any_module(committed_world, settings):
    """Each module in turn loses every second row of each of its tables (deletes that cascade where the model says
    so): after each, every kept part of each role's home equals a fresh computation, and the writes changed what
    the homes show."""
    from django.apps import apps
    from django.db.models import ProtectedError

    settings.HONGLING_HOME_CACHE = True
    users = {key: committed_world[key] for key in ("secretary@branch", "committee@mine", "safety@mine", "worker@team")}
    _kept_equals_fresh(settings, users)  # fills the cache
    before = {key: _home_parts(u.pk) for key, u in users.items()}
    for label in GROWN:
        with transaction.atomic():  # commits
            for model in reversed(list(apps.get_app_config(label).get_models())):
                ids = list(model.objects.order_by("pk").values_list("pk", flat=True))[::2]
                try:
                    with transaction.atomic():
                        model.objects.filter(pk__in=ids).delete()
                except (ProtectedError, IntegrityError):
                    continue
        _kept_equals_fresh(settings, users)
    assert {key: _home_parts(u.pk) for key, u in users.items()} != before


def _redis_home_cache(settings):
    """The home cache in Redis (database 15, keys under a prefix of this process), as ``HONGLING_CACHE_URL`` sets it;
    the test is skipped where no Redis answers."""
    import os
    import uuid

    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    home = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}
    settings.CACHES = {**settings.CACHES, "home": home}
    return redis.Redis.from_url(url), prefix


def _first_home_queries(user):
    """The queries of a new session's first GET / for ``user`` (the Redis connection closed before: what is kept is
    in Redis, none in this process)."""
    from django.core.cache import caches

    caches["home"].close()
    return _queries(_client(user))


def test_with_redis_the_homes_warmed_before_the_day_are_kept_in_every_server_process(committed_world, settings):
    import io

    from django.core.management import call_command

    from hazards.models import Hazard
    from orgs.models import User

    client, prefix = _redis_home_cache(settings)
    settings.HONGLING_HOME_CACHE = True
    secretary, committee = committed_world["secretary@branch"], committed_world["committee@mine"]
    try:
        cold = _first_home_queries(committee)  # nobody warmed the committee's home
        User.objects.update(last_login=None)
        User.objects.filter(pk=secretary.pk).update(last_login=timezone.now() - timedelta(days=2))
        out = io.StringIO()
        call_command("warm_homes", stdout=out)
        assert "已算好 1 人的首页" in out.getvalue()
        warmed = _first_home_queries(secretary)
        assert warmed <= WARM["secretary@branch"] + 2 and warmed < cold / 2, (cold, warmed)
        with transaction.atomic():  # a write after the warming: the parts that read hazards are computed again
            Hazard.objects.filter(pk__in=Hazard.objects.order_by("pk").values("pk")[:1]).update(description="改")
        assert _first_home_queries(secretary) > warmed
    finally:
        keys = client.keys(f"{prefix}:*")
        if keys:
            client.delete(*keys)


def test_warming_is_refused_while_each_process_keeps_its_own_homes(committed_world, settings):
    import io

    from django.core.management import call_command

    settings.HONGLING_HOME_CACHE = True
    out = io.StringIO()
    call_command("warm_homes", stdout=out)
    assert "未预热" in out.getvalue()


def test_the_home_is_computed_when_the_cache_server_does_not_answer(demo_world, settings):
    settings.HONGLING_HOME_CACHE = True
    home = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    settings.CACHES = {**settings.CACHES, "home": home}  # nothing listens on port 9
    response = _client(demo_world["secretary@branch"]).get("/")
    assert response.status_code == 200 and "待办" in response.content.decode()
