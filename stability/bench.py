"""Figures of 矿区和谐维稳 (issue 12): the petition ledger and the unstable-factor list at mine size (≤ 100 ms), and
the secretary's and the party committee's home with tile 6 (≤ 150 ms, measured with the hazards figure's method)."""

from bench.harness import figure, fill


@fill("stability.year", version=1, order=60)
def year_of_records(b):
    """A mine's year of petitions and factors: 600 petitions over the branches in every state of the clock, and
    150 factors."""
    import random
    from datetime import timedelta

    from django.utils import timezone

    from orgs.models import OrgKind, OrgNode
    from stability.models import Factor, Petition, PetitionEvent

    rng = random.Random(12)
    today = b.today()
    branches = list(OrgNode.objects.filter(path__startswith=b.mine.path, kind=OrgKind.BRANCH))
    user = b.accounts["secretary"]
    rows = []
    for _i in range(600):
        received = today - timedelta(days=rng.randrange(365))
        age = (today - received).days
        p = Petition(mine=b.mine, org=rng.choice(branches), channel="visit", klass=rng.choice(["advice", "claim", "accusation"]),
                     received_on=received, petitioner_names="职工", matter="反映的问题", created_by=user)  # fmt: skip
        if age > 10:
            p.status, p.accepted_on = "accepted", received + timedelta(days=rng.randrange(1, 16))
        if age > 40 and rng.random() < 0.85:
            p.status, p.answered_on = "answered", p.accepted_on + timedelta(days=rng.randrange(5, 60))
            p.level = rng.choice(["team", "unit", "unit", "mine", "above"])
            p.answered_on = min(p.answered_on, today)
        rows.append(p)
    Petition.objects.bulk_create(rows, batch_size=500)
    PetitionEvent.objects.bulk_create(
        [PetitionEvent(petition=p, action="create", to_status="received", actor=user, at=timezone.now()) for p in rows],
        batch_size=500,
    )
    Factor.objects.bulk_create(
        [
            Factor(
                mine=b.mine,
                org=rng.choice(branches),
                title=f"因素{i}",
                description="情况",
                people_count=rng.randrange(1, 30),
                severity=rng.choice(["general", "serious", "major"]),
                found_on=today - timedelta(days=rng.randrange(365)),
                status=rng.choice(["control", "control", "resolved", "reported"]),
                created_by=user,
            )  # fmt: skip
            for i in range(150)
        ]
    )
    return f"{Petition.objects.filter(mine=b.mine).count()} petitions, {Factor.objects.filter(mine=b.mine).count()} factors"


@figure("stability_ledger_p95", target=100, order=70)
def ledger(b):
    """p95 of the petition ledger (colours derived for the year) for the mine's 党委 and for a branch secretary."""
    committee = b.client(b.accounts["committee"])
    secretary = b.client(b.accounts["secretary"])
    pairs = [(committee, "/stability/petitions/"), (secretary, "/stability/petitions/")]
    return b.measure(pairs, note=b.fill_notes.get("stability.year", ""))


@figure("stability_factors_p95", target=100, order=71)
def factors(b):
    """p95 of the unstable-factor list (major ones first) for the mine's 党委 and for a branch secretary."""
    committee = b.client(b.accounts["committee"])
    secretary = b.client(b.accounts["secretary"])
    pairs = [(committee, "/stability/factors/"), (secretary, "/stability/factors/")]
    return b.measure(pairs)


@figure("stability_home_p95", target=150, order=72)
def home(b):
    """p95 of the secretary's home page (all six tiles and the 待办) with a year of petitions and factors in the
    mine; the mine's 党委's home is noted beside it (its 包保 tile is known to be slow, docs/benchmarks.md)."""
    committee = b.client(b.accounts["committee"])
    secretary = b.client(b.accounts["secretary"])
    committee_home = b.measure([(committee, "/")])
    m = b.measure([(secretary, "/")])
    m.note = f"party committee's home p95 {committee_home.value:.0f} ms (n={committee_home.stats.n})"
    return m
