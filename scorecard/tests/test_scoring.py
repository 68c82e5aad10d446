"""Schemes and scoring runs: configuration alone expresses a mine's scheme; a run is reproducible and says when the
data changed since; entered scores, vetoes and bonuses; who may do what."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.errors import Forbidden, NotFound
from scorecard import services
from scorecard.models import ComponentKind, IndicatorVersion, RunBranch, RunFigure
from scorecard.tests.helpers import END, START, hazard

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 15)
HAZARD_CODES = {"H_ON_TIME", "H_REPEAT", "H_PARTY"}


@pytest.fixture
def scheme(site):
    return services.create_example_scheme(site.committee_user, mine=site.mine, start=START, end=END)


def test_the_example_scheme_is_configuration_only(scheme):
    parts = [(c.name, c.kind, c.weight) for c in scheme.components.all()]
    assert parts[:3] == [("月度考核", "computed", 30), ("实地考核", "entered", 30), ("会议测评", "evaluation", 40)]
    assert {c.kind for c in scheme.components.all()} >= {ComponentKind.VETO, ComponentKind.BONUS}


def test_weights_must_add_up_to_100(site):
    with pytest.raises(ValidationError) as exc:
        services.create_scheme(site.committee_user, mine=site.mine, name="错", start=START, end=END,
                               components=[{"name": "月度", "kind": "computed", "weight": 50}])  # fmt: skip
    assert "100%" in str(exc.value)


def test_only_the_mines_committee_sets_a_scheme(site):
    for user in (site.secretary, site.admin):
        with pytest.raises(Forbidden):
            services.create_example_scheme(user, mine=site.mine, start=START, end=END)


def test_a_run_ranks_branches_from_indicators_entered_scores_veto_and_bonus(site, scheme):
    w = site
    hazard(w, date(2026, 10, 2), deadline=date(2026, 10, 9), closed=date(2026, 10, 9))  # 100 % on time
    hazard(w, date(2026, 10, 2), place=w.other_place, deadline=date(2026, 10, 9))  # 0 % on time
    field, veto, bonus = (
        scheme.components.get(name=n) for n in ("实地考核", "发生责任事故或越级上访", "上级表彰、创新成果")
    )
    services.enter_score(w.committee_user, component=field, branch=w.branch, score="90", evidence="现场检查记录第3号")
    services.enter_score(w.committee_user, component=field, branch=w.other_branch, score="90", evidence="同上")
    services.enter_score(w.committee_user, component=bonus, branch=w.branch, score="5", evidence="集团表彰文件")
    the_run = services.run(w.committee_user, scheme=scheme, today=TODAY)
    rows = {r.branch_id: r for r in RunBranch.objects.filter(run=the_run)}
    mine, other = rows[w.branch.pk], rows[w.other_branch.pk]
    assert mine.rank == 1 and other.rank == 2
    assert mine.bonus == 5 and mine.total > other.total
    assert mine.secretary == "书记甲"
    assert mine.responsibilities["1"] > other.responsibilities["1"]
    assert the_run.versions["H_ON_TIME"] == IndicatorVersion.objects.get(code="H_ON_TIME").version
    assert RunFigure.objects.get(run=the_run, branch=w.branch, code="H_ON_TIME").value == 100.0

    services.enter_score(w.committee_user, component=veto, branch=w.branch, vetoed=True, evidence="10月5日责任事故")
    assert services.changed_since(the_run)
    again = services.run(w.committee_user, scheme=scheme, today=TODAY)
    vetoed = RunBranch.objects.get(run=again, branch=w.branch)
    assert vetoed.vetoed and vetoed.total == 0 and vetoed.rank == 2


def test_entered_scores_need_evidence_and_a_range(site, scheme):
    field = scheme.components.get(name="实地考核")
    with pytest.raises(ValidationError) as exc:
        services.enter_score(site.committee_user, component=field, branch=site.branch, score="90", evidence=" ")
    assert "依据" in str(exc.value)
    with pytest.raises(ValidationError):
        services.enter_score(site.committee_user, component=field, branch=site.branch, score="101", evidence="记录")
    with pytest.raises(NotFound):  # another mine's branch
        services.enter_score(site.committee_user, component=field, branch=site.branch_b, score="90", evidence="记录")


def test_rerunning_on_the_same_data_gives_the_same_result_and_a_change_is_noticed(site, scheme):
    w = site
    h = hazard(w, date(2026, 10, 2), deadline=date(2026, 10, 9))
    first = services.run(w.committee_user, scheme=scheme, today=TODAY)
    second = services.run(w.committee_user, scheme=scheme, today=TODAY)
    assert first.fingerprint == second.fingerprint
    same = lambda r: sorted(RunFigure.objects.filter(run=r).values_list("branch_id", "code", "value", "digest"))  # noqa: E731
    assert same(first) == same(second)
    assert not services.changed_since(first)
    h.status, h.closed_at = "closed", h.found_at
    h.save()
    assert services.changed_since(first)


def test_scope_of_runs(site, scheme, login):
    w = site
    the_run = services.run(w.committee_user, scheme=scheme, today=TODAY)
    assert set(RunBranch.objects.visible_to(w.secretary).filter(run=the_run).values_list("branch_id", flat=True)) == {
        w.branch.pk
    }
    assert RunBranch.objects.visible_to(w.committee_user).filter(run=the_run).count() == 2
    from orgs.tests.factories import make_user

    other_committee = make_user("committee-xz", "committee", w.mine_b)
    with pytest.raises(NotFound):
        services.get_run(other_committee, the_run.pk)


hazard_specs = st.lists(
    st.tuples(
        st.booleans(),  # other branch
        st.integers(1, 31),  # day found
        st.one_of(st.none(), st.integers(0, 20)),  # days to the deadline
        st.one_of(st.none(), st.integers(0, 25)),  # days to closing
        st.booleans(),  # second place
        st.booleans(),  # party member
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=hazard_specs, pick=st.integers(0, 100), change=st.sampled_from(["close", "deadline", "place", "party"]))
def test_property_reproducible_and_one_record_changes_only_its_figures(site, scheme, specs, pick, change):
    from datetime import timedelta

    w = site
    with transaction.atomic():
        made = []
        for other, day, to_deadline, to_close, second, party in specs:
            found = date(2026, 10, day)
            place = w.other_place if other else (w.place2 if second else w.place)
            deadline = found + timedelta(days=to_deadline) if to_deadline is not None else None
            closed = found + timedelta(days=to_close) if to_close is not None else None
            made.append(hazard(w, found, place=place, deadline=deadline, closed=closed, party=party))
        _plan, before, *_, print1 = services.compute(scheme, TODAY)
        _plan, again, *_, print2 = services.compute(scheme, TODAY)
        assert before == again and print1 == print2  # reproducible
        h = made[pick % len(made)]
        branch = w.other_branch.pk if h.location_id == w.other_place.pk else w.branch.pk
        if change == "close":
            h.status, h.closed_at = ("rectifying", None) if h.closed_at else ("closed", h.found_at + timedelta(days=1))
        elif change == "deadline":
            h.deadline = (h.deadline or h.found_at.date()) + timedelta(days=3)
        elif change == "place":
            h.location = (
                w.place2 if h.location_id == w.place.pk else (w.place if h.location_id == w.place2.pk else h.location)
            )
        else:
            h.finder_is_party_member = not h.finder_is_party_member
        h.save()
        _plan, after, *_, print3 = services.compute(scheme, TODAY)
        changed = {k for k in before if before[k] != after[k]}
        assert all(code in HAZARD_CODES and b == branch for b, code in changed), changed
        assert (print3 != print1) == bool(changed)
        if change == "party":  # a change an indicator reads always shows
            assert (branch, "H_PARTY") in changed
        transaction.set_rollback(True)


@pytest.mark.parametrize("kind", ["violation", "talk", "diary", "entry"])
def test_one_record_of_another_module_changes_only_its_own_figures(site, scheme, kind):
    """Beside the hazards of the property test: a 三违, a talk, a diary 诉求 and an at-risk entry each move only the
    figures that read them, and only for their branch."""
    from care.models import Entry, Talk, TalkPerson
    from frontline.models import DiaryEntry, DiaryRequest
    from violations import services as violation_services
    from violations.models import Severity, Violation

    w = site
    reads = {"violation": {"V_RATE", "V_CLEAN"}, "talk": {"C_TALK"}, "diary": {"D_RESOLVED"}, "entry": {"C_RELEASED"}}
    _plan, before, *_, print1 = services.compute(scheme, TODAY)
    if kind == "violation":
        violation_services.ensure_defaults(w.mine)
        Violation.objects.create(mine=w.mine, person=w.worker_person, org=w.team, occurred_on=date(2026, 10, 5),
                                 kind="operation", severity=Severity.objects.filter(mine=w.mine).first(),
                                 description="违章", recorded_by=w.safety)  # fmt: skip
    elif kind == "talk":
        talk = Talk.objects.create(org=w.branch, talker=w.secretary.person, date=date(2026, 10, 5), form="face",
                                   topics="家庭", recorded_by=w.secretary)  # fmt: skip
        TalkPerson.objects.create(talk=talk, person=w.worker_person, date=talk.date)
    elif kind == "diary":
        e = DiaryEntry.objects.create(
            branch=w.branch, author=w.secretary, date=date(2026, 10, 3), place="井口", learned="…"
        )
        DiaryRequest.objects.create(entry=e, problem="通勤车", status="closed")
    else:
        Entry.objects.create(person=w.worker_person, mine=w.mine, tier="B", entered_on=date(2026, 10, 1),
                             released_on=date(2026, 10, 20), status="released", eval_days=30, created_by=w.secretary)  # fmt: skip
    _plan, after, *_, print2 = services.compute(scheme, TODAY)
    changed = {k for k in before if before[k] != after[k]}
    assert changed and {code for _b, code in changed} <= reads[kind] and {b for b, _c in changed} == {w.branch.pk}
    assert print1 != print2
