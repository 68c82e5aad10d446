"""Schemes, entered scores, scoring runs and their reading (SPEC §6). Every change and permission check lives here."""

import hashlib
import json
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.errors import Conflict, Forbidden, NotFound
from orgs.models import OrgKind, OrgNode, Role, RoleAssignment
from scorecard import access, indicators
from scorecard.models import (
    Ballot,
    Component,
    ComponentKind,
    IndicatorVersion,
    ManualScore,
    Round,
    RoundStatus,
    Run,
    RunBranch,
    RunFigure,
    Scheme,
    SchemeIndicator,
)

WEIGHTED = (ComponentKind.COMPUTED, ComponentKind.ENTERED, ComponentKind.EVALUATION)
# an overall 二十字 rating as a score
RATING_SCORE = {4: 100.0, 3: 80.0, 2: 60.0, 1: 40.0}


def visible_mines(user, capability="scorecard"):
    return list(OrgNode.objects.filter(pk__in=access.mine_ids(user, capability)).order_by("path"))


def get_scheme(user, pk):
    scheme = Scheme.objects.visible_to(user).select_related("mine").filter(pk=pk).first()
    if scheme is None:
        raise NotFound()
    return scheme


def _require_manage(user, mine):
    if not access.manages(user, mine):
        raise Forbidden("只有本矿党委(组织部)可以设定考核方案和录入评分")


def _check_period(start, end):
    if not isinstance(start, date) or not isinstance(end, date):
        raise ValidationError({"start": ["请填写考核期的开始和结束日期"]})
    if end < start:
        raise ValidationError({"end": ["结束日期不能早于开始日期"]})


@transaction.atomic
def create_scheme(user, *, mine, name, start, end, components, note=""):
    """``components``: [{"name", "kind", "weight", "max_points", "indicators": [(code, weight, target)]}]."""
    _require_manage(user, mine)
    _check_period(start, end)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["请填写方案名称"]})
    weighted = sum(c.get("weight", 0) for c in components if c["kind"] in WEIGHTED)
    if weighted != 100:
        raise ValidationError({"components": [f"计分部分的权重合计应为 100%,现为 {weighted}%"]})
    scheme = Scheme.objects.create(mine=mine, name=name[:60], start=start, end=end, note=note, created_by=user)
    for order, c in enumerate(components):
        component = Component.objects.create(
            scheme=scheme,
            name=c["name"],
            kind=c["kind"],
            weight=c.get("weight", 0),
            max_points=c.get("max_points", 0),
            order=order,
        )
        for code, weight, target in c.get("indicators", ()):
            if indicators.get(code) is None:
                raise ValidationError({"components": [f"没有编码为 {code} 的指标"]})
            SchemeIndicator.objects.create(component=component, code=code, weight=weight, target=target)
    return scheme


def example_components():
    """One coal mine's scheme (issue 13): 月度考核 30 % (the indicators) + 实地考核 30 % (entered with evidence) +
    会议测评 40 % (the 二十字 evaluation), a veto and a bonus — by configuration alone."""
    return [
        {
            "name": "月度考核",
            "kind": ComponentKind.COMPUTED,
            "weight": 30,
            "indicators": [(i.code, 1, None) for i in indicators.all_indicators()],
        },
        {"name": "实地考核", "kind": ComponentKind.ENTERED, "weight": 30},
        {"name": "会议测评", "kind": ComponentKind.EVALUATION, "weight": 40},
        {"name": "发生责任事故或越级上访", "kind": ComponentKind.VETO},
        {"name": "上级表彰、创新成果", "kind": ComponentKind.BONUS, "max_points": 5},
    ]


def create_example_scheme(user, *, mine, start, end):
    return create_scheme(
        user,
        mine=mine,
        name=f"{start:%Y年%m月}支部书记履职考核",
        start=start,
        end=end,
        components=example_components(),
        note="示例方案:月度考核 30% + 实地考核 30% + 会议测评 40%,另设否决项与加分项。",
    )


