"""Figures of 基层班子建设 (issue 12): the secretary's home with tile 5, and the module's lists, at mine size."""

from bench.harness import Measured, figure, p95


def _records(b):
    """A bench database built before this module's demo step: add its records once."""
    import random
    from types import SimpleNamespace

    from leadership.models import Meeting

    if Meeting.objects.filter(org__path__startswith=b.mine.path).exists():
        return
    from leadership.demo import leadership

    leadership(
        SimpleNamespace(
            rng=random.Random(12), size=b.size, mines=[b.mine], today=b.today(), accounts=b.accounts, log=lambda m: None
        )
    )
    from bench.run import analyze

    analyze()


@figure("leadership_lists_p95", target=100, order=70)
def lists(b):
    """p95 of the module's first page and its meeting, decision and rectification lists (secretary and committee)."""
    _records(b)
    secretary = b.client(b.accounts["secretary"])
    committee = b.client(b.accounts["committee"])
    urls = ["/leadership/", "/leadership/meetings/", "/leadership/decisions/?state=all",
            "/leadership/rectifications/?state=all", "/leadership/notices/"]  # fmt: skip
    pairs = [(c, u) for c in (secretary, committee) for u in urls]
    return Measured(p95(b.timings(pairs)), baseline=b.baseline_p95([secretary, committee]), baseline_name="select1")
