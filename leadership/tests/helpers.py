"""Building blocks of the leadership tests."""

from datetime import timedelta

from leadership import services


def committee_meeting(w, day=None, **extra):
    return services.create_meeting(
        w.secretary,
        org=w.branch,
        kind="committee",
        date=day or w.today,
        topic="研究本月安全工作",
        agenda=["通报安全情况", "研究帮教"],
        **extra,
    )


def hold(w, meeting, absent=()):
    statuses = {p: ("leave", "下井带班") for p in absent}
    return services.record_attendance(w.secretary, meeting=meeting, statuses=statuses, minutes="会议记录:如实记录")


def life_at(w, state):
    """A 组织生活会 of the branch walked through the table up to ``state`` (the 支委会 members take part)."""
    people = [w.secretary.person, w.member_person, w.p3, w.p4]
    life = services.create_life(w.secretary, org=w.branch, year=w.today.year, theme="对照检查", participants=people)
    path = ["planned", "study", "talks", "opinions", "meeting", "rectify", "closed"]
    for target in path[1 : path.index(state) + 1]:
        if target == "talks":
            services.update_life(w.secretary, life=life, study="学习党章")
        if target == "meeting":
            services.add_opinion(w.secretary, life=life, source="座谈会", count=3, summary="意见若干")
        if target == "rectify":
            services.update_life(w.secretary, life=life, date=w.today)
            services.add_criticism(w.secretary, life=life, target=w.p3, kind="self", text="学习不够")
        if target == "closed":
            r = services.add_rectification(
                w.secretary, life=life, problem="学习不够", measure="制定计划", owner=w.p3,
                deadline=w.today + timedelta(days=5)
            )  # fmt: skip
            services.rectification_done(w.bc_user, item=r, evidence="已制定")
            services.rectification_check(w.secretary, item=r)
        action = {"study": "start_study", "talks": "start_talks", "opinions": "gather", "meeting": "hold",
                  "rectify": "rectify", "closed": "close"}[target]  # fmt: skip
        services.life_act(w.secretary, life=life, action=action)
        life.refresh_from_db()
    return life
