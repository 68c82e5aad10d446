from care.models import Criterion


def criterion(w, name="家庭变故"):
    return Criterion.objects.get(mine=w.mine, name=name).pk


def helper_user(w):
    """The party member of the 早班 as a 帮教人 with an account (role 党员)."""
    return w.member


# The services as the pages call them: the posted values read by the form (``care.forms``), then the service.


def enter_as(user, person, data):
    from care import forms, services
    from common import inputs

    return services.enter(user, person=person, **inputs.parse(forms.EntryForm, data))


def enter(w, person=None, tier="B", measures="党员结对帮扶\n不安排单岗作业", user=None, **extra):
    data = {
        "tier": tier,
        "criteria": [criterion(w)],
        "helper": w.member_person.pk,
        "measures": measures,
        "reason": "家中变故,情绪低落",
    }
    data.update(extra)
    return enter_as(user or w.secretary, person or w.worker_person, data)


def act(user, pk, action, data):
    from care import forms, services
    from common import inputs

    values = inputs.parse(forms.ACTION_FORMS[action], data)
    return services.act(user, pk, action, version=data.get("version"), **values)


def record_talk(user, data):
    from care import forms, services
    from common import inputs

    return services.record_talk(user, **inputs.parse(forms.TalkRecordForm, data))


def record_screening(user, data):
    from care import forms, services
    from common import inputs

    return services.record_screening(user, **inputs.parse(forms.ScreeningForm, data))
