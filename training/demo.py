"""Demo data of the 微训课堂: the starter bank, a few weeks of daily questions answered in the first mine, three past
months' exams with results and this month's open, this week's and last week's lesson and case, and answered 答疑."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from common.demo import demo_step
from orgs.models import Person, WorkStatus
from training import evaluation, exams, scheduling
from training.bank import grade, load_starter_bank
from training.lessons import monday
from training.models import (
    Card,
    DailyQuestion,
    ExamBlueprint,
    ExamPaper,
    KnowledgePoint,
    Lesson,
    LessonCompletion,
    LessonKind,
    QaAnswer,
    QaQuestion,
    Question,
    QuestionStatus,
    QuestionType,
)
from training.services import eligible_questions

HISTORY_DAYS = {"small": 14, "mine": 21, "group": 7}
PEOPLE = {"small": 200, "mine": 1500, "group": 1500}


@demo_step(order=30)
def training(ctx):
    counts = load_starter_bank()
    ctx.log(f"题库: {sum(counts.values())} 题")
    _history(ctx)
    _exams(ctx)
    _lessons(ctx)
    _qa(ctx)


def _history(ctx):
    """Daily questions of the last weeks for part of the first mine: simulated with the real scheduler."""
    rng = ctx.rng
    mine = ctx.mines[0]
    people = list(
        Person.objects.filter(mine=mine, work_status=WorkStatus.ON_DUTY).order_by("emp_no")[: PEOPLE[ctx.size]]
    )
    points = {p.pk: p for p in KnowledgePoint.objects.all()}
    by_job = {}
    tz = timezone.get_current_timezone()
    dailies, cards = [], []
    for person in people:
        if person.job_type_id not in by_job:
            pairs = eligible_questions(person.job_type_id)
            grouped = {}
            for q, p in pairs:
                grouped.setdefault(p, []).append(q)
            by_job[person.job_type_id] = grouped
        grouped = by_job[person.job_type_id]
        skill = rng.uniform(0.45, 0.95)
        state = {}
        seen = {}
        days = HISTORY_DAYS[ctx.size]
        for back in range(days, 0, -1):
            day = ctx.today - timedelta(days=back)
            if rng.random() < 0.2:  # not every worker answers every day
                continue
            now = datetime.combine(day, time(7, 30), tzinfo=tz)
            choices = [
                scheduling.PointChoice(pid, points[pid].high_risk, False, points[pid].order, state.get(pid))
                for pid in grouped
            ]
            choice = scheduling.choose_point(choices, now)
            qid = scheduling.choose_question(grouped[choice.point_id], seen, person.pk, day)
            seen[qid] = seen.get(qid, 0) + 1
            correct = rng.random() < skill
            card = state.get(choice.point_id) or scheduling.new_card(choice.point_id, now)
            state[choice.point_id] = scheduling.review(card, choice.high_risk, correct, now)
            dailies.append(
                DailyQuestion(
                    person=person,
                    date=day,
                    question_id=qid,
                    point_id=choice.point_id,
                    given=[],
                    correct=correct,
                    answered_at=now,
                    reviewed=True,
                )
            )
        for pid, card in state.items():
            cards.append(
                Card(
                    person=person,
                    point_id=pid,
                    state=card.to_dict(),
                    due=card.due,
                    last_review=card.last_review,
                    reviews=1,
                )
            )
    DailyQuestion.objects.bulk_create(dailies, batch_size=2000)
    Card.objects.bulk_create(cards, batch_size=2000)
    ctx.log(f"每日一题: {len(dailies)} 条作答记录")


# ---------------------------------------------------------------- 每月一考 (past months graded, this month open)

EXAM_RULES = (("gas", 3), ("ventilation", 2), ("roof", 2), ("self_rescue", 2), ("confirm", 2), ("law", 2),
              ("dual_prevention", 2))  # fmt: skip
EXAM_PEOPLE = {"small": 200, "mine": 1500, "group": 1500}


def _wrong_answer(question, rng):
    if question.type == QuestionType.TRUEFALSE:
        return ["F"] if question.answer == ["T"] else ["T"]
    if question.type == QuestionType.FILL:
        return [rng.choice(("不清楚", "0.5%", "3次", "班组长"))]
    letters = [chr(65 + i) for i in range(len(question.options))]
    if question.type == QuestionType.SINGLE:
        return [rng.choice([x for x in letters if x not in question.answer])]
    wrong = sorted(set(question.answer) ^ {rng.choice(letters)})  # one option too many or too few
    return wrong if len(wrong) >= 1 else [letters[0]]


def _exams(ctx):
    """Three past months' exams of the first mine, taken and graded (每月一评 and the item analysis have figures),
    last month's 补考 for those who failed, and this month's exam open."""
    rng = random.Random(f"{ctx.size}:training-exams")  # not ctx.rng: the later steps keep their data
    mine = ctx.mines[0]
    author = ctx.accounts["committee"]
    points = dict(KnowledgePoint.objects.filter(code__in=[c for c, _ in EXAM_RULES]).values_list("code", "pk"))
    rules = [
        {"job_type": None, "point": points[code], "difficulty": None, "type": None, "count": n}
        for code, n in EXAM_RULES
        if code in points
    ]
    people = list(
        Person.objects.filter(mine=mine, work_status=WorkStatus.ON_DUTY)
        .order_by("emp_no")
        .values_list("pk", "job_type_id")[: EXAM_PEOPLE[ctx.size]]
    )
    skill = {pk: random.Random(f"skill:{pk}").uniform(0.62, 0.98) for pk, _ in people}
    pool = exams._pool({r["point"] for r in rules})
    questions = Question.objects.in_bulk([q[0] for q in pool])
    tz = timezone.get_current_timezone()
    this_month = ctx.today.replace(day=1)
    months = [this_month]
    for _ in range(3):
        months.insert(0, evaluation.previous_month(months[0]))
    blueprints = []
    for order, month in enumerate(months):
        current = month == this_month
        if current:
            opens = datetime.combine(ctx.today - timedelta(days=2), time(8), tzinfo=tz)
            closes = datetime.combine(ctx.today + timedelta(days=5), time(18), tzinfo=tz)
        else:
            opens = datetime.combine(month.replace(day=20), time(8), tzinfo=tz)
            closes = opens + timedelta(days=6, hours=10)
        blueprint = ExamBlueprint.objects.create(
            title=f"{month:%Y年%m月}安全知识考试", org=mine, month=month, rules=rules, time_limit=30, pass_mark=80,
            opens_at=opens, closes_at=closes, author=author, generated_at=opens - timedelta(hours=2),
        )  # fmt: skip
        blueprints.append(blueprint)
        by_job, papers = {}, []
        for person_id, job_type_id in people:
            if job_type_id not in by_job:
                by_job[job_type_id] = exams._candidates(rules, pool, job_type_id)
            items = exams._draw(by_job[job_type_id], random.Random(f"{blueprint.pk}:{person_id}:exam"))
            if not items:
                continue
            paper = ExamPaper(blueprint=blueprint, person_id=person_id, items=items)
            if rng.random() < (0.4 if current else 0.92):  # taken
                paper.started_at = opens + timedelta(minutes=rng.randint(0, (closes - opens).seconds // 60 + 60))
                if current and paper.started_at > timezone.now():
                    paper.started_at = timezone.now() - timedelta(hours=rng.randint(1, 40))
                paper.deadline = paper.started_at + timedelta(minutes=blueprint.time_limit)
                paper.submitted_at = paper.started_at + timedelta(minutes=rng.randint(9, 29))
                ability = min(0.99, skill[person_id] + 0.02 * order)
                answers, results = {}, {}
                for n, item in enumerate(items):
                    question = questions[item["q"]]
                    right = rng.random() < ability - 0.07 * (question.difficulty - 2)
                    given = list(question.answer) if right else _wrong_answer(question, rng)
                    answers[str(n)] = given
                    results[str(n)] = grade(question, given)
                paper.answers, paper.results = answers, results
                paper.score = round(sum(results.values()) * 100 / len(items))
                paper.passed = paper.score >= blueprint.pass_mark
            papers.append(paper)
        ExamPaper.objects.bulk_create(papers, batch_size=1000)
    made_up = exams.make_up(author, blueprints[-2])
    ctx.log(f"每月一考: {len(blueprints)} 次考试, 上月补考 {made_up} 份")


# ---------------------------------------------------------------- 每周一课一案 (this week and last week)

LESSONS = (
    # (weeks back, kind, title, body | (story, causes, lessons), clauses, point codes for the check questions)
    (
        0,
        LessonKind.LESSON,
        "掘进工作面局部通风机的管理",
        "局部通风机是掘进工作面的“呼吸机”。本课讲四件事:\n"
        "一、局部通风机由指定人员负责管理,挂牌标明负责人,任何人不得随意停开。\n"
        "二、实行“三专两闭锁”:专用变压器、专用开关、专用线路,风电闭锁、甲烷电闭锁;双风机双电源能自动切换。\n"
        "三、风筒吊挂平直、逢环必挂,破口及时粘补;风筒出风口到工作面的距离符合作业规程。\n"
        "四、局部通风机停止运转时,工作面人员立即停止作业、切断电源、撤到全风压进风流处;恢复通风前必须检查瓦斯,"
        "局部通风机及其开关附近10m以内风流中甲烷浓度都不超过0.5%时,方可人工开启。",
        "《煤矿安全规程》局部通风有关规定",
        ("ventilation", "gas"),
    ),
    (
        0,
        LessonKind.CASE,
        "某矿掘进工作面停风后违章送电引发瓦斯燃烧(虚构案例)",
        (
            "夜班检修时,某掘进工作面的局部通风机因线路故障停运约1小时。故障排除后,电工未按规定检查瓦斯就合闸送电,"
            "工作面人员随即返回作业。开动锚杆钻机时,积聚在巷道顶部的瓦斯被钻机电气火花点燃,发生局部燃烧,2人轻度烧伤。",
            "一、停风后没有撤人、断电,恢复通风前没有检查瓦斯;二、违章“先送电后查气”,风电闭锁装置被人为短接;"
            "三、班组长没有组织确认就让人员返回作业面。",
            "停风必撤人,送电先查气;闭锁装置不得短接;任何人发现违章送电都有权制止并报告。",
        ),
        "《煤矿安全规程》瓦斯防治和局部通风有关规定",
        ("gas", "ventilation"),
    ),
    (
        1,
        LessonKind.LESSON,
        "带式输送机检修的停电闭锁",
        "清理滚筒、处理跑偏和更换托辊时,人就在转动部件旁边。本课要点:\n"
        "一、检修前停机、切断电源并闭锁,挂“有人工作,不准送电”牌,必要时派专人看护开关;\n"
        "二、集控开车的输送机,集控室和就地都要闭锁,防止远程启动;\n"
        "三、严禁在运行中清理滚筒、拉拽皮带或跨越输送带;\n"
        "四、检修完毕清点人员和工具,确认无人后,由停电人送电、发出开车信号。",
        "《煤矿安全规程》带式输送机有关规定",
        ("confirm", "electrical"),
    ),
    (
        1,
        LessonKind.CASE,
        "某矿斜巷跑车伤人事故(虚构案例)",
        (
            "某矿采区轨道斜巷提升材料车时,把钩工未挂保险绳,也未关闭下部挡车栏。提升途中连接销脱出,"
            "材料车沿斜巷下滑,撞伤正在斜巷中步行的一名运料工。",
            "一、把钩工没有执行“挂好保险绳、关好挡车栏”的规定;二、斜巷行车时有人行走,违反“行车不行人”;"
            "三、连接装置没有检查,销子磨损未更换。",
            "斜巷提升“一坡三挡”装置必须齐全并使用;行车不行人、行人不行车;连接装置班班检查。",
        ),
        "《煤矿安全规程》倾斜井巷运输有关规定",
        ("transport", "confirm"),
    ),
)


def _lessons(ctx):
    """This week's and last week's lesson and case of the first mine, published, with check questions and
    completions."""
    rng = random.Random(f"{ctx.size}:training-lessons")
    mine = ctx.mines[0]
    author = ctx.accounts["committee"]
    tz = timezone.get_current_timezone()
    by_point = {}
    for qid, code in (
        Question.objects.filter(status=QuestionStatus.ACTIVE, replaced_by__isnull=True, type=QuestionType.SINGLE)
        .order_by("code")
        .values_list("pk", "point__code")
    ):
        by_point.setdefault(code, []).append(qid)
    people = list(
        Person.objects.filter(mine=mine, work_status=WorkStatus.ON_DUTY)
        .order_by("emp_no")
        .values_list("pk", flat=True)[: EXAM_PEOPLE[ctx.size]]
    )
    completions = []
    for back, kind, title, content, clauses, codes in LESSONS:
        week = monday(ctx.today) - timedelta(days=7 * back)
        published = datetime.combine(week, time(8), tzinfo=tz)
        if published > timezone.now():
            published = timezone.now()
        fields = (
            {"body": content}
            if kind == LessonKind.LESSON
            else dict(zip(("story", "causes", "lessons_learned"), content))
        )
        lesson = Lesson.objects.create(
            kind=kind,
            title=title,
            week=week,
            org=mine,
            clauses=clauses,
            author=author,
            published_at=published,
            **fields,
        )
        checks = [q for code in codes for q in by_point.get(code, [])[:2]][:3]
        lesson.questions.set(checks)
        lesson.points.set(KnowledgePoint.objects.filter(code__in=codes))
        read_share, pass_share = (0.55, 0.42) if back == 0 else (0.88, 0.76)
        for person_id in people:
            draw = rng.random()
            if draw >= read_share:
                continue
            read_at = published + timedelta(hours=rng.randint(1, 60))
            read_at = min(read_at, timezone.now())
            passed = draw < pass_share
            completions.append(
                LessonCompletion(
                    lesson=lesson, person_id=person_id, read_at=read_at, attempts=1 if passed else rng.randint(0, 2),
                    passed_at=read_at + timedelta(minutes=5) if passed else None,
                )
            )  # fmt: skip
    LessonCompletion.objects.bulk_create(completions, batch_size=1000)
    ctx.log(f"一课一案: {len(LESSONS)} 篇, {len(completions)} 人次学习")


# ---------------------------------------------------------------- 在线答疑

QA = (
    # (asker: account key or None for a worker of the mine, question, point code, [(answerer, answer)], accepted)
    (
        "worker",
        "便携式甲烷检测报警仪报警了,但我闻不到任何味道,还需要撤吗?",
        "gas",
        [
            (
                "safety",
                "必须撤。甲烷无色无味,闻不到不代表没有。便携仪报警说明浓度已经达到报警值,应立即停止作业、"
                "撤到新鲜风流中并报告班组长和瓦斯检查工,由他们复查处理。",
            )
        ],
        True,
    ),
    (
        "member",
        "自救器戴上以后吸气很热、有点呛,是不是坏了?能不能摘下来透口气?",
        "self_rescue",
        [
            (
                "secretary",
                "化学氧自救器工作时生氧剂放热,吸气发热发干是正常现象,说明它在工作。到达新鲜风流的安全地点之前,"
                "绝对不能取下口具和鼻夹。平时多参加佩戴训练,熟悉这种感觉就不会慌。",
            )
        ],
        True,
    ),
    (
        None,
        "刮板输送机点动试车时,机尾的人还没撤完,司机说就转一下没事,这样对吗?",
        "confirm",
        [
            (
                "team_leader",
                "不对。点动也是开机,必须先发信号、确认机头机尾和机道内无人后才能启动。遇到这种情况你有权制止,"
                "并向班组长报告。",
            ),
            ("safety", "补充一点:这种情况属于违章作业,可以通过“隐患随手拍”登记,安监处会跟进。"),
        ],
        True,
    ),
    (
        None,
        "我们班组长让我们在顶板有点破碎的地方先出煤再支护,说很快就干完,我们能拒绝吗?",
        "roof",
        [
            (
                "secretary",
                "可以拒绝。先支护后作业是铁规矩,空顶作业是严重违章。《安全生产法》规定从业人员有权拒绝违章指挥和"
                "强令冒险作业,单位不得因此降低工资或者解除劳动合同。请把情况向支部或安监处反映。",
            )
        ],
        False,
    ),
    (
        None,
        "选煤厂清理煤仓需要进仓,要注意什么?",
        "surface",
        [
            (
                "safety",
                "煤仓是有限空间:先停给煤机并停电闭锁挂牌;先通风、再检测氧气和有害气体,合格后才能进入;进仓人员系好"
                "安全绳,仓外有专人监护,严禁站在积煤上捅煤。",
            )
        ],
        False,
    ),
    ("worker", "每日一题里说主要通风机停了要撤人,那局部通风机停了也一样吗?", "ventilation", [], False),
)


def _qa(ctx):
    """在线答疑 of the first mine: questions of workers, answered by the secretary, the safety officer and a team
    leader; some accepted, one still waiting."""
    mine = ctx.mines[0]
    rng = random.Random(f"{ctx.size}:training-qa")
    others = list(
        Person.objects.filter(mine=mine, work_status=WorkStatus.ON_DUTY, user__isnull=True)
        .order_by("emp_no")
        .values_list("pk", flat=True)[:50]
    )
    points = dict(KnowledgePoint.objects.values_list("code", "pk"))
    now = timezone.now()
    for n, (asker_key, text, code, answers, accepted) in enumerate(QA):
        account = ctx.accounts.get(asker_key) if asker_key else None
        person = account.person if account is not None else Person.objects.get(pk=rng.choice(others))
        asked = now - timedelta(days=len(QA) - n, hours=rng.randint(0, 8))
        question = QaQuestion.objects.create(
            asker=person, mine_id=person.mine_id, org_id=person.org_id, text=text, point_id=points.get(code)
        )
        QaQuestion.objects.filter(pk=question.pk).update(created_at=asked)
        made = []
        for k, (author_key, reply) in enumerate(answers):
            made.append(QaAnswer.objects.create(question=question, author=ctx.accounts[author_key], text=reply))
            QaAnswer.objects.filter(pk=made[-1].pk).update(created_at=asked + timedelta(hours=2 + 3 * k))
        if accepted and made:
            QaQuestion.objects.filter(pk=question.pk).update(accepted=made[0])
    ctx.log(f"在线答疑: {len(QA)} 问")
