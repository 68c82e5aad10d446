"""A figure for every list page, every role's home and every API list (issue 15): the pages no module's own bench
covered, each measured like the others (``Bench.measure``: interleaved with the bare view, p50/p95/min–max/n).

``CATALOGUE`` names, per figure, the (account, URL) pairs it times; ``COVERED_ELSEWHERE`` the list routes a module's
own figure times. ``tests/test_bench_method.py`` checks that every list route of the URL conf is in one of them, so
a new list page without a figure fails there.
"""

from bench.harness import figure, skipped

# (figure, target ms, sizes or None, [(account key, URL)]); URLs may use {month} {today} {mine} {branch} {year}
CATALOGUE = [
    # every role's home (the secretary's is secretary_home_p95; the per-tile breakdown is figures_home.py)
    ("home_committee_p95", 100, None, [("committee", "/")]),
    ("home_safety_p95", 150, None, [("safety", "/")]),
    ("home_worker_p95", 30, None, [("worker", "/")]),
    ("home_branch_committee_p95", 150, None, [("branch_committee", "/")]),
    ("home_team_leader_p95", 150, None, [("team_leader", "/")]),
    ("home_member_p95", 150, None, [("member", "/")]),
    ("home_admin_p95", 150, None, [("admin", "/")]),
    ("home_group_committee_p95", 300, ("small", "group"), [("group_committee", "/")]),
    # lists
    ("vanguard_overview_p95", 100, None, [
        ("committee", "/vanguard/"), ("secretary", "/vanguard/"), ("committee", "/vanguard/?month={month}"),
        ("committee", "/vanguard/posts/"), ("worker", "/vanguard/me/"),
    ]),
    ("violation_list_p95", 100, None, [
        ("safety", "/violations/"), ("safety", "/violations/?page=3"), ("committee", "/violations/"),
        ("secretary", "/violations/"), ("team_leader", "/violations/"),
    ]),
    ("audit_log_p95", 100, None, [
        ("admin", "/manage/audit/"), ("admin", "/manage/audit/?page=5"), ("admin", "/manage/audit/sensitive/"),
    ]),
    ("manage_pages_p95", 100, None, [
        ("admin", "/manage/accounts/"), ("admin", "/manage/accounts/?page=3"), ("admin", "/manage/lockouts/"),
        ("committee", "/manage/grants/"),
    ]),
    ("own_pages_p95", 100, None, [
        ("committee", "/files/"), ("committee", "/api-tokens/"), ("worker", "/files/"), ("secretary", "/menu/"),
    ]),
    ("module_first_pages_p95", 100, None, [
        ("worker", "/training/"), ("secretary", "/care/"), ("committee", "/care/"),
        ("secretary", "/stability/"), ("committee", "/stability/"), ("committee", "/scorecard/"),
        ("secretary", "/selfcheck/"), ("committee", "/selfcheck/"),
    ]),
    ("training_lists_p95", 100, None, [
        ("committee", "/training/bank/"), ("committee", "/training/bank/?page=3"), ("secretary", "/training/lessons/"),
        ("committee", "/training/exams/"), ("worker", "/training/qa/"), ("secretary", "/training/branch/"),
        ("worker", "/training/mastery/"), ("committee", "/training/points/"), ("committee", "/training/groups/"),
        ("committee", "/training/bank/analysis/"),
    ]),
    ("care_lists_p95", 100, None, [
        ("committee", "/care/register/"), ("secretary", "/care/register/"), ("committee", "/care/screenings/"),
        ("secretary", "/care/talks/"), ("committee", "/care/talks/"),
    ]),
    ("stability_lists_p95", 100, None, [
        ("committee", "/stability/petitions/local/"), ("committee", "/stability/plans/"),
        ("secretary", "/stability/health/"), ("committee", "/stability/health/fevers/"),
        ("committee", "/stability/health/campaigns/"), ("admin", "/stability/reads/"),
    ]),
    ("scorecard_lists_p95", 100, None, [
        ("committee", "/scorecard/indicators/"), ("committee", "/scorecard/dashboard/"),
        ("committee", "/scorecard/evaluation/"), ("secretary", "/scorecard/evaluation/"),
        ("secretary", "/scorecard/reports/monthly/"),
    ]),
    ("selfcheck_lists_p95", 100, None, [("committee", "/selfcheck/measures/"), ("secretary", "/selfcheck/measures/")]),
    # the API's lists (the hazards' one apart: it counted all rows on every call)
    ("api_hazards_p95", 100, None, [
        ("safety", "/api/hazards"), ("safety", "/api/hazards?status=rectifying"), ("secretary", "/api/hazards"),
        ("safety", "/api/hazards?page=20"),
    ]),
    ("api_lists_p95", 100, None, [
        ("committee", "/api/orgs"), ("committee", "/api/people"), ("safety", "/api/violations"),
        ("committee", "/api/vanguard/compliance"), ("committee", "/api/vanguard/assignments"),
        ("committee", "/api/vanguard/posts"), ("committee", "/api/frontline/diary"),
        ("committee", "/api/frontline/urgent"), ("committee", "/api/frontline/campaigns"),
        ("secretary", "/api/frontline/tasks"), ("worker", "/api/training/me"), ("worker", "/api/training/lessons"),
        ("worker", "/api/training/papers"), ("worker", "/api/training/qa"), ("committee", "/api/care/register"), ("committee", "/api/care/talks"), ("committee", "/api/care/coverage"),
        ("secretary", "/api/leadership/figures"), ("secretary", "/api/leadership/teams"),
        ("secretary", "/api/leadership/meetings"), ("secretary", "/api/leadership/decisions"),
        ("secretary", "/api/leadership/life"), ("secretary", "/api/leadership/rectifications"),
        ("secretary", "/api/leadership/notices"), ("secretary", "/api/leadership/reports"),
        ("committee", "/api/stability/factors"), ("committee", "/api/stability/petitions"),
        ("committee", "/api/stability/local"), ("committee", "/api/stability/plans"),
        ("committee", "/api/stability/health/fevers"), ("committee", "/api/stability/health/campaigns"),
        ("committee", "/api/scorecard/indicators"), ("committee", "/api/scorecard/schemes"),
        ("committee", "/api/evaluation/rounds"), ("committee", "/api/selfcheck/periods"),
        ("committee", "/api/selfcheck/inspections"), ("committee", "/api/selfcheck/measures"),
    ]),
    # the at-risk suggestions: every rule over every worker of the mine, as the page (care_suggestions_mine, ≤ 1 s)
    ("api_care_suggestions_p95", 1000, None, [
        ("committee", "/api/care/suggestions"), ("secretary", "/api/care/suggestions"),
    ]),
    ("group_lists_p95", 300, ("group",), [
        ("group_committee", "/people/"), ("group_committee", "/hazards/"), ("group_committee", "/violations/"),
        ("group_committee", "/vanguard/"), ("group_committee", "/frontline/diary/"),
        ("group_committee", "/stability/petitions/"), ("group_committee", "/care/register/"),
    ]),
]  # fmt: skip

