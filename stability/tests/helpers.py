from datetime import timedelta

from django.utils import timezone

from common import inputs
from stability import forms, services


def ago(days):
    return timezone.localdate() - timedelta(days=days)


def petition(w, user=None, days_ago=5, klass="claim", accused="", **extra):
    data = {
        "org": w.branch.pk,
        "channel": "visit",
        "klass": klass,
        "received_on": ago(days_ago),
        "petitioner_names": "王小二",
        "people_count": 1,
        "matter": "反映夜班误餐补助发放不及时",
        "accused": accused,
    }
    data.update(extra)
    return services.create_petition(user or w.secretary, **inputs.parse(forms.PetitionForm, data))


def factor(w, user=None, people_count=3, severity="general", **extra):
    data = {
        "org": w.branch.pk,
        "title": "工资调整引发不满",
        "description": "部分职工对绩效工资核算有意见",
        "people_count": people_count,
        "severity": severity,
        "found_on": ago(10),
    }
    data.update(extra)
    return services.create_factor(user or w.secretary, **inputs.parse(forms.FactorForm, data))
