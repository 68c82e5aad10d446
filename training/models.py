"""微训课堂 (SPEC §4.3): the question bank and the daily question (每日一题一解).

A worker holds one FSRS card per knowledge point; the question of the day is drawn from the weakest due point
of the worker's 工种 (see ``training/scheduling.py``). Questions are versioned: editing a question that has been
answered makes a new version, so every answer keeps pointing at what was asked.
"""

from django.conf import settings
from django.db import models

from orgs import scope
from orgs.models import JobType, Person


class JobGroup(models.Model):
    """工种组 (采煤类, 掘进类, 机电类…): what the bank is targeted at. Each 工种 sits in one or more groups; knowledge
    points and questions name the groups they are for (see ``training/targeting.py``). The committee edits them at
    /training/groups/, so a 工种 a mine adds gets its group's points at once."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    underground = models.BooleanField("井下工种组", default=True)
    job_types = models.ManyToManyField(JobType, blank=True, related_name="job_groups", verbose_name="工种")
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "工种组"
        verbose_name_plural = "工种组"

    def __str__(self):
        return self.name


class KnowledgePoint(models.Model):
    """知识点: a small tree the committee edits (e.g. 瓦斯 › 瓦斯检查)."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级"
    )
    high_risk = models.BooleanField("高风险(按更高记忆保持率安排)", default=False)
    job_types = models.ManyToManyField(
        JobType, blank=True, related_name="knowledge_points", verbose_name="另适用的工种"
    )
    groups = models.ManyToManyField(
        JobGroup, blank=True, related_name="knowledge_points", verbose_name="适用工种组(与工种都不选 = 全部)"
    )
    underground_only = models.BooleanField("仅井下工种", default=False)
    every_underground = models.BooleanField("井下工种必学", default=False)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "知识点"
        verbose_name_plural = "知识点"

    def __str__(self):
        return self.name


class QuestionType(models.TextChoices):
    SINGLE = "single", "单选题"
    MULTIPLE = "multiple", "多选题"
    TRUEFALSE = "truefalse", "判断题"
    FILL = "fill", "填空题"


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ACTIVE = "active", "启用"
    RETIRED = "retired", "停用"


class QuestionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=QuestionStatus.ACTIVE)

    def current(self):
        """The newest version of every code."""
        return self.filter(replaced_by__isnull=True)


class Question(models.Model):
    code = models.CharField("题号", max_length=40)
    version = models.PositiveIntegerField("版本", default=1)
    replaced_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces", verbose_name="新版本"
    )
    point = models.ForeignKey(KnowledgePoint, on_delete=models.PROTECT, related_name="questions", verbose_name="知识点")
    type = models.CharField("题型", max_length=10, choices=QuestionType.choices)
    stem = models.TextField("题干")
    options = models.JSONField("选项", default=list, blank=True)  # ["…", "…"] shown as A, B, C…
    # choice: letters ["B"] / ["A","C"]; truefalse: ["T"] or ["F"]; fill: accepted answers ["瓦斯检查工", "瓦检员"]
    answer = models.JSONField("答案", default=list)
    explanation = models.TextField("解析")
    clause = models.CharField("依据条款", max_length=200, blank=True)
    job_types = models.ManyToManyField(
        JobType, blank=True, related_name="questions", verbose_name="适用工种(与工种组都不选 = 同知识点)"
    )
    groups = models.ManyToManyField(
        JobGroup, blank=True, related_name="questions", verbose_name="适用工种组(与工种都不选 = 同知识点)"
    )
    underground_only = models.BooleanField("仅井下工种", default=False)
    difficulty = models.PositiveSmallIntegerField("难度", default=2, choices=[(1, "易"), (2, "中"), (3, "难")])
    status = models.CharField("状态", max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.ACTIVE)
    source = models.CharField("来源", max_length=20, blank=True)  # starter / import / manual / qa
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = "题目"
        verbose_name_plural = "题目"
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="question_code_version_unique")]
        indexes = [models.Index(fields=["point", "status"])]

    def __str__(self):
        return f"{self.code} v{self.version}"

    def lettered_options(self):
        return [(chr(65 + i), text) for i, text in enumerate(self.options)]

    def answer_display(self):
        if self.type == QuestionType.TRUEFALSE:
            return "正确" if self.answer == ["T"] else "错误"
        if self.type == QuestionType.FILL:
            return " / ".join(self.answer)
        return "".join(self.answer)


