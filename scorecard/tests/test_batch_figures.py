"""A mine's scorecard in a fixed number of queries (issue 13, SPEC §8 "a mine's scorecard for a year ≤ 0.5 s"):
every indicator reads all the branches at once, and the batch figures of the other modules (``leadership.figures``,
``stability.figures``) and the mastery counted by the database give exactly what the per-branch / per-card code
gives."""

import random
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orgs.models import OrgKind, PoliticalStatus
from orgs.tests.factories import PersonFactory
from scorecard import indicators, library, services
from scorecard.indicators import Context
from scorecard.tests.helpers import hazard

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _periods():
    """Periods around today: a year to date, a closed month, one ending in the future, one in the past."""
    first = TODAY.replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    return [
        (date(TODAY.year, 1, 1), TODAY),
        (last_month, first - timedelta(days=1)),
        (TODAY - timedelta(days=20), TODAY + timedelta(days=20)),
        (TODAY - timedelta(days=200), TODAY - timedelta(days=90)),
    ]


def _day(rng, spread=260):
    return TODAY - timedelta(days=rng.randrange(-20, spread))


def _maybe(rng, day, p=0.6, most=60):
    return day + timedelta(days=rng.randrange(0, most)) if rng.random() < p else None


def _nodes(w):
    return [w.branch, w.unit, w.team, w.team2, w.other_branch, w.other_unit, w.other_team, w.mine]


# ---------------------------------------------------------------- leadership


def test_leadership_batch_figures_are_the_per_branch_ones(site):
    from leadership import figures, services
    from leadership.models import Decision, LifeMeeting, Meeting, Rectification

    w, rng = site, random.Random(13)
    for i in range(60):
        m = Meeting.objects.create(org=rng.choice(_nodes(w)), kind="committee", date=_day(rng), topic=f"会议{i}",
                                   recorded_by=w.secretary, held=rng.random() < 0.8, valid=rng.random() < 0.6)  # fmt: skip
        for j in range(rng.randrange(3)):
            deadline = m.date + timedelta(days=rng.randrange(-5, 40))
            Decision.objects.create(meeting=m, text=f"决议{j}", owner=w.member_person, deadline=deadline,
                                    done_on=_maybe(rng, m.date))  # fmt: skip
    for i in range(20):
        held = _maybe(rng, _day(rng), p=0.8, most=1)
        life = LifeMeeting.objects.create(org=rng.choice(_nodes(w)), year=TODAY.year, theme=f"生活会{i}", date=held,
                                          created_by=w.secretary)  # fmt: skip
        for j in range(rng.randrange(4)):
            base = held or _day(rng)
            Rectification.objects.create(life=life, problem=f"问题{j}", measure="措施", owner=w.member_person,
                                         deadline=base + timedelta(days=rng.randrange(-5, 60)),
                                         checked_on=_maybe(rng, base))  # fmt: skip
    branches = [w.branch, w.other_branch]
    nodes = Context(branches=branches, start=TODAY, end=TODAY, as_of=TODAY).nodes()
    for start, end in _periods():
        many = figures.branch_figures_many(branches=branches, nodes=nodes, start=start, end=end)
        for b in branches:
            assert many[b.pk] == services.branch_figures(branch=b, start=start, end=end), (b.name, start, end)
    assert any(v for v in many[w.branch.pk].values())  # the data reaches the figures


# ---------------------------------------------------------------- stability


def test_stability_batch_figures_are_the_per_branch_ones(site):
    from stability import figures, services
    from stability.models import Factor, Petition

    w, rng = site, random.Random(12)
    cfg = services.settings_for(w.mine)
    cfg.roll_holidays, cfg.handle_days = False, 45  # this mine's own numbers (the other mine keeps the defaults)
    cfg.save()
    for i in range(120):
        received = _day(rng)
        p = Petition(mine=w.mine, org=rng.choice(_nodes(w)), channel="visit", klass="claim", received_on=received,
                     petitioner_names="职工", matter=f"事项{i}", created_by=w.secretary)  # fmt: skip
        roll = rng.random()
        if roll > 0.15:
            p.status, p.accepted_on = "accepted", received + timedelta(days=rng.randrange(0, 25))
        if roll > 0.4:
            p.status, p.answered_on = "answered", p.accepted_on + timedelta(days=rng.randrange(1, 80))
            p.level = rng.choice(["team", "unit", "mine", "above", ""])
        if roll > 0.85:
            p.status, p.review_requested_on = "reviewing", p.answered_on + timedelta(days=rng.randrange(1, 20))
        if roll > 0.95:
            p.status = "suspended"
        p.extended_days = rng.choice([0, 0, 30])
        p.save()
    for i in range(40):
        found = _day(rng)
        status = rng.choice(["control", "resolved", "reported"])
        Factor.objects.create(mine=w.mine, org=rng.choice(_nodes(w)), title=f"因素{i}", description="情况",
                              found_on=found, status=status, created_by=w.secretary,
                              closed_on=None if status == "control" else _maybe(rng, found, p=0.9))  # fmt: skip
    branches = [w.branch, w.other_branch]
    nodes = Context(branches=branches, start=TODAY, end=TODAY, as_of=TODAY).nodes()
    for start, end in _periods():
        many = figures.branch_figures_many(branches=branches, nodes=nodes, start=start, end=end)
        for b in branches:
            assert many[b.pk] == services.branch_figures(branch=b, start=start, end=end), (b.name, start, end)
    assert many[w.branch.pk]["petitions_received"] and many[w.branch.pk]["petitions_overdue"]


