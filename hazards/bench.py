"""Figures of the hazard loop (SPEC §8): the list over 1,000,000 hazards, the statistics of a mine-year, the home page."""

from datetime import datetime, time, timedelta

from bench.harness import figure, fill

# hazards the fill adds to the first mine over two years (small: enough to run the same code in CI)
TARGET_ROWS = {"small": 3_000, "mine": 1_000_000, "group": 1_000_000}
CHUNK = 10_000
DETAILS = (
    "",
    "",
    "，已现场警示",
    "，班组长已知晓",
    "，需区队协调处理",
    "，复查发现",
    "，交接班时发现",
    "，夜班巡查发现",
)
NOTES = {
    "fix_onsite": "现场已处理",
    "submit": "已按措施整改完毕",
    "verify_pass": "复查合格，同意销号",
    "request_extension": "材料未到，申请延期",
    "approve_extension": "",
}


def _plan(rng, found, today, grade_days, major):
    """The transitions a hazard found at ``found`` has been through by ``today``, as a working mine shows them:
    what was found weeks ago is closed (a few still open or overdue), the recent ones are in every status."""
    age = (today - found.date()).days
    onsite = rng.random() < 0.4
    steps = ["register"]
    if age > 45:
        roll = rng.random()
        end = "closed" if roll < 0.985 else ("rectifying" if roll < 0.993 else "extension")
    else:
        end = rng.choices(["registered", "rectifying", "extension", "pending", "closed"], [10, 30, 5, 15, 40 + age])[0]
    if end == "registered":
        return steps, end, False
    if onsite and end in ("pending", "closed"):
        steps.append("fix_onsite")
    else:
        steps.append("assign")
        if end == "extension" or (end != "rectifying" and rng.random() < 0.08):
            steps.append("request_extension")
            if end != "extension":
                steps.append("approve_extension")
        if end in ("pending", "closed"):
            steps.append("submit")
    if end == "closed":
        steps.append("verify_pass")
    return steps, end, onsite


TO_STATUS = {
    "register": "registered",
    "fix_onsite": "pending",
    "assign": "rectifying",
    "request_extension": "extension",
    "approve_extension": "rectifying",
    "submit": "pending",
    "verify_pass": "closed",
}


