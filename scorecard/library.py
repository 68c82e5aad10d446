"""The indicators (SPEC §6): results of the six first responsibilities, each computed from records.

Each function reads the records of all the context's branches at once (a fixed number of queries, whatever the
number of branches), returns a ``Value`` per branch with a link to the list of the records behind it, and a digest
of the fields it used: changing one record changes only the figures that read it.
"""

from collections import defaultdict
from datetime import date
from urllib.parse import urlencode

from django.db.models import Case, ExpressionWrapper, F, FloatField, Func, IntegerField, Q, Sum, When
from django.db.models import Value as SQLValue
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Floor
from django.utils import timezone

from scorecard.indicators import DOWN, UP, Value, digest, percent, ratios, register_indicator


def _group(rows, key):
    out = defaultdict(list)
    for row in rows:
        branch = key(row)
        if branch is not None:
            out[branch].append(row)
    return out


def _day(moment):
    return timezone.localdate(moment) if moment else None


# ---------------------------------------------------------------- 1 安全生产标准化


def _hazard_cells(ctx):
    """The period's hazards at the branches' places, counted by the database per (place, 专业): found, found by a
    party member, judged (a deadline that has passed or a closing by the reckoning day) and closed on time. One
    grouped query serves the three figures (a mine-year is half a million hazards: read row by row into Python it
    took seconds per figure). Each figure's digest is of the cells it reads, so a record that changes none of its
    counts leaves it, and the run's fingerprint, as they were."""

    def compute():
        from django.db.models import Count

        from hazards.models import Hazard, HazardStatus

        start, end = ctx.moments()
        closed_by = Q(status=HazardStatus.CLOSED, closed_at__isnull=False, closed_at__lt=end)
        judged = Q(deadline__isnull=False) & (Q(deadline__lt=ctx.last) | closed_by)
        on_time = judged & closed_by & Q(closed_at__date__lte=F("deadline"))
        rows = (
            Hazard.objects.filter(location_id__in=ctx.place_ids(), found_at__gte=start, found_at__lt=end)
            .order_by()
            .values_list("location_id", "category_id")
            .annotate(
                n=Count("pk"),
                party=Count("pk", filter=Q(finder_is_party_member=True)),
                judged=Count("pk", filter=judged),
                on_time=Count("pk", filter=on_time),
            )
        )
        places = ctx.places()
        return [(places[loc], loc, cat, n, party, j, ok) for loc, cat, n, party, j, ok in rows]

    return ctx.cached("hazard_cells", compute)


def _hazard_figure(ctx, fields, count):
    """{branch: Value} of a hazard figure: ``fields(cell)`` the part of a cell it reads (its digest),
    ``count(parts) -> (numerator, denominator)``."""
    rows = defaultdict(list)
    for cell in _hazard_cells(ctx):
        part = fields(cell)
        if part is not None:
            rows[cell[0]].append(part)
    return ratios(ctx, rows, count, lambda b: ctx.link("/hazards/", b, **ctx.period_params()))


@register_indicator(
    code="H_ON_TIME",
    name="隐患按期整改率",
    responsibility=1,
    direction=UP,
    target=95,
    unit="%",
    formula="考核期内发现、限时整改(有整改期限)且到截止日已到期或已销号的隐患中,在期限内(含当日)销号的占比",
    sources=("hazards.Hazard",),
)
def hazards_on_time(ctx):
    return _hazard_figure(
        ctx,
        lambda c: (c[1], c[2], c[5], c[6]) if c[5] else None,
        lambda parts: (sum(p[3] for p in parts), sum(p[2] for p in parts)),
    )


@register_indicator(
    code="H_REPEAT",
    name="重复隐患率",
    responsibility=1,
    direction=DOWN,
    target=10,
    unit="%",
    formula="考核期内发现的隐患中,同一地点同一专业在考核期内已出现过的(第二次及以后)占比",
    sources=("hazards.Hazard",),
)
def hazards_repeat(ctx):
    # every hazard of a (place, 专业) after its first is a repeat: n − 1 per cell
    return _hazard_figure(
        ctx,
        lambda c: (c[1], c[2], c[3]),
        lambda parts: (sum(p[2] - 1 for p in parts), sum(p[2] for p in parts)),
    )


