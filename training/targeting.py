"""Who gets which knowledge point and question (每日一题, mastery, exams): the one place that decides it.

A 工种 belongs to one or more 工种组 (``JobGroup``). A knowledge point reaches a 工种 when

- it names none of the groups and none of the 工种 (a point for everyone), or
- it names one of the 工种's groups, or the 工种 itself, or
- the 工种 works underground (one of its groups is underground) and the point is high-risk (瓦斯, 通风, 顶板, 防治水,
  防灭火, 煤尘) or marked 井下必学 (自救互救, 应急避险, 入井须知),

and never when the point is 仅井下 and the 工种 has no underground group. A question of a reached point reaches the
工种 when it names neither groups nor 工种 (it follows its point), or names one of the 工种's groups or the 工种 itself;
a 仅井下 question never reaches a surface-only 工种. Management-level facts (pump capacities, 反风 drills, 煤尘爆炸性
鉴定…) are questions tagged 管理技术类.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

# The default catalogue: (code, name, underground, 工种). A mine edits it at /training/groups/.
DEFAULT_GROUPS = (
    (
        "coal",
        "采煤类",
        True,
        ("采煤工", "液压支架工", "采煤机司机", "刮板输送机司机", "乳化液泵站司机", "综采维修电工", "安装工"),
    ),
    ("heading", "掘进类", True, ("掘进工", "锚杆支护工", "掘进机司机", "爆破工", "探放水工")),
    (
        "electro",
        "机电类",
        True,
        (
            "综采维修电工",
            "井下电钳工",
            "机电维修工",
            "提升机司机",
            "压风机司机",
            "水泵工",
            "主通风机司机",
            "变电所值班员",
            "乳化液泵站司机",
            "安装工",
        ),
    ),
    (
        "transport",
        "运输提升类",
        True,
        ("运输工", "提升机司机", "胶带输送机司机", "电机车司机", "信号把钩工", "无轨胶轮车司机"),
    ),
    (
        "ventilation",
        "一通三防类",
        True,
        ("瓦斯检查工", "通风工", "安全监测工", "瓦斯抽采工", "防突工", "探放水工", "矿山救护队员", "安全检查工"),
    ),
    ("surface", "地面/选煤类", False, ("选煤工", "重介质分选工", "浮选工", "化验工", "后勤服务人员", "仓储管理员")),
    ("management", "管理技术类", True, ("管理人员", "调度员", "测量工", "地质工", "安全检查工")),
)
MANAGEMENT = "management"


def default_jobs():
    """Every 工种 of the default catalogue, in order."""
    names = []
    for _code, _name, _underground, jobs in DEFAULT_GROUPS:
        names += [j for j in jobs if j not in names]
    return names


def ensure_default_groups(job_groups_model=None, job_type_model=None):
    """Create the catalogue's groups that are missing and put every 工种 of the catalogue that is in no group yet into
    its default groups. Idempotent; a mine's own edits (a 工种 moved, a group renamed) are kept."""
    from orgs.models import JobType
    from training.models import JobGroup

    JobGroup = job_groups_model or JobGroup  # noqa: N806 (the historical model in the data migration)
    JobType = job_type_model or JobType  # noqa: N806
    groups = {}
    for order, (code, name, underground, _jobs) in enumerate(DEFAULT_GROUPS, start=1):
        group = JobGroup.objects.filter(code=code).first()
        if group is None:
            group = JobGroup.objects.create(code=code, name=name, underground=underground, order=order * 10)
        groups[code] = group
    grouped = set(JobGroup.job_types.through.objects.values_list("jobtype_id", flat=True))
    by_name = {j.name: j for j in JobType.objects.exclude(pk__in=grouped)}
    for code, _name, _underground, jobs in DEFAULT_GROUPS:
        found = [by_name[n] for n in jobs if n in by_name]
        if found:
            groups[code].job_types.add(*found)
    return groups


