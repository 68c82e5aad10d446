"""Figures of the hazard loop (SPEC §8): the list over 1,000,000 hazards, the statistics of a mine-year, the home page."""

from datetime import datetime, time, timedelta

from bench.harness import Measured, figure, p95

TARGET_ROWS = {"mine": 1_000_000, "group": 1_000_000}


def _fill(b):
    """Bring the first mine to a million hazards over two years (made once, kept in the bench database)."""
    import random

    from django.utils import timezone

    from hazards.models import Category, Grade, Hazard, HazardStatus
    from hazards.services import ensure_defaults
    from orgs.models import Person
    from places.models import Location

    ensure_defaults(b.mine)
    if not Location.objects.filter(mine=b.mine).exists():  # a bench database built before the hazard demo step
        from hazards.demo import PLACES
        from orgs.models import OrgKind, OrgNode

        units = OrgNode.objects.filter(path__startswith=b.mine.path, kind=OrgKind.UNIT)
        Location.objects.bulk_create(
            [Location(mine=b.mine, unit=u, name=f"{u.name}{n}", kind=k) for u in units for n, k in PLACES]
        )
    from hazards import tally
    from hazards.models import HazardTally

    target = TARGET_ROWS.get(b.size)
    have = Hazard.objects.filter(mine=b.mine).count()
    if not target or have >= target:
        if have and not HazardTally.objects.filter(mine=b.mine).exists():  # a bench database made before the counts
            tally.recount(b.mine.pk)
        return have
    locations = list(Location.objects.filter(mine=b.mine).values_list("pk", "unit_id"))
    categories = list(Category.objects.filter(mine=b.mine).values_list("pk", flat=True))
    grades = list(Grade.objects.filter(mine=b.mine).values_list("pk", "deadline_days"))
    people = list(Person.objects.filter(mine=b.mine).values_list("pk", flat=True)[:5000])
    actor = b.accounts["safety"]
    rng = random.Random(11)
    tz = timezone.get_current_timezone()
    statuses = [HazardStatus.CLOSED] * 8 + [HazardStatus.RECTIFYING, HazardStatus.REGISTERED]
    batch = []
    for _n in range(target - have):
        found = datetime.combine(b.today() - timedelta(days=rng.randrange(730)), time(rng.randrange(24)), tzinfo=tz)
        location, unit = locations[rng.randrange(len(locations))]
        grade, days = grades[rng.randrange(len(grades))]
        # as in a working mine: what was found more than 45 days ago is closed; the open ones are recent
        status = (
            statuses[rng.randrange(len(statuses))]
            if found.date() > b.today() - timedelta(days=45)
            else HazardStatus.CLOSED
        )
        deadline = found.date() + timedelta(days=days)
        batch.append(Hazard(
            mine=b.mine, location_id=location, category_id=categories[rng.randrange(len(categories))], grade_id=grade,
            description="隐患", found_by_id=people[rng.randrange(len(people))], finder_is_party_member=rng.random() < 0.15,
            found_at=found, recorded_by=actor, status=status, responsible_unit_id=unit if status != HazardStatus.REGISTERED else None,
            deadline=deadline if status != HazardStatus.REGISTERED else None,
            closed_at=datetime.combine(deadline, time(12), tzinfo=tz) if status == HazardStatus.CLOSED else None,
        ))  # fmt: skip
        if len(batch) == 20000:
            Hazard.objects.bulk_create(batch)
            batch = []
    Hazard.objects.bulk_create(batch)
    tally.recount(b.mine.pk)
    from bench.run import analyze

    analyze()
    return Hazard.objects.filter(mine=b.mine).count()


@figure("hazard_list_p95", target=100, order=40)
def hazard_list(b):
    """p95 of the hazard list (pages, filters) for the safety officer (whole mine) and a branch secretary."""
    from hazards.models import Grade

    rows = _fill(b)
    safety = b.client(b.accounts["safety"])
    secretary = b.client(b.accounts["secretary"])
    grade = Grade.objects.filter(mine=b.mine).order_by("order").first()
    urls = [
        "/hazards/",
        "/hazards/?page=20",
        "/hazards/?status=rectifying",
        "/hazards/?overdue=1",
        f"/hazards/?grade={grade.pk}",
    ]
    pairs = [(safety, u) for u in urls] + [(secretary, u) for u in urls[:3]]
    return Measured(
        p95(b.timings(pairs)),
        baseline=b.baseline_p95([safety, secretary]),
        baseline_name="select1",
        note=f"{rows} hazards in the mine",
    )


@figure("secretary_home_p95", target=150, order=41)
def secretary_home(b):
    """p95 of the branch secretary's home page (待办 and the figures of every module)."""
    secretary = b.client(b.accounts["secretary"])
    return Measured(b.p95_of([secretary], ["/"]), baseline=b.baseline_p95([secretary]), baseline_name="select1")


@figure("hazard_stats_p95", target=300, order=42)
def hazard_stats(b):
    """p95 of the statistics page of a mine-year (safety officer: the whole mine; secretary: the branch)."""
    _fill(b)
    safety = b.client(b.accounts["safety"])
    secretary = b.client(b.accounts["secretary"])
    year = b.today().year
    pairs = [
        (safety, f"/hazards/stats/?year={year}"),
        (safety, f"/hazards/stats/?year={year - 1}"),
        (secretary, f"/hazards/stats/?year={year}"),
    ]
    return Measured(
        p95(b.timings(pairs, n=20)),
        baseline=b.baseline_p95([safety, secretary]),
        baseline_name="select1",
        note="20 requests",
    )
