"""二十字好干部 evaluation: anonymous by construction (the schema, the audit log and every other table prove it),
one vote per member, results only with enough answers."""

from datetime import date

import pytest
from django.db import connection, models

from common.errors import Conflict, Forbidden, NotFound
from orgs.models import PoliticalStatus
from orgs.tests.factories import PersonFactory, make_user
from scorecard import evaluation
from scorecard.models import Ballot, Round, Voter

pytestmark = pytest.mark.django_db
VOTE = {"belief": "4", "service": "3", "diligence": "4", "courage": "2", "integrity": "4", "overall": "4"}


@pytest.fixture
def members(world):
    people = [PersonFactory(org=world.team, name=f"党员{n}", political_status=PoliticalStatus.MEMBER) for n in range(8)]
    world.voters = [make_user(f"voter-{n}", "member", world.team, person=p) for n, p in enumerate(people)]
    return world


@pytest.fixture
def the_round(members):
    return evaluation.open_round(members.committee_user, branch=members.branch, title="2026年度测评",
                                 opens_on=date(2026, 12, 1), closes_on=date(2026, 12, 31))  # fmt: skip


@pytest.fixture
def w(members, the_round):
    members.round = the_round
    return members


def test_the_ballot_table_can_name_no_one_and_keeps_no_order(the_round):
    fields = {f.name: f for f in Ballot._meta.get_fields() if getattr(f, "concrete", False)}
    assert isinstance(fields["id"], models.UUIDField) and fields["id"].primary_key
    for name, f in fields.items():
        assert not isinstance(
            f, (models.DateField, models.DateTimeField, models.TimeField, models.GenericIPAddressField)
        )
        if f.is_relation:
            assert f.related_model is Round, name  # only the round: no person, account or session
        assert not any(w in name for w in ("user", "person", "session", "ip", "time", "at", "created", "voter")) or (
            name == "integrity"
        ), name
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, Ballot._meta.db_table)]
    assert sorted(columns) == sorted(["id", "round_id", "belief", "service", "diligence", "courage", "integrity",
                                      "overall", "comment"])  # fmt: skip
    voter_columns = {f.name for f in Voter._meta.concrete_fields}
    assert voter_columns == {"id", "round", "person", "voted"}  # only "has voted"


def test_nothing_but_the_ballot_table_holds_an_answer_and_no_log_ties_it_to_a_voter(w, login):
    from auditlog.models import LogEntry
    from auditlog.registry import auditlog

    assert not auditlog.contains(Ballot) and not auditlog.contains(Voter)
    before = LogEntry.objects.count()
    c = login(w.voters[0])
    marker = "食堂夜班饭菜凉-独一无二的意见"
    r = c.post(f"/scorecard/evaluation/{w.round.pk}/", VOTE | {"comment": marker})
    assert r.status_code == 302
    assert Ballot.objects.filter(comment=marker).count() == 1
    # every text column of every table: the answer is in the ballot table only
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for col in connection.introspection.get_table_description(cursor, table):
                if True:  # every column, read as text (PostgreSQL's type codes are numbers, not names)
                    cursor.execute(
                        f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{col.name}" AS TEXT) LIKE %s', [f"%{marker}%"]
                    )
                    if cursor.fetchone()[0]:
                        hits.append((table, col.name))
    assert hits == [(Ballot._meta.db_table, "comment")]
    new_logs = LogEntry.objects.filter(pk__gt=0).order_by("pk")[before:]
    assert not [e for e in new_logs if e.content_type.model in ("ballot", "voter")]


def test_ballots_are_not_stored_in_voting_order(w):
    """A plain SQL read of the ballots, as an administrator would do it: no column leads to a person, and the rows
    come back in the order of their random keys, not the order the votes were cast."""
    for n in range(8):
        evaluation.vote(
            w.voters[n], round_pk=w.round.pk, ratings=VOTE | {"overall": str(1 + n % 4)}, comment=f"第{n}票"
        )
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{Ballot._meta.db_table}"')
        names = [d[0] for d in cursor.description]
    assert "person_id" not in names and "user_id" not in names
    assert all(b.id.version == 4 for b in Ballot.objects.all())  # random keys
    # read back by key, the answers are not in the order they were cast (the chance that they are: 1 in 8! = 40,320)
    assert list(Ballot.objects.order_by("id").values_list("comment", flat=True)) != [f"第{n}票" for n in range(8)]


def test_one_vote_per_member_and_strangers_cannot(w):
    evaluation.vote(w.voters[0], round_pk=w.round.pk, ratings=VOTE)
    with pytest.raises(Conflict):
        evaluation.vote(w.voters[0], round_pk=w.round.pk, ratings=VOTE)
    with pytest.raises(NotFound):
        evaluation.vote(w.worker, round_pk=w.round.pk, ratings=VOTE)  # not a party member of the branch
    with pytest.raises(NotFound):
        evaluation.vote(w.secretary, round_pk=w.round.pk, ratings=VOTE)  # the secretary does not rate themselves
    assert Voter.objects.filter(round=w.round, voted=True).count() == 1


def test_bad_input_keeps_what_was_chosen(w, login):
    r = login(w.voters[1]).post(f"/scorecard/evaluation/{w.round.pk}/", VOTE | {"courage": "", "comment": "意见"})
    page = r.content.decode()
    assert r.status_code == 422 and "敢于担当" in page and "请为“敢于担当”选择" in page
    assert 'name="belief" value="4" checked' in page and "意见" in page
    assert not Ballot.objects.exists()


def test_results_only_with_enough_answers_and_half_of_those_eligible(w, login):
    eligible = Voter.objects.filter(round=w.round).count()
    assert eligible == 9  # 8 members + 党员甲 (the secretary, 书记甲, is left out)
    for n in range(4):
        evaluation.vote(w.voters[n], round_pk=w.round.pk, ratings=VOTE)
    assert evaluation.results(w.committee_user, w.round) is None
    page = login(w.committee_user).get(f"/scorecard/evaluation/{w.round.pk}/").content.decode()
    assert 'id="too-few"' in page
    evaluation.vote(w.voters[4], round_pk=w.round.pk, ratings=VOTE | {"overall": "2"})
    result = evaluation.results(w.committee_user, w.round)
    assert result["n"] == 5 and result["overall"][0] == ("好", 4) and dict(result["criteria"])["敢于担当"] == 2.0


def test_only_the_committee_opens_and_closes(w):
    with pytest.raises(Forbidden):
        evaluation.open_round(w.secretary, branch=w.other_branch, title="x", opens_on=date(2026, 12, 1),
                              closes_on=date(2026, 12, 2))  # fmt: skip
    with pytest.raises(Forbidden):
        evaluation.close_round(w.secretary, round_pk=w.round.pk)
    evaluation.close_round(w.committee_user, round_pk=w.round.pk)
    with pytest.raises(Conflict):
        evaluation.vote(w.voters[0], round_pk=w.round.pk, ratings=VOTE)


def test_a_voter_sees_the_round_in_their_todos(w, login):
    from common.todos import todos_for

    assert any("匿名测评" in t.title for t in todos_for(w.voters[0]))
    evaluation.vote(w.voters[0], round_pk=w.round.pk, ratings=VOTE)
    assert not any("匿名测评" in t.title for t in todos_for(w.voters[0]))
    page = login(w.voters[0]).get(f"/scorecard/evaluation/{w.round.pk}/").content.decode()
    assert 'id="voted"' in page and 'id="results"' not in page
