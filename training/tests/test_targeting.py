"""工种 targeting (training/targeting.py): every 工种 of the default catalogue is served the points of its groups."""

import pytest

from common import inputs
from orgs.models import JobType
from training import services, targeting
from training.bank import load_starter_bank
from training.forms import BlueprintForm, GroupForm
from training.models import JobGroup, KnowledgePoint, Question

CORE = {"gas", "ventilation", "roof"}


@pytest.fixture
def catalogue(db):
    targeting.ensure_default_groups()
    jobs = {name: JobType.objects.get_or_create(name=name)[0] for name in targeting.default_jobs()}
    load_starter_bank()
    return jobs


def reach(job):
    pairs = services.eligible_questions(job.pk)
    return {q for q, _ in pairs}, {p for _, p in pairs}


@pytest.mark.django_db
def test_every_job_of_the_catalogue_gets_the_points_of_its_groups_with_enough_questions(catalogue):
    codes = dict(KnowledgePoint.objects.values_list("pk", "code"))
    for name, job in catalogue.items():
        groups = list(job.job_groups.all())
        assert groups, f"{name} 不在任何工种组"
        questions, points = reach(job)
        assert len(questions) >= 20, f"{name} 只有 {len(questions)} 题"
        own = set(KnowledgePoint.objects.filter(groups__in=groups).values_list("pk", flat=True))
        missing = sorted(codes[p] for p in own - points)
        assert not missing, f"{name} 够不到本组的知识点 {missing}"
        if any(g.underground for g in groups):
            assert CORE <= {codes[p] for p in points}, f"{name} 缺少瓦斯/通风/顶板"
            assert {"water", "fire", "dust", "self_rescue", "emergency"} <= {codes[p] for p in points}


@pytest.mark.django_db
def test_surface_only_jobs_get_no_underground_question(catalogue):
    surface = [j for j in catalogue.values() if not any(g.underground for g in j.job_groups.all())]
    assert {j.name for j in surface} >= {"选煤工", "后勤服务人员"}
    for job in surface:
        questions, points = reach(job)
        assert not Question.objects.filter(pk__in=questions, underground_only=True).exists(), job.name
        assert not KnowledgePoint.objects.filter(pk__in=points, underground_only=True).exists(), job.name
        assert not {"gas", "entry", "water", "self_rescue"} & set(
            KnowledgePoint.objects.filter(pk__in=points).values_list("code", flat=True)
        )
        assert "surface" in set(KnowledgePoint.objects.filter(pk__in=points).values_list("code", flat=True))


@pytest.mark.django_db
def test_management_parameters_go_to_management_and_the_job_that_runs_the_machine(catalogue):
    pump_capacity = Question.objects.current().get(code="WATER-010")
    reverse = Question.objects.current().get(code="VEN-016")
    for name, gets_pump, gets_reverse in (
        ("采煤工", False, False),
        ("胶带输送机司机", False, False),
        ("管理人员", True, True),
        ("水泵工", True, False),
        ("主通风机司机", False, True),
    ):
        questions, _ = reach(catalogue[name])
        assert (pump_capacity.pk in questions) is gets_pump, name
        assert (reverse.pk in questions) is gets_reverse, name


@pytest.mark.django_db
def test_a_job_a_mine_adds_gets_its_groups_points_at_once(world, catalogue):
    new = JobType.objects.create(name="综掘机司机")
    assert reach(new)[0]  # the points for everyone
    assert not {"gas", "roof"} & set(KnowledgePoint.objects.filter(pk__in=reach(new)[1]).values_list("code", flat=True))
    heading = JobGroup.objects.get(code="heading")
    data = {
        "name": heading.name,
        "underground": "on",
        "order": 20,
        "job_types": [j.pk for j in heading.job_types.all()] + [new.pk],
    }
    services.save_group(world.committee_user, **inputs.parse(GroupForm, data, current=heading))
    codes = set(KnowledgePoint.objects.filter(pk__in=reach(new)[1]).values_list("code", flat=True))
    assert {"gas", "ventilation", "roof", "blasting", "roadheader"} <= codes