def _number(value, label, low, high):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({"score": [f"{label}应为数字"]})
    if not (low <= number <= high):
        raise ValidationError({"score": [f"{label}应在 {low} 到 {high} 之间"]})
    return number


@transaction.atomic
def set_weights(user, *, scheme, component_weights, indicator_weights, targets):
    """The committee's weights and targets: {component pk: weight}, {scheme indicator pk: weight}, {pk: target}."""
    _require_manage(user, scheme.mine)
    comps = {c.pk: c for c in scheme.components.all()}
    weighted = sum(int(component_weights.get(pk, c.weight)) for pk, c in comps.items() if c.kind in WEIGHTED)
    if weighted != 100:
        raise ValidationError({"components": [f"计分部分的权重合计应为 100%,现为 {weighted}%"]})
    for pk, weight in component_weights.items():
        if pk in comps:
            Component.objects.filter(pk=pk).update(weight=int(weight))
    for si in SchemeIndicator.objects.filter(component__scheme=scheme):
        changes = {}
        if si.pk in indicator_weights:
            changes["weight"] = int(indicator_weights[si.pk])
        if si.pk in targets:
            changes["target"] = targets[si.pk]
        if changes:
            SchemeIndicator.objects.filter(pk=si.pk).update(**changes)


def enter_score(user, *, component, branch, score=None, vetoed=False, evidence, now=None):
    """实地考核 / 加分项 / 否决项 for a branch, always with its evidence."""
    scheme = component.scheme
    _require_manage(user, scheme.mine)
    if not branch.path.startswith(scheme.mine.path) or branch.kind != OrgKind.BRANCH:
        raise NotFound()
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError({"evidence": ["请写明依据(检查记录、现场情况、文件编号等)"]})
    if component.kind == ComponentKind.ENTERED:
        score = _number(score, "得分", 0, 100)
        if score is None:
            raise ValidationError({"score": ["请填写得分(0–100)"]})
    elif component.kind == ComponentKind.BONUS:
        score = _number(score, "加分", 0, component.max_points)
        if score is None:
            raise ValidationError({"score": ["请填写加分"]})
    elif component.kind == ComponentKind.VETO:
        score = None
    else:
        raise Conflict("这一部分由系统计算,不能录入")
    row, _ = ManualScore.objects.update_or_create(
        component=component,
        branch=branch,
        defaults={
            "score": score,
            "vetoed": bool(vetoed) and component.kind == ComponentKind.VETO,
            "evidence": evidence[:2000],
            "entered_by": user,
            "entered_at": now or timezone.now(),
        },
    )
    return row


# ---------------------------------------------------------------- computing


def _plan(scheme):
    """What a scheme computes: components with their indicators (available ones only), as plain data."""
    return _plans([scheme])[scheme.pk]


def _plans(schemes):
    """{scheme pk: its plan} for several schemes, read together (two queries whatever their number)."""
    plans = {s.pk: [] for s in schemes}
    components = Component.objects.filter(scheme__in=[s.pk for s in schemes]).prefetch_related("indicators")
    for c in components.order_by("scheme_id", "order", "pk"):
        items = []
        for si in c.indicators.all():
            ind = indicators.get(si.code)
            if ind is not None and ind.available:
                target = ind.target if si.target is None else si.target
                items.append({"code": si.code, "weight": si.weight, "target": target})
        plans[c.scheme_id].append({"id": c.pk, "name": c.name, "kind": c.kind, "weight": c.weight,
                                   "max_points": float(c.max_points), "indicators": items})  # fmt: skip
    return plans


def _as_of(scheme, today=None):
    today = today or timezone.localdate()
    return min(scheme.end, today)


def compute(scheme, as_of, branches=None):
    """Everything a run is made of, without storing it: (plan, figures {(branch, code): Value}, manual rows,
    evaluation scores, fingerprint)."""
    return compute_many([(scheme, as_of, branches)])[0]