# list routes timed by a module's own figure (bench/figures.py, <app>/bench.py)
COVERED_ELSEWHERE = {
    "/": "secretary_home_p95",
    "/people/": "roster_list_p95",
    "/orgs/": "tree_p95",
    "/hazards/": "hazard_list_p95",
    "/hazards/stats/": "hazard_stats_p95",
    "/frontline/diary/": "diary_list_p95",
    "/frontline/campaigns/": "campaign_lists_p95",
    "/frontline/tasks/": "campaign_lists_p95",
    "/frontline/urgent/": "campaign_lists_p95",
    "/training/": "daily_question_p95 (API) and module_first_pages_p95",
    "/training/evaluation/": "evaluation_month_p95",
    "/care/suggestions/": "care_suggestions_mine",
    "/care/coverage/": "care_coverage_mine_p95",
    "/leadership/": "leadership_lists_p95",
    "/leadership/meetings/": "leadership_lists_p95",
    "/leadership/decisions/": "leadership_lists_p95",
    "/leadership/rectifications/": "leadership_lists_p95",
    "/leadership/notices/": "leadership_lists_p95",
    "/leadership/life/": "leadership_lists_p95",
    "/leadership/reports/": "leadership_lists_p95",
    "/stability/petitions/": "stability_ledger_p95",
    "/stability/factors/": "stability_factors_p95",
    "/api/training/daily": "daily_question_p95",
}