@fill("hazards.million", version=2, order=20)
def million_hazards(b):
    """A million hazards in the first mine over two years (3,000 at size small), in every status as a working mine
    has them, with the descriptions people write, each with its timeline events and audit entries (bulk-created)."""
    import random

    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from hazards import tally
    from hazards.demo import PLACES, TEXTS
    from hazards.models import Category, Grade, Hazard, HazardEvent
    from hazards.services import ensure_defaults
    from orgs.models import OrgKind, OrgNode, Person
    from places.models import Location

    ensure_defaults(b.mine)
    if not Location.objects.filter(mine=b.mine).exists():  # a bench database built before the hazard demo step
        units = OrgNode.objects.filter(path__startswith=b.mine.path, kind=OrgKind.UNIT)
        Location.objects.bulk_create(
            [Location(mine=b.mine, unit=u, name=f"{u.name}{n}", kind=k) for u in units for n, k in PLACES]
        )
    target = TARGET_ROWS[b.size]
    locations = list(Location.objects.filter(mine=b.mine).values_list("pk", "unit_id", "name"))
    categories = list(Category.objects.filter(mine=b.mine).values_list("pk", "name"))
    grades = list(Grade.objects.filter(mine=b.mine).values_list("pk", "deadline_days", "major", "name"))
    weights = [1 if major else (3 if name == "A" else 8) for _pk, _d, major, name in grades]
    people = list(
        Person.objects.filter(mine=b.mine).values_list("pk", "political_status", "org__path").order_by("pk")[:5000]
    )
    unit_of_path = dict(
        OrgNode.objects.filter(path__startswith=b.mine.path, kind=OrgKind.UNIT).values_list("path", "pk")
    )
    by_unit = {}  # the people of each 区队 (a 五定 names one of them)
    for pk, _status, path in people:
        for end in range(len(path), 0, -OrgNode.steplen):
            if path[:end] in unit_of_path:
                by_unit.setdefault(unit_of_path[path[:end]], []).append(pk)
                break
    actor = b.accounts["safety"]
    hazard_type = ContentType.objects.get_for_model(Hazard)
    rng = random.Random(11)
    tz = timezone.get_current_timezone()
    today = b.today()
    statuses, events_made, entries_made = {}, 0, 0
    made = 0
    while made < target:
        size = min(CHUNK, target - made)
        rows, plans = [], []
        for _n in range(size):
            days_ago = min(729, int(rng.random() ** 1.2 * 730))
            found = datetime.combine(
                today - timedelta(days=days_ago), time(rng.choice((1, 9, 17)) + rng.randrange(6), rng.randrange(60)),
                tzinfo=tz,
            )  # fmt: skip
            location, unit, place = locations[rng.randrange(len(locations))]
            category, category_name = categories[rng.randrange(len(categories))]
            grade, days, major, _name = rng.choices(grades, weights)[0]
            finder, political, _path = people[rng.randrange(len(people))]
            steps, end, _onsite = _plan(rng, found, today, days, major)
            assigned = "assign" in steps
            deadline = found.date() + timedelta(days=days + (15 if "approve_extension" in steps else 0))
            crew = by_unit.get(unit) or [finder]
            responsible = crew[rng.randrange(len(crew))] if assigned else (finder if len(steps) > 1 else None)
            text = rng.choice(TEXTS.get(category_name, ("现场存在安全隐患",)))
            late = rng.random() < 0.1
            closed_at = None
            if end == "closed":
                closed_at = datetime.combine(deadline + timedelta(days=3 if late else -rng.randrange(0, 3)), time(15),
                                             tzinfo=tz)  # fmt: skip
                closed_at = max(closed_at, found + timedelta(hours=4))
            rows.append(Hazard(
                mine=b.mine, location_id=location, category_id=category, grade_id=grade,
                description=f"{place}{text}{DETAILS[rng.randrange(len(DETAILS))]}",
                clause="《煤矿安全规程》第" + str(100 + rng.randrange(600)) + "条" if rng.random() < 0.3 else "",
                found_by_id=finder, finder_is_party_member=political in ("member", "probationary"), found_at=found,
                recorded_by=actor, status=end,
                responsible_unit_id=unit if len(steps) > 1 else None, responsible_person_id=responsible,
                measures="按规程整改，班前检查" if assigned else ("现场处理" if len(steps) > 1 else ""),
                deadline=deadline if assigned else None, supervised=major, closed_at=closed_at,
                version=len(steps),
            ))  # fmt: skip
            plans.append((steps, found, closed_at))
            statuses[end] = statuses.get(end, 0) + 1
        created = Hazard.objects.bulk_create(rows, batch_size=5000)
        events, entries = [], []
        for hazard, (steps, found, closed_at) in zip(created, plans):
            previous = ""
            span = ((closed_at or timezone.now()) - found) / max(len(steps), 1)
            for i, action in enumerate(steps):
                at = closed_at if action == "verify_pass" and closed_at else found + span * i
                to = TO_STATUS[action]
                data = {"期限": hazard.deadline.isoformat()} if action == "assign" and hazard.deadline else {}
                events.append(HazardEvent(hazard_id=hazard.pk, action=action, from_status=previous, to_status=to,
                                          actor=actor, at=at, note=NOTES.get(action, "登记" if i == 0 else ""),
                                          data=data))  # fmt: skip
                changes = (
                    {"description": ["None", hazard.description[:60]], "status": ["None", to]}
                    if i == 0
                    else {"status": [previous, to]}
                )
                entries.append(LogEntry(content_type=hazard_type, object_pk=str(hazard.pk), object_id=hazard.pk,
                                        object_repr=f"隐患#{hazard.pk}", action=0 if i == 0 else 1,
                                        changes=changes, changes_text="", actor=actor, timestamp=at))  # fmt: skip
                previous = to
        HazardEvent.objects.bulk_create(events, batch_size=5000)
        LogEntry.objects.bulk_create(entries, batch_size=5000)
        events_made += len(events)
        entries_made += len(entries)
        made += size
    tally.recount(b.mine.pk)
    mix = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
    return f"{made} hazards ({mix}), {events_made} events, {entries_made} audit entries"


def _hazards_note(b):
    return b.fill_notes.get("hazards.million", "").split(" (")[0]


@figure("hazard_list_p95", target=100, order=40)
def hazard_list(b):
    """p95 of the hazard list (pages, filters) for the safety officer (whole mine) and a branch secretary."""
    from hazards.models import Grade

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
    return b.measure(pairs, note=f"{_hazards_note(b)} in the mine")


@figure("hazard_list_deep_p95", target=100, order=43)
def hazard_list_deep(b):
    """p95 of the hazard list with a date range (a quarter, a year) and at page 300 (secretary and safety officer)."""
    safety = b.client(b.accounts["safety"])
    secretary = b.client(b.accounts["secretary"])
    today = b.today()
    quarter, year = today - timedelta(days=90), today - timedelta(days=365)
    pairs = [
        (safety, f"/hazards/?from={quarter:%Y-%m-%d}&to={today:%Y-%m-%d}"),
        (safety, f"/hazards/?from={year:%Y-%m-%d}&to={quarter:%Y-%m-%d}&page=10"),
        (secretary, f"/hazards/?from={year:%Y-%m-%d}&to={today:%Y-%m-%d}"),
        (secretary, "/hazards/?page=300"),
        (safety, "/hazards/?page=300"),
    ]
    return b.measure(pairs, note=f"{_hazards_note(b)} in the mine")


@figure("secretary_home_p95", target=150, order=41)
def secretary_home(b):
    """p95 of the branch secretary's home page (待办 and the figures of every module)."""
    secretary = b.client(b.accounts["secretary"])
    return b.measure([(secretary, "/")])


@figure("hazard_stats_p95", target=300, order=42)
def hazard_stats(b):
    """p95 of the statistics page of a mine-year (safety officer: the whole mine; secretary: the branch)."""
    safety = b.client(b.accounts["safety"])
    secretary = b.client(b.accounts["secretary"])
    year = b.today().year
    pairs = [
        (safety, f"/hazards/stats/?year={year}"),
        (safety, f"/hazards/stats/?year={year - 1}"),
        (secretary, f"/hazards/stats/?year={year}"),
    ]
    return b.measure(pairs)