def place_new_job(job_type):
    """A 工种 just created (roster import, demo, the settings page): into its default groups if the catalogue knows
    its name. A mine moves it on the groups page."""
    from training.models import JobGroup

    codes = [code for code, _n, _u, jobs in DEFAULT_GROUPS if job_type.name in jobs]
    for group in JobGroup.objects.filter(code__in=codes):
        group.job_types.add(job_type)


@dataclass(frozen=True)
class Job:
    job_type_id: int
    group_ids: frozenset
    underground: bool


def job(job_type_id):
    from training.models import JobGroup

    rows = list(JobGroup.objects.filter(job_types=job_type_id).values_list("pk", "underground"))
    return Job(job_type_id, frozenset(pk for pk, _ in rows), any(u for _, u in rows))


def _tagged(through, owner_field, owner_ref, target_field, values):
    return Exists(through.objects.filter(**{owner_field: OuterRef(owner_ref), f"{target_field}__in": values}))


def point_filter(j, prefix=""):
    """Q over KnowledgePoint (``prefix`` e.g. "point__" from Question) for the points that reach the 工种 ``j``."""
    from training.models import KnowledgePoint

    ref = f"{prefix}pk" if prefix else "pk"
    groups_through = KnowledgePoint.groups.through
    jobs_through = KnowledgePoint.job_types.through
    untagged = ~Exists(groups_through.objects.filter(knowledgepoint_id=OuterRef(ref))) & ~Exists(
        jobs_through.objects.filter(knowledgepoint_id=OuterRef(ref))
    )
    fits = (
        untagged
        | _tagged(groups_through, "knowledgepoint_id", ref, "jobgroup_id", list(j.group_ids))
        | _tagged(jobs_through, "knowledgepoint_id", ref, "jobtype_id", [j.job_type_id])
    )
    if j.underground:
        fits |= Q(**{f"{prefix}high_risk": True}) | Q(**{f"{prefix}every_underground": True})
        return fits
    return fits & Q(**{f"{prefix}underground_only": False})


def question_filter(j):
    """Q over Question for the questions themselves fitting the 工种 ``j`` (their point is checked apart)."""
    from training.models import Question

    groups_through = Question.groups.through
    jobs_through = Question.job_types.through
    untagged = ~Exists(groups_through.objects.filter(question_id=OuterRef("pk"))) & ~Exists(
        jobs_through.objects.filter(question_id=OuterRef("pk"))
    )
    fits = (
        untagged
        | _tagged(groups_through, "question_id", "pk", "jobgroup_id", list(j.group_ids))
        | _tagged(jobs_through, "question_id", "pk", "jobtype_id", [j.job_type_id])
    )
    return fits if j.underground else fits & Q(underground_only=False)


def eligible_questions(job_type_id):
    """[(question id, point id)] of the active current questions a worker of the 工种 can be served."""
    from training.models import Question, QuestionStatus

    j = job(job_type_id)
    return list(
        Question.objects.filter(status=QuestionStatus.ACTIVE, replaced_by__isnull=True)
        .filter(point_filter(j, "point__"))
        .filter(question_filter(j))
        .values_list("pk", "point_id")
    )


def fitting_question_ids(job_type_id, question_ids):
    """The ones of ``question_ids`` a worker of the 工种 may be served: an exam's rules name points, and a worker
    gets only the questions of those that reach their 工种."""
    from training.models import Question

    j = job(job_type_id)
    return set(
        Question.objects.filter(pk__in=question_ids)
        .filter(point_filter(j, "point__"))
        .filter(question_filter(j))
        .values_list("pk", flat=True)
    )


def point_ids(job_type_id):
    """The knowledge points that reach the 工种 (with or without questions)."""
    from training.models import KnowledgePoint

    return list(KnowledgePoint.objects.filter(point_filter(job(job_type_id))).values_list("pk", flat=True))


def own_point_ids(job_type_id):
    """The points written for the 工种 (through its groups or by name), not those for everyone: new hires and
    transferred workers start on these."""
    from training.models import KnowledgePoint

    j = job(job_type_id)
    return set(
        KnowledgePoint.objects.filter(Q(groups__in=list(j.group_ids)) | Q(job_types=job_type_id))
        .values_list("pk", flat=True)
        .distinct()
    )