@register_indicator(
    code="H_PARTY",
    name="党员发现隐患占比",
    responsibility=1,
    direction=UP,
    target=30,
    unit="%",
    formula="考核期内本支部区队地点发现的隐患中,发现人是党员的占比",
    sources=("hazards.Hazard",),
)
def hazards_party(ctx):
    return _hazard_figure(
        ctx,
        lambda c: (c[1], c[2], c[3], c[4]),
        lambda parts: (sum(p[3] for p in parts), sum(p[2] for p in parts)),
    )


# ---------------------------------------------------------------- 2 安全宣传教育


@register_indicator(
    code="V_CLEAN",
    name="党员身边无违章率",
    responsibility=2,
    direction=UP,
    target=90,
    unit="%",
    formula="考核期内各月,有包保对象或责任区的党员中“身边无违章”达标的党员·月数 ÷ 有包保任务的党员·月数",
    sources=("vanguard.Assignment", "violations.Violation", "orgs.Person"),
)
def members_clean(ctx):
    from orgs.models import PARTY_STATUSES, Person
    from vanguard import figures

    nodes = ctx.nodes()
    members = dict(
        Person.objects.filter(org_id__in=ctx.node_ids(), political_status__in=PARTY_STATUSES).values_list(
            "pk", "org_id"
        )
    )
    months, month = [], ctx.start.replace(day=1)
    while month <= ctx.last:
        months.append(month)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    rows = defaultdict(list)
    for month, flags in figures.member_month_flags(list(members), months, today=ctx.last).items():
        for mid, compliant in flags.items():
            rows[nodes[members[mid]]].append((mid, month.isoformat(), compliant))
    return ratios(
        ctx,
        rows,
        lambda rs: (sum(1 for r in rs if r[2]), len(rs)),
        lambda b: ctx.link("/vanguard/", b, month=ctx.last.strftime("%Y-%m")),
    )


@register_indicator(
    code="V_RATE",
    name="百人三违发生率",
    responsibility=2,
    direction=DOWN,
    target=3,
    unit="起/百人",
    formula="考核期内本支部职工的三违(申诉撤销的不计)起数 × 100 ÷ 截止日在册职工人数",
    sources=("violations.Violation", "orgs.Person"),
)
def violation_rate(ctx):
    from violations.models import Violation

    nodes = ctx.nodes()
    heads = defaultdict(int)
    for b in ctx.people().values():
        heads[b] += 1
    rows = _group(
        Violation.objects.effective()
        .filter(org_id__in=ctx.node_ids(), occurred_on__gte=ctx.start, occurred_on__lte=ctx.last)
        .values_list("pk", "org_id", "occurred_on")
        .order_by(),
        lambda r: nodes.get(r[1]),
    )
    out = {}
    for b in ctx.branch_ids:
        rs, head = rows.get(b, []), heads[b]
        value = round(len(rs) * 100 / head, 2) if head else None
        url = ctx.link("/violations/", b, **ctx.period_params())
        out[b] = Value(value, len(rs), head, url, digest(rs + [("head", head)]))
    return out


@register_indicator(
    code="D_RESOLVED",
    name="民情诉求办结率",
    responsibility=2,
    direction=UP,
    target=90,
    unit="%",
    formula="考核期内《红领民情日记》记下的诉求中,截止日已办结(已办结待反馈或已反馈销号)的占比",
    sources=("frontline.DiaryRequest", "frontline.DiaryEntry"),
)
def diary_resolved(ctx):
    from frontline.models import DiaryRequest, RequestStatus

    done = (RequestStatus.RESOLVED, RequestStatus.CLOSED)
    rows = _group(
        DiaryRequest.objects.filter(
            entry__branch_id__in=ctx.branch_ids, entry__date__gte=ctx.start, entry__date__lte=ctx.last
        )
        .values_list("pk", "entry__branch_id", "status")
        .order_by(),
        lambda r: r[1],
    )
    return ratios(
        ctx,
        rows,
        lambda rs: (sum(1 for r in rs if r[2] in done), len(rs)),
        lambda b: ctx.link("/frontline/diary/", b, **ctx.period_params()),
    )


# ---------------------------------------------------------------- 3 职工安全培训


