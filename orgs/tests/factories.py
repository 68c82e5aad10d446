"""Factories for organisations, people and accounts, shared by every app's tests."""

import itertools
from datetime import date

import factory

from orgs.models import JobType, OrgKind, OrgNode, Person, PoliticalStatus, RoleAssignment, User

_emp = itertools.count(100000)


def node(parent, name, kind, code=""):
    if parent is None:
        return OrgNode.add_root(name=name, kind=kind, code=code)
    return parent.add_child(name=name, kind=kind, code=code)


class JobTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobType
        django_get_or_create = ("name",)

    name = "采煤工"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    emp_no = factory.LazyFunction(lambda: str(next(_emp)))
    name = factory.Iterator(["张伟", "王强", "李军", "刘洋", "陈杰", "杨磊", "赵勇", "黄涛"])
    gender = "M"
    birth_date = date(1985, 5, 1)
    hire_date = date(2010, 3, 1)
    job_type = factory.SubFactory(JobTypeFactory)
    political_status = PoliticalStatus.MASSES
    phone = "13800138000"
    id_number = "110101198505010014"
    address = "新泰市某街道1号"
    family_notes = "父母健在"
    thoughts_notes = "思想稳定"

    @factory.lazy_attribute
    def mine(self):
        return self.org.mine


def make_user(username, role=None, org=None, person=None, **extra):
    user = User.objects.create_user(
        username=username, password="Hl-test-pass1", person=person, must_change_password=False, **extra
    )
    if role:
        RoleAssignment.objects.create(user=user, role=role, org=org)
    return user


def build_world():
    """Two mines; mine A has two branches. One account per role, placed as SPEC §1 says."""
    from types import SimpleNamespace

    w = SimpleNamespace()
    w.group = node(None, "青岚能源集团", OrgKind.GROUP, "XK")
    w.mine = node(w.group, "云杉煤矿", OrgKind.MINE, "SC")
    w.committee = node(w.mine, "云杉煤矿党委", OrgKind.COMMITTEE)
    w.branch = node(w.committee, "综采一区党支部", OrgKind.BRANCH)
    w.unit = node(w.branch, "综采一区", OrgKind.UNIT)
    w.team = node(w.unit, "早班", OrgKind.TEAM)
    w.team2 = node(w.unit, "中班", OrgKind.TEAM)
    w.other_branch = node(w.committee, "掘进一区党支部", OrgKind.BRANCH)
    w.other_unit = node(w.other_branch, "掘进一区", OrgKind.UNIT)
    w.other_team = node(w.other_unit, "早班", OrgKind.TEAM)
    w.mine_b = node(w.group, "墨川煤矿", OrgKind.MINE, "XZ")
    w.committee_b = node(w.mine_b, "墨川煤矿党委", OrgKind.COMMITTEE)
    w.branch_b = node(w.committee_b, "机电区党支部", OrgKind.BRANCH)
    w.unit_b = node(w.branch_b, "机电区", OrgKind.UNIT)
    w.team_b = node(w.unit_b, "检修班", OrgKind.TEAM)
    for attr in (
        "group",
        "mine",
        "committee",
        "branch",
        "unit",
        "team",
        "team2",
        "other_branch",
        "other_unit",
        "other_team",
        "mine_b",
        "committee_b",
        "branch_b",
        "unit_b",
        "team_b",
    ):
        getattr(w, attr).refresh_from_db()

    w.worker_person = PersonFactory(org=w.team, name="王小二")
    w.member_person = PersonFactory(
        org=w.team, name="党员甲", political_status=PoliticalStatus.MEMBER, party_join_date=date(2015, 7, 1)
    )
    w.colleague = PersonFactory(org=w.team2, name="同事乙")
    w.stranger = PersonFactory(org=w.other_team, name="外支部丙")
    w.far_away = PersonFactory(org=w.team_b, name="外矿丁")

    w.admin = make_user("admin-sc", "admin", w.mine)
    w.committee_user = make_user("committee-sc", "committee", w.mine)
    w.safety = make_user("safety-sc", "safety", w.mine)
    w.secretary = make_user(
        "secretary-1",
        "secretary",
        w.branch,
        person=PersonFactory(org=w.team, name="书记甲", political_status=PoliticalStatus.MEMBER),
    )
    w.branch_committee = make_user("bc-1", "branch_committee", w.branch)
    w.team_leader = make_user("tl-1", "team_leader", w.team)
    w.member = make_user("member-1", "member", w.team, person=w.member_person)
    w.worker = make_user("worker-1", "worker", w.team, person=w.worker_person)
    w.other_secretary = make_user("secretary-2", "secretary", w.other_branch)
    w.superuser = User.objects.create_superuser("root", password="Hl-test-pass1", must_change_password=False)
    return w
