"""The at-risk loop in real Chromium on a 375-px phone: the secretary confirms a suggestion and assigns a 帮教人, who
records help on a phone; the secretary releases the worker (confirming the open measures)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from care import services
from care.models import Entry, EntryStatus, HelpRecord
from conftest import browser_login
from orgs.tests.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page):
    page.context.clear_cookies()


def test_confirm_help_and_release_on_a_phone(world, phone_page):
    services.ensure_defaults(world.mine)
    newcomer = PersonFactory(org=world.team, name="新工人", hire_date=timezone.localdate() - timedelta(days=12))
    page = phone_page

    # the secretary confirms the suggestion and assigns the party member as 帮教人
    browser_login(page, world.secretary.username)
    page.goto(page.base_url + "/care/suggestions/")
    card = page.locator(f"#suggestion-{newcomer.pk}")
    expect(card).to_contain_text("入职(第12天)")
    card.locator("a.confirm").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("input[name=criteria]:checked")).to_have_count(1)  # 新入职, from the rule
    page.select_option("#id_tier", "B")
    page.select_option("#id_helper", str(world.member_person.pk))
    page.fill("#id_measures", "党员结对帮扶\n不安排单岗作业")
    page.click("#submit-entry")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#helper")).to_contain_text("党员甲")
    entry = Entry.objects.get(person=newcomer)

    # the 帮教人 finds the person in the register and records help on the phone
    logout(page)
    browser_login(page, world.member.username)
    page.goto(page.base_url + "/care/register/")
    page.locator("#entries a", has_text="新工人").click()
    page.wait_for_load_state("networkidle")
    help_form = page.locator("#action-help")
    help_form.locator("select[name=form]").select_option("pair")
    help_form.locator("textarea[name=content]").fill("跟班作业,讲解顶板支护要点")
    help_form.locator("button").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#helps")).to_contain_text("跟班作业,讲解顶板支护要点")
    expect(page.locator("#action-release")).to_have_count(0)  # the 帮教人 does not release
    assert HelpRecord.objects.filter(entry=entry, by=world.member).count() == 1

    # the secretary releases: the open measures ask for confirmation first
    logout(page)
    browser_login(page, world.secretary.username)
    page.goto(f"{page.base_url}/care/register/{entry.pk}/")
    release = page.locator("#action-release")
    release.locator("summary").click()
    release.locator("textarea[name=reason]").fill("适应良好,已能独立作业")
    release.locator("button").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#action-release")).to_contain_text("还有 2 项帮教措施未落实")
    expect(page.locator("#action-release textarea[name=reason]")).to_have_value("适应良好,已能独立作业")
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.ACTIVE
    page.check("#id_confirm_open")
    page.locator("#action-release button").click()
    page.wait_for_load_state("networkidle")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.RELEASED and entry.events.filter(action="release").get().data["未落实措施"]
    assert page.outside_requests == []