# ---------------------------------------------------------------- vanguard


def test_vanguard_year_flags_are_the_month_by_month_reckoning(site):
    from vanguard import compliance, figures
    from vanguard.models import Assignment
    from violations import services as violation_services
    from violations.models import Severity, Violation

    w, rng = site, random.Random(2)
    violation_services.ensure_defaults(w.mine)
    general = Severity.objects.get(mine=w.mine, name="一般")
    members = [PersonFactory(org=w.team, name=f"党员{i}", political_status=PoliticalStatus.MEMBER) for i in range(8)]
    workers = [PersonFactory(org=w.team2, name=f"职工{i}") for i in range(10)]
    places = [w.place, w.place2, w.other_place]
    year = date(TODAY.year - 1, 1, 1)
    for member in members:
        for _ in range(rng.randrange(3)):
            starts = year + timedelta(days=rng.randrange(0, 400))
            ends = starts + timedelta(days=rng.randrange(-3, 200)) if rng.random() < 0.6 else None
            a = Assignment.objects.create(mine=w.mine, member=member, org=w.team, starts_on=starts, ends_on=ends,
                                          created_by=w.secretary)  # fmt: skip
            a.workers.add(*rng.sample(workers, rng.randrange(0, 3)))
            a.locations.add(*rng.sample(places, rng.randrange(0, 2)))
    for _ in range(40):
        Violation.objects.create(mine=w.mine, person=rng.choice(workers), org=w.team2, kind="operation",
                                 occurred_on=year + timedelta(days=rng.randrange(0, 420)), severity=general,
                                 location=rng.choice(places + [None]), description="违章", recorded_by=w.safety,
                                 status=rng.choice(["recorded", "recorded", "revoked"]))  # fmt: skip
    months = [date(year.year + (m // 12), m % 12 + 1, 1) for m in range(14)]
    ids = [m.pk for m in members]
    for today in (TODAY, months[6] + timedelta(days=10)):
        month_by_month = compliance.member_months_many(ids, months, today=today)
        flags = figures.member_month_flags(ids, months, today=today)
        expected = {
            m: {mid: mm.compliant for mid, mm in rows.items() if mm.assigned} for m, rows in month_by_month.items()
        }
        assert flags == expected
    assert any(not ok for rows in flags.values() for ok in rows.values())
    assert any(ok for rows in flags.values() for ok in rows.values())


# ---------------------------------------------------------------- T_MASTERY counted by the database


def test_mastery_counted_by_the_database_is_what_the_cards_give(site):
    from orgs.models import WorkStatus
    from training.models import Card, KnowledgePoint

    w, rng = site, random.Random(3)
    people = [w.worker_person, w.colleague, w.member_person, w.stranger]
    gone = PersonFactory(org=w.team, name="已离职", work_status=WorkStatus.LEFT)
    later = PersonFactory(org=w.team, name="后入职", hire_date=TODAY + timedelta(days=30))
    people += [gone, later]
    points = [KnowledgePoint.objects.create(code=f"kp{i}", name=f"知识点{i}") for i in range(12)]
    tz = timezone.get_current_timezone()
    start, end = date(2026, 3, 1), date(2026, 5, 31)
    edges = [datetime.combine(d, time.min, tzinfo=tz) for d in (start, end + timedelta(days=1))]
    for person in people:
        for point in points:
            kind = rng.random()
            if kind < 0.1:
                last, stability = None, None
            else:
                # around the period's start and end, to the second (whole days as fsrs counts them)
                edge = rng.choice(edges)
                seconds = rng.randrange(-3, 4) + rng.choice([0, 43200])
                last = edge + timedelta(days=rng.randrange(-40, 25), seconds=seconds)
                stability = rng.choice([None, 3.5, 20.99, 21.0, 21.5, 30.0, 45.7, rng.uniform(1, 80)])
            state = {} if stability is None else {"stability": stability, "difficulty": 5.0}
            Card.objects.create(person=person, point=point, state=state, last_review=last)
    for as_of in (end, date(2026, 4, 15), date(2026, 7, 1)):
        c = Context(branches=[w.branch, w.other_branch], start=start, end=end, as_of=as_of)
        rows = library.mastery_rows(c)
        counted = library.mastery_gain(c)
        for b in (w.branch, w.other_branch):
            rs = rows.get(b.pk, [])
            v = counted[b.pk]
            assert (v.numerator, v.denominator) == (sum(1 for r in rs if r[5]), len(rs)), (b.name, as_of)
        assert counted[w.branch.pk].denominator and counted[w.branch.pk].numerator


# ---------------------------------------------------------------- the number of queries


def _grow(w, n):
    """``n`` more branches under the mine's committee, each with a 区队, a team, people and a record or two."""
    from places.models import Location

    out = []
    for i in range(n):
        branch = w.committee.add_child(name=f"新支部{i}", kind=OrgKind.BRANCH)
        unit = branch.add_child(name=f"新区队{i}", kind=OrgKind.UNIT)
        team = unit.add_child(name="早班", kind=OrgKind.TEAM)
        place = Location.objects.create(mine=w.mine, unit=unit, name=f"新地点{i}")
        PersonFactory(org=team, name=f"党员{i}", political_status=PoliticalStatus.MEMBER)
        PersonFactory(org=team, name=f"职工{i}")
        hazard(w, TODAY - timedelta(days=3), place=place, deadline=TODAY - timedelta(days=1))
        out.append(branch)
    return out


def _queries(fn):
    with CaptureQueriesContext(connection) as q:
        fn()
    return len(q.captured_queries)


def test_every_indicator_reads_all_branches_in_a_fixed_number_of_queries(site):
    """Each indicator on a fresh context (its own share of the org reads included): the same number of queries for
    2 branches as for 6, and a small one."""
    w = site
    two = [w.branch, w.other_branch]
    six = two + _grow(w, 4)
    start, end = date(TODAY.year, 1, 1), TODAY
    counts = {}
    for ind in indicators.available():
        counts[ind.code] = [
            _queries(lambda bs=bs, ind=ind: ind.fn(Context(branches=bs, start=start, end=end, as_of=end)))
            for bs in (two, six)
        ]
    grows = {code: n for code, n in counts.items() if n[0] != n[1]}
    assert not grows, grows
    assert max(n[1] for n in counts.values()) <= 8, counts


def test_a_mines_scorecard_is_a_fixed_number_of_queries(site):
    w = site
    scheme = services.create_example_scheme(w.committee_user, mine=w.mine, start=date(TODAY.year, 1, 1), end=TODAY)
    two = [w.branch, w.other_branch]
    six = two + _grow(w, 4)
    n2 = _queries(lambda: services.compute(scheme, TODAY, two))
    n6 = _queries(lambda: services.compute(scheme, TODAY, six))
    assert n2 == n6 and n6 <= 60, (n2, n6)


def _mine_with_a_branch(w, name, code):
    from places.models import Location

    mine = w.group.add_child(name=name, kind=OrgKind.MINE, code=code)
    committee = mine.add_child(name=f"{name}党委", kind=OrgKind.COMMITTEE)
    branch = committee.add_child(name="综采一区党支部", kind=OrgKind.BRANCH)
    unit = branch.add_child(name="综采一区", kind=OrgKind.UNIT)
    team = unit.add_child(name="早班", kind=OrgKind.TEAM)
    PersonFactory(org=team, name=f"{name}党员", political_status=PoliticalStatus.MEMBER)
    Location.objects.create(mine=mine, unit=unit, name="工作面")
    return mine


def test_the_groups_mines_in_a_fixed_number_of_queries_with_each_mines_own_results(site):
    """``compute_many`` over the group's mines: as many queries for three mines as for one, and each mine's figures
    and fingerprint those of ``compute`` of that mine alone."""
    from orgs.models import Role, RoleAssignment, User
    from scorecard import access

    w = site
    mines = [w.mine, w.mine_b, _mine_with_a_branch(w, "青檀煤矿", "HF"), _mine_with_a_branch(w, "银桦煤矿", "ZZ")]
    for m in mines[1:]:
        RoleAssignment.objects.create(user=w.committee_user, role=Role.COMMITTEE, org=m)
    user = User.objects.get(pk=w.committee_user.pk)
    hazard(w, TODAY - timedelta(days=3), deadline=TODAY - timedelta(days=1))
    start = date(TODAY.year, 1, 1)
    items = [(services.create_example_scheme(user, mine=m, start=start, end=TODAY), TODAY, access.branches_of(m))
             for m in mines]  # fmt: skip
    one = _queries(lambda: services.compute_many(items[:1]))
    four = _queries(lambda: services.compute_many(items))
    assert one == four, (one, four)
    together = services.compute_many(items)
    for item, result in zip(items, together):
        alone = services.compute(*item)
        assert result[1] == alone[1] and result[5] == alone[5]
    assert together[0][1][(w.branch.pk, "H_ON_TIME")].denominator == 1
