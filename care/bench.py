"""Figures of 薄弱人物排查 / 谈心谈话 (issue 5): the suggestions of a whole mine, the coverage page of a mine."""

from bench.harness import figure, fill


@fill("care.violations", version=1, order=50)
def violations(b):
    """Give the rules something to find: 600 violations over the last 120 days in the first mine."""
    import random
    from datetime import timedelta

    try:
        from violations.models import Severity, Violation
    except ImportError:
        return 0
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
    return f"{Violation.objects.filter(mine=b.mine).count()} violations in the mine"


@figure("care_suggestions_mine", target=1000, order=60)
def suggestions_mine(b):
    """The party committee's suggestions page over the whole mine (every rule over every worker)."""
    committee = b.client(b.accounts["committee"])
    secretary = b.client(b.accounts["secretary"])
    from care import services

    count = len(services.suggestions_for(b.accounts["committee"]))
    m = b.measure([(committee, "/care/suggestions/")])
    branch = b.measure([(secretary, "/care/suggestions/")])
    m.note = (
        f"{count} people suggested; {b.fill_notes.get('care.violations', '')}; one branch p95 {branch.value:.1f} ms"
    )
    return m


@figure("care_coverage_mine_p95", target=150, order=61)
def coverage_mine(b):
    """p95 of the talk-coverage page of a whole mine (committee) and of a branch with its plan (secretary)."""
    from care.models import TalkPerson

    committee = b.client(b.accounts["committee"])
    secretary = b.client(b.accounts["secretary"])
    pairs = [(committee, "/care/coverage/"), (secretary, "/care/coverage/")]
    talks = TalkPerson.objects.filter(person__mine=b.mine).count()
    return b.measure(pairs, note=f"{talks} talk links in the mine")
