"""Every page, every role, awkward data (issue 9): no 5xx, no link to a page the role cannot open, no raw text,
and every page route of the URL conf reached by some role's crawl (or listed below with the reason it is not a
page a link leads to)."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import transaction

from tests.crawl import blank_optional_fields, crawl, url_patterns

pytestmark = pytest.mark.django_db

# Routes no link leads to with GET: actions (POST only), files and logout. The crawl does not need to reach them;
# their own tests cover them.
NOT_LINKED = {
    "accounts/logout/",
    "manage/accounts/<int:pk>/reset/",
    "manage/accounts/<int:pk>/active/",
    "manage/accounts/<int:pk>/roles/",
    "manage/accounts/<int:pk>/roles/<int:assignment_pk>/revoke/",
    "manage/grants/<int:pk>/",
    "healthz",  # JSON for nginx and monitoring (common/tests/test_healthz.py)
    # the ledger buttons post the list's query and start a file made in the background (its page /files/<pk>/ is
    # crawled); hazards/tests/test_lists.py, violations and frontline tests make them through the button
    "hazards/ledger.xlsx",
    "violations/ledger.xlsx",
    "frontline/urgent/ledger.xlsx",
    "stability/petitions/export.xlsx",  # stability/tests/test_petitions.py
    "leadership/meetings.xlsx",  # leadership/tests/test_pages.py
    "people/export.xlsx",  # orgs/tests/test_roster_excel.py
    "api-tokens/<int:pk>/revoke/",
    "imports/jobs/<int:pk>/confirm/",
    "imports/jobs/<int:pk>/cancel/",
    "hazards/<int:pk>/<slug:action>/",
    "violations/<int:pk>/reexam/",
    "violations/<int:pk>/steps/<int:step>/",
    "violations/<int:pk>/<slug:action>/",
    "frontline/requests/<int:pk>/<slug:action>/",
    "frontline/tasks/<int:pk>/<slug:action>/",
    "frontline/diary/<int:pk>/requests/",
    "training/daily/<int:pk>/answer/",
    "training/bank/<int:pk>/status/",
    "training/lessons/<int:pk>/check/",
    "training/lessons/<int:pk>/publish/",
    "training/exams/<int:pk>/generate/",
    "training/exams/<int:pk>/makeup/",
    "training/papers/<int:pk>/start/",
    "training/papers/<int:pk>/save/",
    "training/papers/<int:pk>/submit/",
    "training/qa/<int:pk>/answer/",
    "training/qa/<int:pk>/accept/",
    "training/qa/<int:pk>/answers/<int:answer_pk>/to-bank/",
    "care/suggestions/<int:person>/<slug:rule>/dismiss/",
    "care/register/<int:pk>/<slug:action>/",
    "care/follow-ups/<int:pk>/close/",
    "scorecard/schemes/new/",
    "scorecard/schemes/<int:pk>/run/",
    "scorecard/schemes/<int:pk>/scores/<int:component>/",
    "scorecard/evaluation/new/",
    "scorecard/evaluation/<int:pk>/close/",
    "scorecard/runs/<int:pk>/branches/<int:branch>/report/<slug:fmt>/",  # starts the 述职 draft (POST)
    "scorecard/runs/<int:pk>/compare/<slug:fmt>/",  # starts the committee's comparison report (POST)
    "selfcheck/measures/<int:pk>/done/",
    "selfcheck/i/<int:pk>/measures/",
    "selfcheck/i/<int:pk>/<slug:action>/",
    # 矿区和谐维稳: forms on the detail pages (POST only)
    "stability/factors/<int:pk>/measures/",
    "stability/factors/<int:pk>/assessments/",
    "stability/factors/<int:pk>/follow-ups/",
    "stability/factors/<int:pk>/<slug:action>/",
    "stability/measures/<int:pk>/done/",
    "stability/petitions/<int:pk>/<slug:action>/",
    "stability/plans/<int:pk>/drills/",
    "stability/plans/<int:pk>/triggers/",
    "stability/plans/<int:pk>/revise/",
    "stability/plans/<int:pk>/assess/",
    "stability/health/fevers/<int:pk>/follow/",
    "frontline/",  # the old entry point: redirects to 民情日记 or 专项工作, nothing links it
    # whole-book downloads, kept out of the crawl (SKIP): their own tests open them
    "frontline/diary/book.pdf",
    "training/evaluation.pdf",
}
# Downloads of uploaded files: the demo uploads none; each app's tests open them with a real file.
UPLOADED_FILES = {
    "hazards/photos/<int:pk>/",
    "violations/<int:pk>/photo/",
    "training/qa/<int:pk>/photo/",
    "training/lessons/<int:pk>/file/",
    "frontline/attachments/<int:pk>/",
    "imports/jobs/<int:pk>/errors.xlsx",  # the annotated upload: offered only while the uploaded file is kept
    "files/<int:pk>/download/",  # a file made in the background (common/tests/test_generated.py downloads one)
}
# Kept out of the crawl: downloads that build a whole book (their own tests open them).
SKIP = ("/frontline/diary/book.pdf", "/training/evaluation.pdf", "/accounts/logout/")


def _awkward():
    """The small demo, then one row of every model with its optional fields emptied, and a 包保 worker with two
    三违 on one day (one without a place)."""
    from orgs import demo

    demo.generate("small", log=lambda message: None)
    emptied = []
    for model in apps.get_models():
        if model._meta.app_label not in demo_apps():
            continue
        row = model._default_manager.order_by("-pk").first()
        if row is not None and blank_optional_fields(model, row):
            emptied.append(model._meta.label)
    _same_day_violations()
    _training_records()
    _import_job()
    return emptied


def demo_apps():
    """The project's own apps (not Django's or a library's)."""
    from django.conf import settings

    return {
        c.label for c in apps.get_app_configs() if c.path.startswith(str(settings.BASE_DIR)) and "/.venv/" not in c.path
    }


