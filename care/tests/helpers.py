from care.models import Criterion


def criterion(w, name="家庭变故"):
    return Criterion.objects.get(mine=w.mine, name=name).pk


def helper_user(w):
    """The party member of the 早班 as a 帮教人 with an account (role 党员)."""
    return w.member


def enter(w, person=None, tier="B", measures="党员结对帮扶\n不安排单岗作业", **extra):
    from care import services

    data = {
        "tier": tier,
        "criteria": [criterion(w)],
        "helper": w.member_person.pk,
        "measures": measures,
        "reason": "家中变故,情绪低落",
    }
    data.update(extra)
    return services.enter(w.secretary, (person or w.worker_person).pk, data)