def compute_many(items):
    """``compute`` of several schemes at once (the group's mines): ``items`` [(scheme, as_of, branches or None)],
    the results in the same order. The indicators of the schemes that share a period and a reckoning day are read
    once over all their branches, so the number of queries does not grow with the number of mines (nor of branches);
    each scheme's figures, and so its fingerprint, are those ``compute`` gives it alone."""
    items = [(s, as_of, access.branches_of(s.mine) if b is None else list(b)) for s, as_of, b in items]
    plans = _plans([s for s, _, _ in items])
    codes_of = {s.pk: sorted({i["code"] for c in plans[s.pk] for i in c["indicators"]}) for s, _, _ in items}
    # one context per (period, reckoning day): the union of the branches, every code any of them needs
    shared = {}
    for s, as_of, branches in items:
        key = (s.start, s.end, as_of)
        union, codes = shared.setdefault(key, ({}, set()))
        union.update((b.pk, b) for b in branches)
        codes.update(codes_of[s.pk])
    values = {}
    for (start, end, as_of), (union, codes) in shared.items():
        ctx = indicators.Context(branches=list(union.values()), start=start, end=end, as_of=as_of)
        for code in sorted(codes):
            for b, value in indicators.get(code).fn(ctx).items():
                values[(start, end, as_of, b, code)] = value
    manual_of = {s.pk: {} for s, _, _ in items}
    for m in ManualScore.objects.filter(component__scheme__in=list(manual_of)).select_related("component"):
        manual_of[m.component.scheme_id][(m.component_id, m.branch_id)] = (
            float(m.score) if m.score is not None else None,
            m.vetoed,
            m.evidence,
        )
    wanted = [(s, [b.pk for b in branches]) for s, _, branches in items
              if any(c["kind"] == ComponentKind.EVALUATION for c in plans[s.pk])]  # fmt: skip
    evaluations = dict(zip([s.pk for s, _ in wanted], evaluation_scores_many(wanted)))
    out = []
    for s, as_of, branches in items:
        plan, codes = plans[s.pk], codes_of[s.pk]
        figures = {(b.pk, code): values[(s.start, s.end, as_of, b.pk, code)] for code in codes for b in branches}
        manual, evaluation = manual_of[s.pk], evaluations.get(s.pk, {})
        versions = {code: indicators.get(code).version for code in codes}
        payload = {
            "as_of": as_of.isoformat(),
            "versions": versions,
            "plan": plan,
            "figures": sorted((b, code, v.digest) for (b, code), v in figures.items()),
            "manual": sorted((k[0], k[1], v[0], v[1], v[2]) for k, v in manual.items()),
            "evaluation": sorted(evaluation.items()),
        }
        fingerprint = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
        out.append((plan, figures, manual, evaluation, versions, fingerprint))
    return out


def score_branch(plan, branch_pk, figures, manual, evaluation):
    """(total, components {name: score}, responsibilities {1..6: score}, indicator scores {code: score}, vetoed,
    bonus) of one branch. Missing parts (no data) are left out and the weights of the others count."""
    comp_scores, ind_scores, by_resp = {}, {}, {}
    vetoed, bonus, weighted, weights = False, 0.0, 0.0, 0
    for c in plan:
        score = None
        if c["kind"] == ComponentKind.COMPUTED:
            num = den = 0.0
            for item in c["indicators"]:
                ind = indicators.get(item["code"])
                value = figures.get((branch_pk, item["code"]))
                s = ind.score(value.value if value else None, item["target"])
                ind_scores[item["code"]] = s
                if s is not None:
                    num += s * item["weight"]
                    den += item["weight"]
                    by_resp.setdefault(ind.responsibility, []).append(s)
            score = round(num / den, 2) if den else None
        elif c["kind"] == ComponentKind.ENTERED:
            row = manual.get((c["id"], branch_pk))
            score = row[0] if row else None
        elif c["kind"] == ComponentKind.EVALUATION:
            score = evaluation.get(branch_pk)
        elif c["kind"] == ComponentKind.VETO:
            row = manual.get((c["id"], branch_pk))
            if row and row[1]:
                vetoed = True
            comp_scores[c["name"]] = "否决" if row and row[1] else None
            continue
        elif c["kind"] == ComponentKind.BONUS:
            row = manual.get((c["id"], branch_pk))
            points = min(row[0] or 0, c["max_points"]) if row else 0
            bonus += points
            comp_scores[c["name"]] = points
            continue
        comp_scores[c["name"]] = score
        if score is not None:
            weighted += score * c["weight"]
            weights += c["weight"]
    total = round(weighted / weights + bonus, 2) if weights else None
    if vetoed:
        total = 0.0
    responsibilities = {str(r): round(sum(v) / len(v), 1) for r, v in sorted(by_resp.items())}
    return total, comp_scores, responsibilities, ind_scores, vetoed, bonus