def _same_day_violations():
    from vanguard.models import Assignment
    from violations.models import Violation

    a = Assignment.objects.filter(workers__isnull=False, ends_on__isnull=True).first()
    if a is None:
        return
    person = a.workers.first()
    model = Violation.objects.filter(mine=person.mine).exclude(location=None).first()
    if model is None:
        return
    day = max(a.starts_on, model.occurred_on - timedelta(days=0))
    for location in (model.location, None):
        copy = Violation.objects.get(pk=model.pk)
        copy.pk = None
        copy.id = None
        copy.person, copy.location, copy.occurred_on = person, location, day
        if hasattr(copy, "external_id"):
            copy.external_id = ""
        if hasattr(copy, "token"):
            copy.token = None
        copy.save()


def _training_records():
    """This week's lesson, an open 月考 with papers and an answered 答疑, where the demo has none."""
    from django.utils import timezone

    from orgs.models import OrgKind, OrgNode, RoleAssignment
    from training import exams
    from training.models import ExamBlueprint, Lesson, QaAnswer, QaQuestion, Question

    committee = RoleAssignment.objects.filter(org__kind=OrgKind.MINE, role="committee").select_related("org").first()
    if committee is None:
        return
    mine, user = committee.org, committee.user
    branch = OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.BRANCH).first() or mine
    now = timezone.now()
    questions = list(Question.objects.filter(status="active")[:3])
    if not Lesson.objects.exists():
        lesson = Lesson.objects.create(
            title="采煤工作面顶板管理",
            week=now.date() - timedelta(days=now.date().weekday()),
            org=branch,
            body="敲帮问顶,先支后采。",
            author=user,
            published_at=now,
        )
        lesson.questions.set(questions[:2])
    if not ExamBlueprint.objects.exists() and questions:
        blueprint = ExamBlueprint.objects.create(
            title="本月安全月考",
            org=branch,
            month=now.date().replace(day=1),
            rules=[{"job_type": None, "point": questions[0].point_id, "difficulty": None, "type": None, "count": 1}],
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=3),
            author=user,
        )
        exams.generate(user, blueprint)
    if not QaQuestion.objects.exists():
        asker = branch_person(branch)
        if asker is not None:
            qa = QaQuestion.objects.create(asker=asker, mine=mine, org=asker.org, text="自救器什么时候要打开使用?")
            QaAnswer.objects.create(question=qa, author=user, text="发现有毒有害气体或烟雾时立即佩戴。")


def branch_person(branch):
    from orgs.models import Person

    return Person.objects.filter(org__path__startswith=branch.path).order_by("pk").first()


def _import_job():
    """A checked import with one row in error, of every kind, for the first mine 党委: the import pages show it; and
    two files of 我的文件 (one failed, one in progress)."""
    from common.imports import importer_kinds
    from common.models import GeneratedFile, ImportJob
    from orgs.models import RoleAssignment

    ra = RoleAssignment.objects.filter(role="committee", org__kind="mine").select_related("user", "org")
    ra = ra.order_by("pk").first()
    if ra is None or ImportJob.objects.exists():
        return
    for kind in importer_kinds():
        ImportJob.objects.create(
            kind=kind,
            user=ra.user,
            target=ra.org,
            original_name="台账.xlsx",
            status="invalid",
            total=3,
            processed=3,
            error_count=1,
            errors=[{"row": 3, "column": "工号", "message": "工号重复"}],
        )
    files = GeneratedFile.objects
    files.create(kind="hazard_ledger", label="隐患台账", user=ra.user, status="failed", message="筛选条件无效")
    files.create(kind="hazard_ledger", label="隐患台账", user=ra.user, status="running", done=3, total=9)


def roles():
    """One user per role and level (a group 党委 and a mine 党委 are different users), the superuser, and a 帮教人."""
    from orgs.models import RoleAssignment, User

    users = {}
    for ra in RoleAssignment.objects.select_related("user", "org").order_by("pk"):
        users.setdefault(f"{ra.role}@{ra.org.kind}", ra.user)
    superuser = User.objects.filter(is_superuser=True).first()
    if superuser:
        users["superuser"] = superuser
    helper = _care_helper()
    if helper is not None:
        users.setdefault("care_helper", helper)
    return users


def _care_helper():
    from care.models import Entry
    from orgs.models import User

    entry = Entry.objects.exclude(helper=None).first()
    return User.objects.filter(person=entry.helper).first() if entry else None


def test_every_page_every_role_with_awkward_data(client):
    with transaction.atomic():
        _awkward()
        users = roles()
        assert len(users) >= 9, users
        reached, problems = {}, []
        for name, user in users.items():
            client.force_login(user)
            visits, found = crawl(client, skip=SKIP)
            problems += [f"[{name}] {p}" for p in found]
            for v in visits:
                reached.setdefault(v.route, set()).add(name)
            client.logout()
        routes = url_patterns()
        unreached = sorted(
            r for r in routes if r not in reached and r not in NOT_LINKED and r not in UPLOADED_FILES and r not in _ANON
        )
        problems += [
            f"no role's crawl reaches {r} (link it, or list it in NOT_LINKED with the reason)" for r in unreached
        ]
        assert not problems, "\n".join(sorted(set(problems)))
        transaction.set_rollback(True)


_ANON = {"accounts/login/", "favicon.ico"}