@register_indicator(
    code="T_PASS",
    name="月考合格率(含补考)",
    responsibility=3,
    direction=UP,
    target=90,
    unit="%",
    formula="考核期内各月月考中,本支部参考职工(人·次)经正考或补考合格的占比;截止日未结束的考试不计",
    sources=("training.ExamPaper", "training.ExamBlueprint"),
)
def exam_pass(ctx):
    from training.models import ExamPaper

    people = ctx.people()
    _start, end = ctx.moments()
    papers = (
        ExamPaper.objects.filter(
            person__org_id__in=ctx.node_ids(),
            blueprint__month__gte=ctx.start.replace(day=1),
            blueprint__month__lte=ctx.last,
            blueprint__closes_at__lt=end,
        )
        .values_list("person_id", "blueprint_id", "passed")
        .order_by()
    )
    passed = {}
    for person, blueprint, ok in papers:
        passed[(person, blueprint)] = passed.get((person, blueprint), False) or bool(ok)
    rows = _group(((p, bp, ok) for (p, bp), ok in passed.items()), lambda r: people.get(r[0]))
    return ratios(
        ctx,
        rows,
        lambda rs: (sum(1 for r in rs if r[2]), len(rs)),
        lambda b: ctx.link("/training/branch/", b),
    )


@register_indicator(
    code="T_NEWCOMER",
    name="新入职/转岗人员月考合格率",
    responsibility=3,
    direction=UP,
    target=90,
    unit="%",
    formula="考核期内各月月考中,入职或转岗不满 180 天(按该月 1 日计)的本支部职工(人·次)经正考或补考合格的占比",
    sources=("training.ExamPaper", "training.ExamBlueprint", "orgs.Person", "orgs.Transfer"),
)
def newcomer_pass(ctx):
    from datetime import timedelta

    from django.conf import settings

    from orgs.models import Person, Transfer
    from training.models import ExamPaper

    people = ctx.people()
    nodes = ctx.node_ids()
    _start, end = ctx.moments()
    papers = list(
        ExamPaper.objects.filter(
            person__org_id__in=nodes,
            blueprint__month__gte=ctx.start.replace(day=1),
            blueprint__month__lte=ctx.last,
            blueprint__closes_at__lt=end,
        )
        .values_list("person_id", "blueprint_id", "blueprint__month", "passed")
        .order_by()
    )
    days = settings.HONGLING_NEW_HIRE_DAYS
    hired = dict(Person.objects.filter(org_id__in=nodes).values_list("pk", "hire_date"))
    moves = {}
    for pid, day in Transfer.objects.filter(person__org_id__in=nodes, date__lte=ctx.last).values_list(
        "person_id", "date"
    ):
        moves.setdefault(pid, []).append(day)

    def newcomer(person, month):
        since = month - timedelta(days=days)
        return hired.get(person, month) >= since or any(since <= d <= month for d in moves.get(person, ()))

    passed = {}
    for person, blueprint, month, ok in papers:
        if person in people and newcomer(person, month):
            passed[(person, blueprint)] = passed.get((person, blueprint), False) or bool(ok)
    rows = _group(((p, bp, ok) for (p, bp), ok in passed.items()), lambda r: people.get(r[0]))
    return ratios(
        ctx,
        rows,
        lambda rs: (sum(1 for r in rs if r[2]), len(rs)),
        lambda b: ctx.link("/training/branch/", b),
    )


# 掌握: a knowledge point counts as mastered on a day when the worker's FSRS card has a stability of at least 21 days
# and its retrievability that day is at least 90 %. FSRS defines stability as the interval after which retrievability
# falls to 90 % (fsrs's curve R = (1 + F·t/S)^D with F chosen so that R(S) = 0.9, t in whole days as the package
# counts them), so this is "at most S whole days since the last review, S ≥ 21" — checked against the package's own
# ``get_card_retrievability`` in the tests.
MASTERED_STABILITY = 21.0
MASTERED_RETRIEVABILITY = 0.9
DAY = 86400


