"""Figures of 基层班子建设 (issue 12): the module's lists at mine size (its records are the demo step's)."""

from bench.harness import figure


@figure("leadership_lists_p95", target=100, order=70)
def lists(b):
    """p95 of the module's first page and its meeting, decision and rectification lists (secretary and committee)."""
    secretary = b.client(b.accounts["secretary"])
    committee = b.client(b.accounts["committee"])
    urls = ["/leadership/", "/leadership/meetings/", "/leadership/decisions/?state=all",
            "/leadership/rectifications/?state=all", "/leadership/notices/", "/leadership/life/",
            "/leadership/reports/"]  # fmt: skip
    pairs = [(c, u) for c in (secretary, committee) for u in urls]
    return b.measure(pairs)
