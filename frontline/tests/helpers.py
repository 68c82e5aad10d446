"""The services called the way the pages and the API call them: the input read by its form (``frontline.forms``)
first, then the service with typed keyword arguments."""

from common import inputs
from frontline import forms, services


def create_entry(user, data):
    return services.create_entry(user, **inputs.parse(forms.DiaryForm, data))


def update_entry(user, pk, data):
    return services.update_entry(user, pk, **inputs.parse(forms.DiaryEditForm, data))


def add_request(user, pk, data):
    return services.add_request(user, pk, **inputs.parse(forms.RequestForm, data))


def create_urgent(user, data):
    return services.create_urgent(user, **inputs.parse(forms.UrgentForm, data))


def create_campaign(user, data):
    return services.create_campaign(user, **inputs.parse(forms.CampaignForm, data))


def act_on_request(user, pk, action, data):
    return services.act_on_request(user, pk, action, **inputs.parse(forms.StepForm, data))


def act_on_task(user, pk, action, data, files=()):
    return services.act_on_task(user, pk, action, files=files, **inputs.parse(forms.task_form(action), data))