def secretaries_of(branches):
    names = {}
    for org_id, user_name, person_name in RoleAssignment.objects.filter(
        role=Role.SECRETARY, org_id__in=[b.pk if hasattr(b, "pk") else b for b in branches]
    ).values_list("org_id", "user__username", "user__person__name"):
        names.setdefault(org_id, person_name or user_name)
    return names


@transaction.atomic
def run(user, *, scheme, today=None):
    """Compute and store a scoring run of the scheme as of today (or the period's end)."""
    _require_manage(user, scheme.mine)
    as_of = _as_of(scheme, today)
    if as_of < scheme.start:
        raise Conflict("考核期还没有开始,不能计算")
    branches = access.branches_of(scheme.mine)
    plan, figures, manual, evaluation, versions, fingerprint = compute(scheme, as_of, branches)
    for code, version in versions.items():
        ind = indicators.get(code)
        IndicatorVersion.objects.get_or_create(
            code=code, version=version,
            defaults={"name": ind.name, "formula": ind.formula, "responsibility": ind.responsibility},
        )  # fmt: skip
    the_run = Run.objects.create(
        scheme=scheme, as_of=as_of, fingerprint=fingerprint, versions=versions, weights=plan, created_by=user
    )
    secretaries = secretaries_of(branches)
    rows, figure_rows = [], []
    for b in branches:
        total, comps, resp, ind_scores, vetoed, bonus = score_branch(plan, b.pk, figures, manual, evaluation)
        rows.append(RunBranch(run=the_run, branch=b, secretary=secretaries.get(b.pk, ""), total=total,
                              vetoed=vetoed, bonus=bonus, components=comps, responsibilities=resp))  # fmt: skip
        for code in versions:
            v = figures.get((b.pk, code))
            figure_rows.append(RunFigure(run=the_run, branch=b, code=code, value=v.value, numerator=v.numerator,
                                         denominator=v.denominator, score=ind_scores.get(code), digest=v.digest,
                                         url=v.url[:300]))  # fmt: skip
    ranked = sorted((r for r in rows if r.total is not None), key=lambda r: -r.total)
    for r in ranked:
        r.rank = 1 + sum(1 for o in ranked if o.total > r.total)
    RunBranch.objects.bulk_create(rows)
    RunFigure.objects.bulk_create(figure_rows)
    return the_run


def get_run(user, pk):
    the_run = Run.objects.visible_to(user).select_related("scheme__mine", "created_by").filter(pk=pk).first()
    if the_run is None:
        raise NotFound()
    return the_run


def changed_since(the_run):
    """Whether the data (records, entered scores, formulas) differs from what the run read: a new fingerprint."""
    *_, fingerprint = compute(the_run.scheme, the_run.as_of)
    return fingerprint != the_run.fingerprint


def latest_runs(user, mine=None):
    qs = Run.objects.visible_to(user).select_related("scheme__mine")
    if mine is not None:
        qs = qs.filter(scheme__mine=mine)
    return qs


