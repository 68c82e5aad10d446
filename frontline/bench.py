"""Figures of 红领一线工作法 (SPEC §8): the diary list and search of a mine-year, the 专项工作 lists, the book PDF."""

from datetime import datetime, time, timedelta

from bench.harness import figure, fill

# a year of diaries: every branch secretary writes about one entry every working day
ENTRIES_PER_BRANCH = {"small": 60, "mine": 250, "group": 250}


@fill("frontline.diaries", version=1, order=40)
def diaries(b):
    """A year of diary entries per branch of the first mine (60 per branch at size small, 250 at mine/group), two
    people met each, half with a request (closed after 30 days)."""
    import random

    from django.utils import timezone

    from frontline.models import DiaryEntry, DiaryRequest, RequestStatus
    from orgs.models import OrgKind, OrgNode, Person

    branches = list(OrgNode.objects.filter(path__startswith=b.mine.path, kind=OrgKind.BRANCH).order_by("path"))
    target = ENTRIES_PER_BRANCH[b.size] * len(branches)
    rng = random.Random(13)
    tz = timezone.get_current_timezone()
    author = b.accounts["committee"]
    through = DiaryEntry.people.through
    for branch in branches:
        staff = list(Person.objects.filter(org__path__startswith=branch.path).values_list("pk", flat=True)[:300])
        entries = [
            DiaryEntry(branch=branch, author=author, date=b.today() - timedelta(days=rng.randrange(365)), place=f"走访地点{i}", learned=f"了解到的民情{i} 职工反映班车、食堂、考核等情况", action="当场解释", concern=rng.random() < 0.1)
            for i in range(ENTRIES_PER_BRANCH[b.size])
        ]  # fmt: skip
        DiaryEntry.objects.bulk_create(entries, batch_size=2000)
        through.objects.bulk_create(
            [through(diaryentry_id=e.pk, person_id=p) for e in entries for p in rng.sample(staff, min(2, len(staff)))],
            batch_size=5000,
        )
        DiaryRequest.objects.bulk_create(
            [DiaryRequest(entry=e, problem="诉求", status=RequestStatus.CLOSED if e.date < b.today() - timedelta(days=30) else RequestStatus.OPEN,
                          closed_at=datetime.combine(e.date, time(12), tzinfo=tz) if e.date < b.today() - timedelta(days=30) else None) for e in entries if rng.random() < 0.5],
            batch_size=5000,
        )  # fmt: skip
    made = DiaryEntry.objects.filter(branch__in=branches).count()
    return f"{made} entries in the mine (target {target})"


@figure("diary_list_p95", target=100, order=60)
def diary_list(b):
    """p95 of the diary list and its search for the mine's party committee (all branches) and a branch secretary."""
    committee = b.client(b.accounts["committee"])
    secretary = b.client(b.accounts["secretary"])
    urls = [
        "/frontline/diary/",
        "/frontline/diary/?page=5",
        "/frontline/diary/?open=1",
        "/frontline/diary/?q=班车",
        "/frontline/diary/?concern=1",
    ]
    pairs = [(committee, u) for u in urls] + [(secretary, u) for u in urls]
    return b.measure(pairs, note=b.fill_notes.get("frontline.diaries", ""))


@figure("campaign_lists_p95", target=100, order=61)
def campaign_lists(b):
    """p95 of the 专项工作 list and the branches' task list (committee and secretary)."""
    committee = b.client(b.accounts["committee"])
    secretary = b.client(b.accounts["secretary"])
    pairs = [
        (committee, "/frontline/campaigns/"),
        (committee, "/frontline/tasks/"),
        (secretary, "/frontline/tasks/?todo=1"),
        (committee, "/frontline/urgent/"),
    ]
    return b.measure(pairs)


@figure("diary_book_month_ms", target=3000, order=62)
def diary_book(b):
    """p95 of a branch's monthly diary book as PDF (cover, contents, ~20 entries)."""
    secretary = b.client(b.accounts["secretary"])
    today = b.today()
    return b.measure([(secretary, f"/frontline/diary/book.pdf?year={today.year}&month={today.month}")])
