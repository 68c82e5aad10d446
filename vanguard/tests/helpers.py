"""The services as the pages call them: the posted values read by the form (``vanguard.forms``), then the service."""

from common import inputs
from vanguard import forms, services


def assign(user, data):
    return services.assign(user, **inputs.parse(forms.AssignForm, data))


def adjust(user, pk, data):
    return services.adjust(user, pk, **inputs.parse(forms.AdjustForm, data))


def create_post(user, data):
    return services.create_post(user, **inputs.parse(forms.PostForm, data))


def self_assess(user, pk, data):
    return services.self_assess(user, pk, **inputs.parse(forms.SelfAssessForm, data))


def rate(user, pk, data):
    return services.rate(user, pk, version=data.get("version"), **inputs.parse(forms.RateForm, data))