@pytest.mark.django_db
def test_a_catalogue_job_created_later_lands_in_its_groups(db):
    targeting.ensure_default_groups()
    job = JobType.objects.create(name="提升机司机")
    assert {g.code for g in job.job_groups.all()} == {"electro", "transport"}
    # a mine's own move is kept when the catalogue is applied again
    JobGroup.objects.get(code="electro").job_types.remove(job)
    targeting.ensure_default_groups()
    assert {g.code for g in job.job_groups.all()} == {"transport"}


@pytest.mark.django_db
def test_the_groups_page_for_the_committee(world, login, client, django_assert_max_num_queries, catalogue):
    login(world.committee_user)
    with django_assert_max_num_queries(12):
        page = client.get("/training/groups/")
    assert page.status_code == 200
    text = page.content.decode()
    for name in ("采煤类", "掘进类", "机电类", "运输提升类", "一通三防类", "地面/选煤类", "管理技术类", "液压支架工"):
        assert name in text
    assert 'href="/training/groups/"' in text  # the menu entry
    bad = client.post("/training/groups/", {"code": "Bad Code", "name": "", "job_types": [catalogue["采煤工"].pk]})
    assert bad.status_code == 422
    assert "编码只能用小写字母" in bad.content.decode() and "名称必填" in bad.content.decode()
    assert f'<option value="{catalogue["采煤工"].pk}" selected>采煤工' in bad.content.decode()  # nothing typed is lost
    made = client.post(
        "/training/groups/",
        {"code": "rescue-team", "name": "救护类", "underground": "on", "job_types": [catalogue["矿山救护队员"].pk]},
    )
    assert made.status_code == 302
    group = JobGroup.objects.get(code="rescue-team")
    assert group.underground and list(group.job_types.values_list("name", flat=True)) == ["矿山救护队员"]


@pytest.mark.django_db
def test_workers_and_secretaries_cannot_edit_groups(world, login, client):
    for user in (world.worker, world.secretary):
        login(user)
        assert client.get("/training/groups/").status_code == 404
        assert client.post("/training/groups/", {"code": "x", "name": "某类"}).status_code == 404
    assert not JobGroup.objects.filter(code="x").exists()


@pytest.mark.django_db
def test_an_exam_serves_a_surface_worker_only_the_points_that_reach_them(world, catalogue):
    from datetime import timedelta

    from django.utils import timezone

    from orgs.tests.factories import PersonFactory
    from training import exams
    from training.models import ExamPaper

    washer = PersonFactory(org=world.team, name="选煤甲", job_type=catalogue["选煤工"])
    miner = PersonFactory(org=world.team, name="采煤乙", job_type=catalogue["采煤工"])
    gas, law = (KnowledgePoint.objects.get(code=c) for c in ("gas", "law"))
    now = timezone.now()
    blueprint = exams.create_blueprint(
        world.secretary,
        **inputs.parse(
            BlueprintForm,
            {
                "title": "十二月考试",
                "time_limit": 30,
                "pass_mark": 60,
                "org": world.branch.pk,
                "month": timezone.localdate().isoformat(),
                "opens_at": (now - timedelta(hours=1)).isoformat(),
                "closes_at": (now + timedelta(days=2)).isoformat(),
                "rules": [{"point": gas.pk, "count": 3}, {"point": law.pk, "count": 2}],
            },
            user=world.secretary,
        ),
    )
    exams.generate(world.secretary, blueprint)

    def points_of(person):
        paper = ExamPaper.objects.get(blueprint=blueprint, person=person)
        return set(Question.objects.filter(pk__in=[i["q"] for i in paper.items]).values_list("point__code", flat=True))

    assert points_of(washer) == {"law"}
    assert points_of(miner) == {"gas", "law"}


@pytest.mark.django_db
def test_a_question_page_says_whom_it_goes_to(world, login, client, catalogue):
    question = Question.objects.current().get(code="WATER-010")
    login(world.committee_user)
    text = client.get(f"/training/bank/{question.pk}/").content.decode()
    targets = text.split('id="targets">', 1)[1].split("</p>", 1)[0]
    assert targets.startswith("发给:管理技术类") and "水泵工" in targets and "探放水工" in targets
    assert "仅井下" not in targets  # its point is 仅井下, the question itself is not marked
