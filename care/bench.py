"""Figures of 薄弱人物排查 / 谈心谈话 (issue 5): the suggestions of a whole mine, the coverage page of a mine."""

from bench.harness import Measured, figure, p95


def _violations_and_exams(b):
    """Give the rules something to find: a few hundred violations over the last 90 days (made once, kept)."""
    import random
    from datetime import timedelta

    try:
        from violations.models import Severity, Violation
    except ImportError:
        return 0
    if Violation.objects.filter(mine=b.mine).count() >= 500:
        return Violation.objects.filter(mine=b.mine).count()
    from orgs.models import Person

    severity = Severity.objects.filter(mine=b.mine).order_by("order").first() or Severity.objects.create(
        mine=b.mine, name="一般"
    )
    people = list(Person.objects.filter(mine=b.mine).values_list("pk", "org_id")[:5000])
    rng = random.Random(5)
    rows = []
    for _ in range(600):
        pk, org = people[rng.randrange(len(people))]
        rows.append(Violation(mine=b.mine, person_id=pk, org_id=org, occurred_on=b.today() - timedelta(days=rng.randrange(120)), kind="operation",
                              severity=severity, description="违章", recorded_by=b.accounts["safety"]))  # fmt: skip
    Violation.objects.bulk_create(rows)
    return Violation.objects.filter(mine=b.mine).count()


def _talks(b):
    """A bench database built before this module's demo step: add its year of talks and register once."""
    import random
    from types import SimpleNamespace

    from care.models import TalkPerson

    if TalkPerson.objects.filter(person__mine=b.mine).exists():
        return
    from care.demo import care

    care(
        SimpleNamespace(
            rng=random.Random(7), size=b.size, mines=[b.mine], today=b.today(), accounts=b.accounts, log=lambda m: None
        )
    )
    from bench.run import analyze

    analyze()


@figure("care_suggestions_mine", target=1000, order=60)
def suggestions_mine(b):
    """The party committee's suggestions page over the whole mine (every rule over every worker)."""
    _talks(b)
    n = _violations_and_exams(b)
    committee = b.client(b.accounts["committee"])
    secretary = b.client(b.accounts["secretary"])
    times = b.timings([(committee, "/care/suggestions/")], n=10)
    from care import services

    count = len(services.suggestions_for(b.accounts["committee"]))
    return Measured(
        p95(times),
        baseline=b.p95_of([secretary], ["/care/suggestions/"], n=10),
        baseline_name="one branch",
        note=f"{count} people suggested; {n} violations",
    )


@figure("care_coverage_mine_p95", target=150, order=61)
def coverage_mine(b):
    """p95 of the talk-coverage page of a whole mine (committee) and of a branch with its plan (secretary)."""
    from care.models import TalkPerson

    _talks(b)
    committee = b.client(b.accounts["committee"])
    secretary = b.client(b.accounts["secretary"])
    pairs = [(committee, "/care/coverage/"), (secretary, "/care/coverage/")]
    talks = TalkPerson.objects.filter(person__mine=b.mine).count()
    return Measured(
        p95(b.timings(pairs)),
        baseline=b.baseline_p95([committee, secretary]),
        baseline_name="select1",
        note=f"{talks} talk links in the mine",
    )
