"""Suggestions from the data (SPEC §4.4): each rule turns records of other modules into facts about a person.

A fact has a stable key ("violation:12", "hire:2026-09-01" …) and a sentence. A person is suggested for a rule when
some fact of that rule is not yet covered by a decision (confirmed or dismissed) about the same person and rule:
a dismissed suggestion comes back only with a new fact. People on the register (帮教中) are not suggested.

Other modules are read only if they are there (violations, training, frontline's diary), so this works before and
after they land.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from care.models import Entry, EntryStatus, Finding, Rule, SuggestionDecision, TalkPerson
from orgs.models import Person, Transfer, WorkStatus

AWAY = ("leave", "sick", "seconded")
GONE = (WorkStatus.LEFT, WorkStatus.RETIRED)


@dataclass
class Suggestion:
    person: Person
    rules: dict = field(default_factory=dict)  # rule -> [(key, text, new)]

    @property
    def rows(self):
        """[(rule value, label, [(key, text, new)])] for the pages."""
        return [(str(Rule(r).value), Rule(r).label, facts) for r, facts in self.rules.items()]


def add_months(day, months):
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    from calendar import monthrange

    return date(year, month, min(day.day, monthrange(year, month)[1]))


def facts_for(people_qs, cfg, today=None):
    """{person_id: {rule: [(key, text)]}} for the people of ``people_qs`` (a queryset of Person)."""
    today = today or timezone.localdate()
    found = defaultdict(lambda: defaultdict(list))
    ids = people_qs.values("pk")

    # 新入职: hired within the last ``recent_days`` days (day 90 included)
    since = today - timedelta(days=cfg.recent_days)
    for pk, hired in people_qs.filter(hire_date__gte=since, hire_date__lte=today).values_list("pk", "hire_date"):
        found[pk][Rule.NEW_HIRE].append(
            (f"hire:{hired.isoformat()}", f"{hired:%Y-%m-%d} 入职(第{(today - hired).days}天)")
        )

    # 转岗
    for t in Transfer.objects.filter(person__in=ids, date__gte=since, date__lte=today).values(
        "pk", "person_id", "date", "from_job__name", "to_job__name", "from_org__name", "to_org__name"
    ):
        found[t["person_id"]][Rule.TRANSFER].append(
            (
                f"transfer:{t['pk']}",
                f"{t['date']:%Y-%m-%d} 转岗:{t['from_job__name']}→{t['to_job__name']},{t['from_org__name']}→{t['to_org__name']}",
            )
        )

    _violations(found, ids, cfg, today)
    _exams(found, ids, cfg, today)
    _returns(found, people_qs, cfg, today)
    _concerns(found, ids, cfg, today)
    return found


def _violations(found, ids, cfg, today):
    try:
        from violations.models import Violation
    except ImportError:  # the violations module is not there yet
        return
    if not hasattr(Violation.objects, "effective"):
        return
    since = today - timedelta(days=cfg.violation_days)
    rows = Violation.objects.effective().filter(person__in=ids, occurred_on__gte=since, occurred_on__lte=today)
    by_person = defaultdict(list)
    for v in rows.values("pk", "person_id", "occurred_on", "severity__name", "severity__serious").order_by(
        "occurred_on", "pk"
    ):
        by_person[v["person_id"]].append(v)
    for pk, items in by_person.items():
        serious = [v for v in items if v["severity__serious"]]
        if len(items) >= cfg.violation_count or serious:
            for v in items:
                text = f"{v['occurred_on']:%Y-%m-%d} 三违({v['severity__name']})"
                found[pk][Rule.VIOLATIONS].append((f"violation:{v['pk']}", text))


def _exams(found, ids, cfg, today):
    try:
        from training.models import ExamPaper
    except ImportError:
        return
    months = max(cfg.exam_fails + 1, 3)
    since = add_months(today.replace(day=1), -months)
    papers = (
        ExamPaper.objects.filter(
            person__in=ids, blueprint__month__gte=since, blueprint__month__lte=today, submitted_at__isnull=False
        )
        .values("pk", "person_id", "kind", "passed", "score", "blueprint_id", "blueprint__month")
        .order_by()
    )
    months_of = defaultdict(dict)  # person -> month -> {"failed": paper or None, "passed": bool}
    for p in papers:
        slot = months_of[p["person_id"]].setdefault(p["blueprint__month"], {"exam": None, "passed": False})
        if p["passed"]:
            slot["passed"] = True
        if p["kind"] == "exam":
            slot["exam"] = p
    for pk, by_month in months_of.items():
        streak = []
        for month in sorted(by_month, reverse=True):
            slot = by_month[month]
            if slot["exam"] is None:
                continue  # no 正考 that month (not set for this worker): neither breaks nor extends the streak
            if slot["passed"]:
                break
            streak.append(slot["exam"])
        if len(streak) >= cfg.exam_fails:
            for p in streak:
                found[pk][Rule.EXAM].append(
                    (
                        f"exam:{p['pk']}",
                        f"{p['blueprint__month']:%Y年%m月} 月考不合格({p['score'] if p['score'] is not None else '—'}分)",
                    )
                )


def status_changes(person_ids=None, since=None):
    """{person_id: [(moment, old, new)]} of 在岗状态 changes (``orgs.WorkStatusChange``), oldest first."""
    from orgs.models import WorkStatusChange

    qs = WorkStatusChange.objects.all()
    if person_ids is not None:
        qs = qs.filter(person_id__in=person_ids)
    if since is not None:
        qs = qs.filter(at__gte=since)
    out = defaultdict(list)
    for person_id, at, old, new in qs.order_by("at", "pk").values_list("person_id", "at", "from_status", "to_status"):
        out[person_id].append((at, old, new))
    return out


def _returns(found, people_qs, cfg, today):
    """Back at work within ``recent_days`` after ``leave_months`` or more away (休假/病休/借调)."""
    from datetime import datetime, time

    tz = timezone.get_current_timezone()
    since = datetime.combine(today - timedelta(days=cfg.recent_days), time.min, tzinfo=tz)
    recent = status_changes(since=since)
    returned = [
        pk for pk, items in recent.items() if any(new == WorkStatus.ON_DUTY and old in AWAY for _, old, new in items)
    ]
    if not returned:
        return
    returned = list(people_qs.filter(pk__in=returned).values_list("pk", flat=True))
    history = status_changes(person_ids=returned)
    for pk in returned:
        away_since = None
        for at, old, new in history[pk]:
            if new in AWAY and old not in AWAY:
                away_since = at
            elif new == WorkStatus.ON_DUTY and old in AWAY:
                back = timezone.localdate(at)
                if away_since is not None and back >= today - timedelta(days=cfg.recent_days):
                    left = timezone.localdate(away_since)
                    if add_months(left, cfg.leave_months) <= back:
                        found[pk][Rule.LEAVE].append(
                            (f"return:{back.isoformat()}", f"{left:%Y-%m-%d} 起离岗,{back:%Y-%m-%d} 返岗")
                        )
                away_since = None


def _concerns(found, ids, cfg, today):
    since = today - timedelta(days=cfg.concern_days)
    for f in Finding.objects.filter(person__in=ids, concern=True, screening__date__gte=since).values(
        "pk", "person_id", "note", "screening__date", "screening__kind"
    ):
        found[f["person_id"]][Rule.CONCERN].append(
            (f"finding:{f['pk']}", f"{f['screening__date']:%Y-%m-%d} 排查发现:{f['note'] or '需关注'}")
        )
    for t in TalkPerson.objects.filter(person__in=ids, talk__concern=True, date__gte=since).values(
        "talk_id", "person_id", "date", "talk__concerns"
    ):
        found[t["person_id"]][Rule.CONCERN].append(
            (f"talk:{t['talk_id']}", f"{t['date']:%Y-%m-%d} 谈心谈话标记需关注:{t['talk__concerns'][:60] or '—'}")
        )
    from frontline.services import concern_visits

    for d in concern_visits(ids, since):
        found[d["people"]][Rule.CONCERN].append((f"diary:{d['pk']}", f"{d['date']:%Y-%m-%d} 民情日记标记需关注"))


def suggestions(people_qs, cfg, today=None):
    """The open suggestions for the people of ``people_qs`` (already scoped), most rules first."""
    people_qs = people_qs.exclude(work_status__in=GONE)
    found = facts_for(people_qs, cfg, today)
    if not found:
        return []
    ids = list(found)
    on_register = set(
        Entry.objects.filter(person_id__in=ids, status=EntryStatus.ACTIVE).values_list("person_id", flat=True)
    )
    decided = defaultdict(set)
    for person_id, rule, facts in SuggestionDecision.objects.filter(person_id__in=ids).values_list(
        "person_id", "rule", "facts"
    ):
        decided[(person_id, rule)].update(f.get("key") for f in facts or [])
    open_ = {}
    for pk, rules in found.items():
        if pk in on_register:
            continue
        kept = {}
        for rule, facts in rules.items():
            seen = decided.get((pk, rule), set())
            if any(key not in seen for key, _ in facts):
                kept[rule] = [(key, text, key not in seen) for key, text in facts]
        if kept:
            open_[pk] = kept
    people = Person.objects.filter(pk__in=list(open_)).select_related("org", "job_type").order_by("emp_no")
    result = [Suggestion(p, open_[p.pk]) for p in people]
    result.sort(key=lambda s: -len(s.rules))
    return result