def trend(user, branch, limit=12):
    """The branch's totals over the latest run of each scheme, oldest first."""
    rows = (
        RunBranch.objects.visible_to(user)
        .filter(branch=branch)
        .select_related("run__scheme")
        .order_by("-run__scheme__start", "-run__created_at")
    )
    seen, out = set(), []
    for r in rows:
        if r.run.scheme_id in seen:
            continue
        seen.add(r.run.scheme_id)
        out.append(r)
        if len(out) >= limit:
            break
    return list(reversed(out))


def branch_row(user, the_run, branch_pk):
    row = RunBranch.objects.visible_to(user).filter(run=the_run, branch_id=branch_pk).select_related("branch").first()
    if row is None:
        raise NotFound()
    return row


# ---------------------------------------------------------------- evaluation inputs


def evaluation_scores(scheme, branch_ids):
    """{branch pk: 0–100} from the latest closed 二十字 round of each branch that closed inside the period and shows
    results (enough answers); the overall ratings as 好 100, 较好 80, 一般 60, 差 40."""
    return evaluation_scores_many([(scheme, branch_ids)])[0]


def evaluation_scores_many(requests):
    """``evaluation_scores`` of several [(scheme, branch ids)], in order: rounds, voters and ballots read once for
    all (three queries), each round judged as ``evaluation.publishable`` judges it."""
    from django.db.models import Count

    from scorecard.models import Voter

    if not requests:
        return []
    ids = {b for _, branch_ids in requests for b in branch_ids}
    rounds = list(
        Round.objects.filter(
            branch_id__in=ids,
            status=RoundStatus.CLOSED,
            closes_on__gte=min(s.start for s, _ in requests),
            closes_on__lte=max(s.end for s, _ in requests),
        ).order_by("closes_on", "pk")
    )
    chosen = []
    for scheme, branch_ids in requests:
        wanted, latest = set(branch_ids), {}
        for r in rounds:
            if r.branch_id in wanted and scheme.start <= r.closes_on <= scheme.end:
                latest[r.branch_id] = r
        chosen.append(latest)
    round_ids = {r.pk for latest in chosen for r in latest.values()}
    eligible = dict(
        Voter.objects.filter(round_id__in=round_ids)
        .values("round_id")
        .annotate(n=Count("pk"))
        .values_list("round_id", "n")
    )
    ballots = {}
    for round_id, overall, n in (
        Ballot.objects.filter(round_id__in=round_ids)
        .values("round_id", "overall")
        .annotate(n=Count("pk"))
        .values_list("round_id", "overall", "n")
        .order_by()
    ):
        ballots.setdefault(round_id, []).append((overall, n))
    out = []
    for latest in chosen:
        scores = {}
        for branch_pk, r in latest.items():
            answers = sum(n for _, n in ballots.get(r.pk, ()))
            if not answers or answers < r.min_answers or answers * 2 < eligible.get(r.pk, 0):
                continue
            total = sum(RATING_SCORE[o] * n for o, n in ballots[r.pk])
            scores[branch_pk] = round(total / answers, 2)
        out.append(scores)
    return out


def visible_schemes(user):
    return list(Scheme.objects.visible_to(user).select_related("mine")[:50])


def own_rows(user):
    """The latest run row of each branch the user belongs to as secretary / 支委 (not the whole mine)."""
    branches = [
        pk
        for pk, kind in RoleAssignment.objects.filter(
            user=user, role__in=(Role.SECRETARY, Role.BRANCH_COMMITTEE)
        ).values_list("org_id", "org__kind")
        if kind == OrgKind.BRANCH
    ]
    rows = (
        RunBranch.objects.visible_to(user)
        .filter(branch_id__in=branches)
        .select_related("run__scheme", "branch")
        .order_by("-run__created_at")
    )
    seen, out = set(), []
    for r in rows[:50]:
        if r.branch_id not in seen:
            seen.add(r.branch_id)
            out.append(r)
    return out


def managed_branches(user):
    mines = visible_mines(user, "scorecard_manage")
    return [b for m in mines for b in access.branches_of(m)]