class Card(models.Model):
    """A worker's memory of a knowledge point (FSRS state)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="training_cards", verbose_name="职工")
    point = models.ForeignKey(KnowledgePoint, on_delete=models.CASCADE, related_name="+", verbose_name="知识点")
    state = models.JSONField(default=dict, verbose_name="记忆状态")  # fsrs.Card.to_dict()
    due = models.DateTimeField(null=True, blank=True, verbose_name="到期")
    reviews = models.PositiveIntegerField(default=0, verbose_name="复习次数")
    lapses = models.PositiveIntegerField(default=0, verbose_name="遗忘次数")
    last_review = models.DateTimeField(null=True, blank=True, verbose_name="最近复习")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "point"], name="card_person_point_unique")]
        verbose_name = verbose_name_plural = "知识点记忆卡"

    def __str__(self):
        return f"{self.person} · {self.point}"


class DailyQuerySet(models.QuerySet):
    def visible_to(self, user, capability="training_results"):
        return self.filter(scope.filter_for(user, capability, path_field="person__org__path", self_field="person_id"))


class DailyQuestion(models.Model):
    """每日一题: the one question of a worker's day, and their answer to it (answered once)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="daily_questions", verbose_name="职工")
    date = models.DateField("日期")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="daily", verbose_name="题目")
    point = models.ForeignKey(KnowledgePoint, on_delete=models.PROTECT, related_name="+", verbose_name="知识点")
    given = models.JSONField("作答", null=True, blank=True)
    correct = models.BooleanField("正确", null=True)
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name="作答时间")
    # the answer has been applied to the worker's FSRS card (services.apply_reviews): answering itself only records
    # the answer, the card follows before the next question is chosen or the mastery is shown
    reviewed = models.BooleanField(default=False, verbose_name="已计入复习")

    objects = DailyQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["person", "date"], name="daily_one_per_day")]
        indexes = [
            models.Index(fields=["date", "person"]),
            models.Index(fields=["person", "question"]),
            models.Index(
                fields=["person", "date"],
                condition=models.Q(reviewed=False, answered_at__isnull=False),
                name="daily_to_review",
            ),
        ]
        verbose_name = verbose_name_plural = "每日一题"

    def __str__(self):
        return f"{self.person} {self.date:%Y-%m-%d} 每日一题"


scope.register_capability(
    "training_results",
    {"admin", "committee", "safety", "secretary", "branch_committee", "team_leader"},
    self_too=True,
)
scope.register_capability("training_bank", {"admin", "committee"})


class LessonKind(models.TextChoices):
    LESSON = "lesson", "一课"
    CASE = "case", "一案"