# parameterless GET routes that are not lists: forms, downloads, settings, sign-in, documents of the API
NOT_LISTS = (
    "new/", ".xlsx", ".pdf", "settings/", "accounts/login/", "accounts/logout/", "accounts/password/",
    "favicon.ico", "healthz", "api/openapi.json", "api/docs", "vanguard/assign/", "api/violations/settings",
)  # fmt: skip
REDIRECTS = {"/frontline/": "to the diary or the 专项工作 list", "/api/": "to the API's documents"}


def covered_paths():
    """Every route (without its query) some figure times."""
    paths = set(COVERED_ELSEWHERE)
    for _name, _target, _sizes, pairs in CATALOGUE:
        paths.update(url.split("?")[0] for _who, url in pairs)
    return paths


def _values(b):
    from orgs.models import Role

    branch = b.accounts["secretary"].role_assignments.filter(role=Role.SECRETARY).first().org
    today = b.today()
    return {"month": f"{today:%Y-%m}", "today": today.isoformat(), "mine": b.mine.pk, "branch": branch.pk,
            "year": today.year}  # fmt: skip


def _register(name, target, sizes, pairs):
    def measure(b):
        missing = sorted({who for who, _url in pairs if who not in b.accounts})
        if len(missing) == len({who for who, _ in pairs}):
            return skipped(f"no {', '.join(missing)} account")
        values = _values(b)
        clients = {who: b.client(b.accounts[who]) for who, _ in pairs if who in b.accounts}
        timed = [(clients[who], url.format(**values)) for who, url in pairs if who in clients]
        roles = sorted(clients)
        urls = f"{len(timed)} URLs" if len(timed) > 1 else timed[0][1]
        return b.measure(timed, note=f"{urls} as {', '.join(roles)}")

    measure.__doc__ = f"p95 of {', '.join(sorted({u.split('?')[0] for _w, u in pairs}))}"
    measure.__name__ = name
    figure(name, target=target, order=90, sizes=sizes)(measure)


for _name, _target, _sizes, _pairs in CATALOGUE:
    _register(_name, _target, _sizes, _pairs)


@figure("training_analysis_first_p95", target=None, order=91)
def training_analysis_first(b):
    """p95 of the item analysis page (half a year of papers) right after a paper is graded: the papers' table
    written before each request, so the page is computed, not kept (``training_lists_p95`` times it kept)."""
    from bench.harness import Measured, Stats, p95
    from common import homecache
    from training.models import ExamPaper

    if "committee" not in b.accounts:
        return skipped("no committee account")
    client = b.client(b.accounts["committee"])
    url, table = "/training/bank/analysis/", ExamPaper._meta.db_table
    b.get_ms(client, url)
    b.get_ms(client, b.BASELINE_URL)
    page, base = [], []
    for _i in range(max(b.requests, 1)):
        homecache.bump([table])
        page.append(b.get_ms(client, url))
        base.append(b.get_ms(client, b.BASELINE_URL))
    return Measured(p95(page), baseline=p95(base), baseline_name="select1", stats=Stats.of(page),
                    baseline_stats=Stats.of(base), note=f"{url} as committee, {table} raised before each")  # fmt: skip
