"""Forms keep input (issue 9, SPEC §7.1): every form a role can open, posted with one required field left empty,
answers with a Chinese message and returns every other value that was typed."""

import re

import pytest
from django.db import transaction
from django.urls import resolve

from tests.crawl import crawl
from tests.forms import fill, forms_of, typed_fields
from tests.test_crawl import SKIP, _awkward, roles

pytestmark = pytest.mark.django_db

ROLES = ("secretary@branch", "committee@mine", "safety@mine", "team_leader@team", "member@team", "superuser")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ERROR_MARK = re.compile(
    r'class="[^"]*(invalid-feedback|alert-danger|alert-warning|errorlist|text-danger)[^"]*"[^>]*>([^<]*)'
)
# Forms whose fields are not a record's input: searching, filtering, the login.
NOT_INPUT = {"accounts/login/"}


def _form_pages(client):
    visits, _ = crawl(client, skip=SKIP)
    pages = {}
    for v in visits:
        if v.status == 200 and any(f["method"] == "post" and not f["action"] for f in v.forms):
            pages.setdefault(v.route, v.url)
    return pages


def _the_form(html):
    candidates = [f for f in forms_of(html) if not f.action and not f.hx and len(typed_fields(f)) >= 2]
    return candidates[0] if candidates else None


def _to_blank(form):
    typed = typed_fields(form)
    required = [f for f in typed if f.required and f.kind in ("text", "textarea", "date", "number", "select")]
    pool = required or [f for f in typed if f.kind in ("text", "textarea")] or typed
    return pool[0].name


def test_every_form_posted_invalid_keeps_what_was_typed(client):
    with transaction.atomic():
        _awkward()
        users = roles()
        checked, saved, problems = [], [], []
        done = set()
        for role in ROLES:
            user = users.get(role)
            if user is None:
                continue
            client.force_login(user)
            for route, url in _form_pages(client).items():
                if route in done or route in NOT_INPUT:
                    continue
                form = _the_form(client.get(url).content.decode())
                if form is None:
                    continue
                done.add(route)
                blank = _to_blank(form)
                data = fill(form, blank=blank)
                response = client.post(url, data)
                if response.status_code in (301, 302, 303):
                    saved.append(route)  # the emptied field was optional: the record was saved
                    continue
                html = response.content.decode()
                if response.status_code >= 500:
                    problems.append(f"[{role}] {url}: {response.status_code}")
                    continue
                messages = [m.group(2).strip() for m in ERROR_MARK.finditer(html) if m.group(2).strip()]
                if not any(CHINESE.search(m) for m in messages):
                    problems.append(f"[{role}] {url}: no Chinese message after leaving {blank} empty")
                again = next(
                    (f for f in forms_of(html) if {x.name for x in typed_fields(form)} <= set(f.values())), None
                )
                if again is None:
                    problems.append(f"[{role}] {url}: the form is gone after an invalid post")
                    continue
                shown = again.values()
                for f in typed_fields(form):
                    if f.name == blank or f.name not in data:
                        continue
                    if shown.get(f.name, "").strip() != str(data[f.name]).strip():
                        problems.append(f"[{role}] {url}: {f.name} typed {data[f.name]!r}, shown {shown.get(f.name)!r}")
                checked.append(route)
            client.logout()
        assert not problems, "\n".join(problems)
        assert len(checked) >= 8, (checked, saved)  # the check must have looked at the real forms
        assert resolve("/hazards/new/").route in checked + saved