def _mastered(stability, last_epoch, moment_epoch):
    if stability is None or last_epoch is None or float(stability) < MASTERED_STABILITY:
        return False
    return max(0, int((moment_epoch - float(last_epoch)) // DAY)) <= float(stability)


def mastered(stability, last_review, moment):
    """Whether a card (its stability in days and its last review, a datetime) is mastered at ``moment``."""
    return _mastered(stability, last_review.timestamp() if last_review else None, moment.timestamp())


class Epoch(Func):
    """Seconds since 1970 of a DateTimeField, computed by the database (reading 100,000 datetimes through Django's
    converters costs seconds; a number costs nothing)."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores UTC text; "%%%%s" reaches SQLite as strftime('%s', …)
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS REAL)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float", **extra)


def mastery_rows(ctx):
    """{branch: [(card, person, knowledge point, last review (epoch seconds), stability, gained)]}: the cards of the
    branches' workers on the roster that were not mastered at the period's start, as far as the stored card state
    tells — a card last reviewed before the start is judged at the start; one reviewed inside the period counts as
    not mastered then (the daily question returns to a card when it falls due, i.e. when its retrievability has come
    down to the retention); one reviewed after the reckoning day is left out, its state that day is no longer
    stored. ``gained``: reviewed inside the period and mastered at the end of the reckoning day."""

    def compute():
        from training.models import Card

        people = ctx.people()
        start, end = (m.timestamp() for m in ctx.moments())
        rows = (
            Card.objects.filter(person__org_id__in=ctx.node_ids())
            .annotate(reviewed=Epoch("last_review"))
            .values_list("pk", "person_id", "point_id", "reviewed", "state__stability")
            .order_by()
        )
        out = defaultdict(list)
        for pk, person, point, last, stability in rows:
            if person not in people or (last is not None and last >= end):
                continue  # not on the roster on the reckoning day / reviewed after it: its state then is gone
            if last is not None and last < start:
                if _mastered(stability, last, start):
                    continue  # mastered already at the start: nothing to gain
                gained = False
            else:
                gained = _mastered(stability, last, end)
            out[people[person]].append((pk, person, point, last, stability, gained))
        return out

    return ctx.cached("mastery", compute)


@register_indicator(
    code="T_MASTERY",
    name="知识点掌握提升率",
    responsibility=3,
    direction=UP,
    target=30,
    unit="%",
    formula="截止日在册的本支部职工的知识点记忆卡(FSRS)中,期初未掌握的为基数,其中考核期内经复习、到截止日达到"
    "“掌握”(记忆稳定性 ≥ 21 天且截止日可提取率 ≥ 90%)的占比;期初已掌握的不计,截止日后又复习过的卡不计",
    sources=("training.Card", "orgs.Person"),
)
def mastery_gain(ctx):
    counts = mastery_counts(ctx)
    rows = _group(counts, lambda r: r[1])
    return ratios(
        ctx,
        {b: [(r[0], r[2], r[3]) for r in rs] for b, rs in rows.items()},
        lambda rs: (sum(r[2] for r in rs), sum(r[1] for r in rs)),
        lambda b: ctx.link("/scorecard/records/T_MASTERY/", b, **ctx.period_params()),
    )


def mastery_counts(ctx):
    """[(person, branch, base, gained)]: what ``mastery_rows`` counts, counted per person by the database (a mine's
    tens of thousands of cards are not read one by one): ``base`` the person's cards not mastered at the period's
    start (and not reviewed after the reckoning day), ``gained`` those of them reviewed inside the period and
    mastered at the end of the reckoning day. Only people with a base."""
    from orgs.models import WorkStatus
    from training.models import Card

    def compute():
        nodes = ctx.nodes()
        start, end = (m.timestamp() for m in ctx.moments())

        def days_to(moment):  # whole days from the last review to ``moment`` (as fsrs counts them)
            return Floor(ExpressionWrapper((SQLValue(moment) - Epoch("last_review")) / DAY, output_field=FloatField()))

        def mastered_at(name):
            return Q(stability__gte=MASTERED_STABILITY, reviewed__isnull=False, **{f"{name}__lte": F("stability")})

        rows = (
            Card.objects.filter(person__org_id__in=ctx.node_ids(), person__hire_date__lte=ctx.last)
            .exclude(person__work_status__in=(WorkStatus.LEFT, WorkStatus.RETIRED))
            .annotate(
                reviewed=Epoch("last_review"),
                stability=Cast(KeyTextTransform("stability", "state"), FloatField()),
                days_start=days_to(start),
                days_end=days_to(end),
            )
            .filter(Q(reviewed__isnull=True) | Q(reviewed__lt=end))
            .values("person_id", "person__org_id")
            .annotate(
                base=Sum(Case(When(Q(reviewed__lt=start) & mastered_at("days_start"), then=0), default=1,
                               output_field=IntegerField())),
                gained=Sum(Case(When(Q(reviewed__gte=start) & mastered_at("days_end"), then=1), default=0,
                                 output_field=IntegerField())),
            )
            .order_by()
        )  # fmt: skip
        return [(r["person_id"], nodes[r["person__org_id"]], r["base"], r["gained"]) for r in rows if r["base"]]

    return ctx.cached("mastery_counts", compute)


def first_pass_rows(ctx):
    """{branch: [(paper, person, exam, month, score, passed)]}: the 正考 papers of the branches' workers on the
    roster, of the monthly exams of the period that closed by the reckoning day (a paper not handed in is failed)."""

    def compute():
        from training.models import ExamPaper, PaperKind

        people = ctx.people()
        _start, end = ctx.moments()
        papers = (
            ExamPaper.objects.filter(
                person__org_id__in=ctx.node_ids(),
                kind=PaperKind.EXAM,
                blueprint__month__gte=ctx.start.replace(day=1),
                blueprint__month__lte=ctx.last,
                blueprint__closes_at__lt=end,
            )
            .values_list("pk", "person_id", "blueprint_id", "blueprint__month", "score", "passed")
            .order_by()
        )
        return _group(((pk, p, bp, m, s, bool(ok)) for pk, p, bp, m, s, ok in papers), lambda r: people.get(r[1]))

    return ctx.cached("first_pass", compute)


@register_indicator(
    code="T_FIRST_PASS",
    name="月考一次合格率",
    responsibility=3,
    direction=UP,
    target=85,
    unit="%",
    formula="考核期内各月月考(截止日已结束的)中,本支部在册职工的正考试卷(人·次)一次合格的占比;补考合格不算一次合格,"
    "正考未交卷按不合格计",
    sources=("training.ExamPaper", "training.ExamBlueprint", "orgs.Person"),
)
def exam_first_pass(ctx):
    rows = first_pass_rows(ctx)
    return ratios(
        ctx,
        {b: [(r[0], r[5]) for r in rs] for b, rs in rows.items()},
        lambda rs: (sum(1 for r in rs if r[1]), len(rs)),
        lambda b: ctx.link("/scorecard/records/T_FIRST_PASS/", b, **ctx.period_params()),
    )


# ---------------------------------------------------------------- 4 薄弱人物排查


@register_indicator(
    code="C_RELEASED",
    name="薄弱人物转化率",
    responsibility=4,
    direction=UP,
    target=50,
    unit="%",
    formula="考核期内在册(列入不晚于截止日、未在期初前解除)的薄弱人物中,在考核期内经帮教解除的占比",
    sources=("care.Entry",),
)
def at_risk_released(ctx):
    from care.models import Entry

    people = ctx.people()
    rows = _group(
        Entry.objects.filter(person__org_id__in=ctx.node_ids(), entered_on__lte=ctx.last)
        .filter(Q(released_on__isnull=True) | Q(released_on__gte=ctx.start))
        .values_list("pk", "person_id", "released_on")
        .order_by(),
        lambda r: people.get(r[1]),
    )
    return ratios(
        ctx,
        rows,
        lambda rs: (sum(1 for r in rs if r[2] and r[2] <= ctx.last), len(rs)),
        lambda b: ctx.link("/care/register/", b, status="released"),
    )


@register_indicator(
    code="C_TALK",
    name="谈心谈话年度覆盖率",
    responsibility=4,
    direction=UP,
    target=100,
    unit="%",
    formula="截止日所在年度 1 月 1 日至截止日,本支部在册职工中至少谈过一次心的人数占比(每年覆盖一次)",
    sources=("care.TalkPerson", "orgs.Person"),
)
def talk_coverage(ctx):
    from care.models import TalkPerson

    people = ctx.people()
    talked = set(
        TalkPerson.objects.filter(
            person__org_id__in=ctx.node_ids(), date__gte=date(ctx.last.year, 1, 1), date__lte=ctx.last
        ).values_list("person_id", flat=True)
    )
    rows = _group(((p, p in talked) for p in people), lambda r: people[r[0]])
    return ratios(
        ctx,
        rows,
        lambda rs: (sum(1 for r in rs if r[1]), len(rs)),
        lambda b: ctx.link("/care/coverage/", b, year=ctx.last.year),
    )


# ---------------------------------------------------------------- 5 基层班子建设 / 自查整改


@register_indicator(
    code="SC_MEASURES",
    name="自查整改措施完成率",
    responsibility=5,
    direction=UP,
    target=90,
    unit="%",
    formula="“六个反问”自查定下的整改措施中,期限落在考核期内(到截止日)的,在期限内完成的占比",
    sources=("selfcheck.Measure",),
    requires="selfcheck",
)
def measures_met(ctx):
    from selfcheck.models import Measure

    rows = _group(
        Measure.objects.filter(inspection__branch_id__in=ctx.branch_ids, due__gte=ctx.start, due__lte=ctx.last)
        .values_list("pk", "inspection__branch_id", "due", "done_on")
        .order_by(),
        lambda r: r[1],
    )
    return ratios(
        ctx,
        rows,
        lambda rs: (sum(1 for r in rs if r[3] and r[3] <= r[2]), len(rs)),
        lambda b: ctx.link("/selfcheck/measures/", b),
    )


def _from_module(app, extract, ctx, url=""):
    """A figure another module computes: ``<app>.figures.branch_figures_many(*, branches, nodes, start, end)`` returns,
    for every branch, the mapping of counts ``<app>.services.branch_figures(*, branch, start, end)`` gives for one;
    ``extract(figures) -> (value, numerator, denominator)`` turns it into this indicator (a missing key is no data).
    One call per module for all the branches, whichever of its indicators asks first."""
    from importlib import import_module

    many = ctx.cached(
        f"{app}.branch_figures",
        lambda: import_module(f"{app}.figures").branch_figures_many(
            branches=ctx.branches, nodes=ctx.nodes(), start=ctx.start, end=ctx.last
        ),
    )
    out = {}
    for b in ctx.branches:
        figures = many.get(b.pk)
        if figures is not None and not isinstance(figures, dict):
            figures = vars(figures)
        try:
            value, num, den = extract(figures)
        except (KeyError, TypeError):
            value, num, den = None, None, None
        if value is None and num is not None and den:
            value = percent(num, den)
        link = f"{url}?{urlencode({'branch': b.pk})}" if url else ""
        out[b.pk] = Value(value, num, den, link, digest([(value, num, den)]))
    return out


def _share(num_key, den_keys):
    def extract(f):
        num, den = f[num_key], sum(f[k] for k in den_keys)
        return None, num, den

    return extract


def _module_indicator(
    app, code, name, responsibility, target, formula, sources, extract, url="", direction=UP, unit="%"
):
    def compute(ctx, _app=app, _extract=extract, _url=url):
        return _from_module(_app, _extract, ctx, _url)

    compute.__name__ = f"from_{app}_{code.lower()}"
    register_indicator(
        code=code,
        name=name,
        responsibility=responsibility,
        direction=direction,
        target=target,
        unit=unit,
        formula=formula,
        sources=sources,
        requires=app,
    )(compute)


def _decisions_on_time(f):
    judged = f["decisions_done"] + f["decisions_overdue"]
    return None, max(0, f["decisions_done"] - f["decisions_done_late"]), judged


_module_indicator(
    "leadership",
    "L_DECISIONS",
    "支委会决议按期落实率",
    5,
    95,
    "考核期内会议作出的决议中,截止日已办结或已过期限的,在期限内办结的占比(数据来自班子建设模块)",
    ("leadership.Decision",),
    _decisions_on_time,
    url="/leadership/decisions/",
)
_module_indicator(
    "leadership",
    "L_RECTIFY",
    "组织生活会整改事项销号率",
    5,
    90,
    "考核期内核查销号的整改事项 ÷(考核期内销号的 + 截止日仍未销号的)(数据来自班子建设模块)",
    ("leadership.Rectification",),
    _share("rectifications_closed", ("rectifications_closed", "rectifications_open")),
    url="/leadership/rectifications/",
)
_module_indicator(
    "stability",
    "S_LOCAL",
    "信访就地化解率",
    6,
    90,
    "考核期内办结的信访事项中,在班组、区队或矿一级化解的占比(小事不出区、大事不出矿;数据来自和谐维稳模块)",
    ("stability.Petition",),
    _share("petitions_settled_locally", ("petitions_settled",)),
    url="/stability/petitions/local/",
)
_module_indicator(
    "stability",
    "S_OVERDUE",
    "信访超期件数",
    6,
    0,
    "截止日超过《信访工作条例》时限仍未办结、或某一环节超期办理的信访事项件数(数据来自和谐维稳模块)",
    ("stability.Petition",),
    lambda f: (f["petitions_overdue"], None, None),
    url="/stability/petitions/",
    direction=DOWN,
    unit="件",
)
_module_indicator(
    "stability",
    "S_RESOLVED",
    "不稳定因素化解率",
    6,
    50,
    "考核期内化解的不稳定因素 ÷(考核期内化解的 + 截止日仍在控的)(数据来自和谐维稳模块)",
    ("stability.Factor",),
    _share("factors_resolved", ("factors_resolved", "factors_in_control")),
    url="/stability/factors/",
)
