"""Figures of the organisations and people module (SPEC §8): demo generation, roster list, tree, import."""

import tempfile
import time
from datetime import timedelta
from pathlib import Path

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
    return b.measure(pairs, note=f"{len(pairs)} URLs")


@figure("roster_list_group_p95", order=11, sizes=("group",))
def roster_list_group(b):
    """p95 of the roster list for the group's 党委 (all 40 mines): informational, SPEC targets the mine scale."""
    if "group_committee" not in b.accounts:
        return skipped("no group committee account")
    client = b.client(b.accounts["group_committee"])
    urls = ["/people/", "/people/?page=100", "/people/?q=王", "/people/?new_hire=on"]
    return b.measure([(client, u) for u in urls])


@figure("tree_p95", target=100, order=20)
def tree(b):
    """p95 of the organisation tree page (with head counts) for the mine's 党委 and a branch secretary."""
    committee = b.client(b.accounts["committee"])
    secretary = b.client(b.accounts["secretary"])
    _, _, branch = _roster_urls(b)
    pairs = [(committee, "/orgs/"), (committee, f"/orgs/?root={branch.pk}"), (secretary, "/orgs/")]
    return b.measure(pairs)


@figure("roster_import", target=10, unit="s", order=30)
def roster_import(b):
    """5,000 new roster rows from an .xlsx by the mine's 党委 through the path the pages take: the upload
    (POST /imports/roster/), the check of every row (the background task the page waits for), the confirm
    (POST /imports/jobs/<id>/confirm/) and the write, which checks every row again. Rolled back afterwards."""
    from common import imports
    from common.models import ImportJob, ImportStatus

    user = b.accounts["committee"]
    client = b.client(user)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster-5000.xlsx"
        write_import_file(b, path, IMPORT_ROWS)
        with b.rolled_back():
            before = ImportJob.objects.filter(user=user).order_by("-pk").values_list("pk", flat=True).first() or 0
            started = time.perf_counter()
            with open(path, "rb") as handle:
                response = client.post("/imports/roster/", {"file": handle})
            if response.status_code != 302:
                raise AssertionError(f"upload answered {response.status_code}")
            job = ImportJob.objects.filter(user=user, kind="roster", pk__gt=before).get()
            uploaded = time.perf_counter()
            if job.status == ImportStatus.QUEUED:  # a large file: the background worker checks it
                imports.run_check(job.pk)
            b.get_ms(client, f"/imports/jobs/{job.pk}/")  # the page the user reads the check on
            checked = time.perf_counter()
            job.refresh_from_db()
            if job.status != ImportStatus.READY:
                raise AssertionError(f"import check ended {job.status}: {job.message or job.errors[:3]}")
            response = client.post(f"/imports/jobs/{job.pk}/confirm/")
            job.refresh_from_db()
            if job.status == ImportStatus.APPLYING:  # a large file: written by the background worker
                imports.run_apply(job.pk)
            seconds = time.perf_counter() - started
            job.refresh_from_db()
            if job.status != ImportStatus.DONE:
                raise AssertionError(f"import ended {job.status}: {job.message or job.errors[:3]}")
            summary = job.summary
    note = (
        f"{_import_note(summary)}; upload {uploaded - started:.1f} s, check {checked - uploaded:.1f} s, "
        f"confirm and write (rows checked again) {seconds - (checked - started):.1f} s"
    )
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