class LessonQuerySet(models.QuerySet):
    def for_person(self, person):
        """Published lessons sent to an organisation the person belongs to (their mine, branch, 区队…)."""
        from orgs.models import OrgNode

        paths = OrgNode.objects.filter(pk=person.org_id).values_list("path", flat=True).first() or ""
        ancestors = [paths[: i * OrgNode.steplen] for i in range(1, len(paths) // OrgNode.steplen + 1)]
        return self.filter(published_at__isnull=False, org__path__in=ancestors)

    def managed_by(self, user):
        return self.filter(scope.filter_for(user, "training_lessons", path_field="org__path", self_field=None))


class Lesson(models.Model):
    """每周一课一案: a lesson or an accident case for a week, sent to a mine or a branch, with check questions."""

    kind = models.CharField("类型", max_length=10, choices=LessonKind.choices, default=LessonKind.LESSON)
    title = models.CharField("标题", max_length=100)
    week = models.DateField("周(周一)")
    org = models.ForeignKey("orgs.OrgNode", on_delete=models.PROTECT, related_name="+", verbose_name="发给")
    body = models.TextField("内容", blank=True)
    # 一案 (accident case)
    story = models.TextField("事故经过", blank=True)
    causes = models.TextField("原因分析", blank=True)
    lessons_learned = models.TextField("教训", blank=True)
    clauses = models.CharField("相关条款", max_length=300, blank=True)
    points = models.ManyToManyField(KnowledgePoint, blank=True, related_name="+", verbose_name="知识点")
    questions = models.ManyToManyField(Question, related_name="lessons", verbose_name="检查题")
    attachment = models.FileField("附件(图片/视频/PDF)", upload_to="lessons/%Y/%m/", blank=True)
    attachment_kind = models.CharField(max_length=10, blank=True, verbose_name="附件类型")  # image / video / pdf
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="作者"
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["-week", "kind", "-pk"]
        verbose_name = "每周一课一案"
        verbose_name_plural = "每周一课一案"

    def __str__(self):
        return f"{self.get_kind_display()}:{self.title}"


class LessonCompletion(models.Model):
    """A worker's reading of a lesson and their check answers; passed when every check question is right."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="completions", verbose_name="课程")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="lesson_completions", verbose_name="职工")
    read_at = models.DateTimeField(null=True, blank=True, verbose_name="阅读时间")
    attempts = models.PositiveIntegerField(default=0, verbose_name="答题次数")
    answers = models.JSONField(default=dict, blank=True, verbose_name="作答")  # {question id: [given]}
    passed_at = models.DateTimeField(null=True, blank=True, verbose_name="通过时间")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lesson", "person"], name="lesson_completion_unique")]
        verbose_name = verbose_name_plural = "课程完成情况"

    def __str__(self):
        return f"{self.person} · {self.lesson}"


scope.register_capability("training_lessons", {"admin", "committee", "secretary"})


class ExamBlueprint(models.Model):
    """每月一考: what a month's exam is made of, for whom, how long, and what passes."""

    title = models.CharField("名称", max_length=100)
    org = models.ForeignKey("orgs.OrgNode", on_delete=models.PROTECT, related_name="+", verbose_name="参考单位")
    month = models.DateField("月份(1日)")
    job_types = models.ManyToManyField(JobType, blank=True, related_name="+", verbose_name="参考工种(空 = 全部)")
    # [{"job_type": id|None, "point": id, "difficulty": 1-3|None, "type": "single"|…|None, "count": n}]
    rules = models.JSONField("组卷规则", default=list)
    time_limit = models.PositiveSmallIntegerField("限时(分钟)", default=30)
    pass_mark = models.PositiveSmallIntegerField("及格分(百分制)", default=80)
    opens_at = models.DateTimeField("开考时间")
    closes_at = models.DateTimeField("截止时间")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="作者"
    )
    generated_at = models.DateTimeField("生成试卷时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    class Meta:
        ordering = ["-month", "-pk"]
        verbose_name = "考试"
        verbose_name_plural = "考试"

    def __str__(self):
        return self.title


class PaperKind(models.TextChoices):
    EXAM = "exam", "正考"
    MAKEUP = "makeup", "补考"
    REEXAM = "reexam", "三违复考"  # a one-person paper another module asks for (violations)


class PaperQuerySet(models.QuerySet):
    def visible_to(self, user, capability="training_results"):
        return self.filter(scope.filter_for(user, capability, path_field="person__org__path", self_field="person_id"))


class ExamPaper(models.Model):
    """One worker's own paper: questions and options in its own order; the key stays on the server until graded."""

    blueprint = models.ForeignKey(ExamBlueprint, on_delete=models.CASCADE, related_name="papers", verbose_name="考试")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="exam_papers", verbose_name="职工")
    kind = models.CharField("类型", max_length=10, choices=PaperKind.choices, default=PaperKind.EXAM)
    # [{"q": question id, "o": [original option indexes in the order shown]}]
    items = models.JSONField(default=list, verbose_name="试题")
    answers = models.JSONField(
        default=dict, blank=True, verbose_name="作答"
    )  # {"0": ["B"], …} in the question's own letters
    started_at = models.DateTimeField(null=True, blank=True, verbose_name="开始时间")
    deadline = models.DateTimeField(null=True, blank=True, verbose_name="截止时间")
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name="交卷时间")
    auto_submitted = models.BooleanField(default=False, verbose_name="自动交卷")
    score = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name="得分")
    passed = models.BooleanField(null=True, verbose_name="合格")
    results = models.JSONField(default=dict, blank=True, verbose_name="逐题结果")  # {"0": true, …} after grading

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["blueprint", "person", "kind"], name="paper_one_per_kind")]
        indexes = [models.Index(fields=["blueprint", "submitted_at"])]
        verbose_name = verbose_name_plural = "试卷"

    def __str__(self):
        return f"{self.person} · {self.blueprint}"


scope.register_capability("training_exams", {"admin", "committee", "secretary"})


class QaQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Everyone of the asker's mine reads the Q&A (that is its point); managers in their scope; askers their own."""
        from django.db.models import Q

        q = scope.filter_for(user, "roster", path_field="org__path", self_field="asker_id")
        if user.is_authenticated and user.person_id:
            q |= Q(mine_id=Person.objects.filter(pk=user.person_id).values("mine_id")[:1])
        return self.filter(q)


class QaQuestion(models.Model):
    """在线答疑: a worker's question (text and an optional photo)."""

    asker = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="qa_questions", verbose_name="提问人")
    mine = models.ForeignKey("orgs.OrgNode", on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    org = models.ForeignKey("orgs.OrgNode", on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    text = models.TextField("问题")
    photo = models.ImageField("照片", upload_to="qa/%Y/%m/", blank=True)
    point = models.ForeignKey(
        KnowledgePoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="知识点"
    )
    accepted = models.OneToOneField(
        "QaAnswer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="已采纳"
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = QaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "答疑提问"

    def __str__(self):
        return self.text[:30]


class QaAnswer(models.Model):
    question = models.ForeignKey(QaQuestion, on_delete=models.CASCADE, related_name="answers", verbose_name="题目")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="作者"
    )
    text = models.TextField("解答")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")
    bank_question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="转入题库的题目"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = verbose_name_plural = "答疑解答"

    def __str__(self):
        return self.text[:30]


scope.register_capability(
    "training_answer", {"admin", "committee", "safety", "secretary", "branch_committee", "team_leader"}
)
