"""Figures of the organisations and people module (SPEC §8): demo generation, roster list, tree, import."""

import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.db import transaction

from bench.harness import Measured, figure, skipped

IMPORT_ROWS = 5000


@figure("demo_generate", unit="s", order=0)
def demo_generate(b):
    """Time `manage.py demo --size <size>` took to build the bench database (no target)."""
    if b.demo_seconds is None:
        return skipped(b.demo_note or "database reused; generation time not recorded")
    return Measured(b.demo_seconds, note=b.demo_note)


def _roster_urls(b):
    from orgs.models import JobType, OrgKind

    secretary = b.accounts["secretary"]
    branch = secretary.role_assignments.get(role="secretary").org
    team = branch.get_descendants().filter(kind=OrgKind.TEAM).order_by("path").first()
    other_branch = b.mine.get_descendants().filter(kind=OrgKind.BRANCH).order_by("-path").first()
    job = JobType.objects.get(name="采煤工")
    committee_urls = [
        "/people/",
        "/people/?page=5",
        "/people/?political_status=member",
        "/people/?q=王",
        "/people/?q=zw",
        "/people/?new_hire=on",
        "/people/?transferred=on",
        f"/people/?org={other_branch.pk}",
        f"/people/?job_type={job.pk}",
        "/people/?work_status=leave&page=2",
    ]
    secretary_urls = [
        "/people/",
        "/people/?page=2",
        "/people/?political_status=member",
        "/people/?q=张",
        "/people/?new_hire=on",
        "/people/?transferred=on",
        f"/people/?org={team.pk}",
    ]
    return committee_urls, secretary_urls, branch


@figure("roster_list_p95", target=100, order=10)
def roster_list(b):
    """p95 of the roster list (pages, filters, search) for the mine's 党委 and a branch secretary."""
    committee = b.client(b.accounts["committee"])
    secretary = b.client(b.accounts["secretary"])
    committee_urls, secretary_urls, _ = _roster_urls(b)
    pairs = [(committee, u) for u in committee_urls] + [(secretary, u) for u in secretary_urls]
    from bench.harness import p95

    value = p95(b.timings(pairs))
    base = b.baseline_p95([committee, secretary])
    return Measured(value, baseline=base, baseline_name="select1", note=f"{max(b.requests, len(pairs))} requests")


@figure("roster_list_group_p95", order=11, sizes=("group",))
def roster_list_group(b):
    """p95 of the roster list for the group's 党委 (all 40 mines): informational, SPEC targets the mine scale."""
    if "group_committee" not in b.accounts:
        return skipped("no group committee account")
    client = b.client(b.accounts["group_committee"])
    urls = ["/people/", "/people/?page=100", "/people/?q=王", "/people/?new_hire=on"]
    value = b.p95_of([client], urls)
    return Measured(value, baseline=b.baseline_p95([client]), baseline_name="select1")


@figure("tree_p95", target=100, order=20)
def tree(b):
    """p95 of the organisation tree page (with head counts) for the mine's 党委 and a branch secretary."""
    committee = b.client(b.accounts["committee"])
    secretary = b.client(b.accounts["secretary"])
    _, _, branch = _roster_urls(b)
    pairs = [(committee, "/orgs/"), (committee, f"/orgs/?root={branch.pk}"), (secretary, "/orgs/")]
    from bench.harness import p95

    value = p95(b.timings(pairs))
    return Measured(value, baseline=b.baseline_p95([committee, secretary]), baseline_name="select1")


@figure("roster_import", target=10, unit="s", order=30)
def roster_import(b):
    """Import of 5,000 new roster rows from an .xlsx by the mine's 党委 (rolled back afterwards)."""
    try:
        from orgs import roster_excel
    except ImportError:
        return skipped("orgs.roster_excel.run_import missing")
    run_import = getattr(roster_excel, "run_import", None)
    if run_import is None:
        return skipped("orgs.roster_excel.run_import missing")
    user = b.accounts["committee"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster-5000.xlsx"
        write_import_file(b, path, IMPORT_ROWS)
        with transaction.atomic():
            started = time.perf_counter()
            result = run_import(user, str(path))
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
    note = _import_note(result)
    return Measured(seconds, note=note)


def _import_note(result):
    for attr in ("created", "created_count", "imported"):
        value = getattr(result, attr, None) if not isinstance(result, dict) else result.get(attr)
        if isinstance(value, int):
            return f"{value} rows created"
    return f"{IMPORT_ROWS} rows"


def import_rows(b, n):
    """``n`` new people for the first mine, as the roster template's rows (dicts keyed by column title)."""
    import random

    from orgs import demo
    from orgs.models import JobType, OrgKind, OrgNode

    rng = random.Random(demo.SEED + 1)
    teams = list(
        OrgNode.objects.filter(path__startswith=b.mine.path, kind=OrgKind.TEAM).order_by("path").select_related()
    )
    unit_names = dict(
        OrgNode.objects.filter(path__startswith=b.mine.path, kind=OrgKind.UNIT).values_list("path", "name")
    )
    jobs = list(JobType.objects.order_by("order").values_list("name", flat=True))
    maker = demo.PersonMaker(rng, b.today(), b.mine, {j: None for j in jobs})
    rows = []
    for i in range(n):
        team = teams[i % len(teams)]
        gender = "M"
        birth = maker.birth_date(19, 55, 35)
        id_number, phone, address = maker.identity(gender, birth)
        # the demo's numbers carry a wrong check digit on purpose; an import sheet of a real mine has valid ones (the
        # importer checks them), and these rows are rolled back after the figure
        body = id_number[:17]
        id_number = body + demo.ID_CHECK[sum(int(d) * w for d, w in zip(body, demo.ID_WEIGHTS)) % 11]
        hire = min(demo.add_years(birth, 20), b.today() - timedelta(days=30))
        rows.append(
            {
                "工号": f"9{i + 1:05d}",
                "姓名": maker.name(gender, birth),
                "性别": "男",
                "出生日期": birth,
                "身份证号": id_number,
                "手机": phone,
                "家庭住址": address,
                "入职日期": hire,
                "工种": rng.choice(jobs),
                "岗位": "",
                "所在班组": f"{unit_names[team.path[: -team.steplen]]}/{team.name}",
                "区队/科室": unit_names[team.path[: -team.steplen]],
                "班组": team.name,
                "政治面貌": "群众",
                "入党日期": None,
                "在岗状态": "在岗",
            }
        )
    return rows


def write_import_file(b, path, n):
    """Write ``n`` rows in the layout of the roster template (its header row decides the columns)."""
    from openpyxl import Workbook

    from orgs import roster_excel

    headers = [c.header for c in roster_excel.COLUMNS]
    rows = import_rows(b, n)
    headers = headers or list(rows[0])
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("职工")
    ws.append(headers)
    for row in rows:
        ws.append([_cell(row, h) for h in headers])
    wb.save(path)


def _cell(row, header):
    title = (header or "").strip().rstrip("*").strip()
    return row.get(title)
