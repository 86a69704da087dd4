"""A director enters a duplicate in a real Chromium, sees the warning, merges it from the finder,
and one lead is left (不重复统计)."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from leads.models import Lead
from tests.factories import UserFactory, make_lead
from tests.leads.pages.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def existing(transactional_db):
    call_command("loaddata", "reference", verbosity=0)
    UserFactory(username="juzhang", first_name="局长", last_name="王", groups=["局领导"])
    return make_lead(name="宇通新能源客车项目", investor="宇通客车股份有限公司")


def test_a_duplicate_is_warned_of_merged_from_the_finder_and_one_lead_is_left(
    page, live_server, existing, screenshot
):
    log_in(page, live_server, "juzhang")
    page.goto(f"{live_server.url}/leads/new/")
    page.fill("#id_name", "新能源客车")
    page.fill("#id_investor", "郑州宇通客车有限公司")
    page.select_option("#id_industry", label="工业机器人及智能装备制造")
    page.select_option("#id_source", label="产业链招商")
    page.click(".lead-form .actions button[type=submit]")
    warning = page.locator("#duplicate-warning")
    expect(warning).to_contain_text(existing.code)
    expect(warning).to_contain_text("疑似重复")
    screenshot(page, "duplicates-1-warning")
    page.click("#confirm-not-duplicate")
    expect(page.locator("#current-stage")).to_have_text("接洽")
    duplicate = Lead.objects.get(investor="郑州宇通客车有限公司")

    page.click(".mainnav a:has-text('查重')")
    group = page.locator(".duplicate-group")
    expect(group).to_have_count(1)
    expect(group).to_contain_text(duplicate.code)
    screenshot(page, "duplicates-2-finder")
    group.locator("a.merge-link").click()
    page.wait_for_url(re.compile(r"/leads/duplicates/merge/"))
    page.check("#merge-form input[name=name][value=merged]")
    screenshot(page, "duplicates-3-merge")
    page.click("#merge-submit")
    page.wait_for_url(f"{live_server.url}/leads/{existing.pk}/")
    expect(page.locator(".message")).to_contain_text(
        f"已将 {duplicate.code} 合并到 {existing.code}"
    )
    expect(page.locator("h1")).to_contain_text("新能源客车")

    page.click(".mainnav a:has-text('线索列表')")
    page.fill("input[name=q]", "宇通")
    page.click("#lead-filters button[type=submit]")
    page.wait_for_url(re.compile(r"/leads/\?.*q="))
    expect(page.locator("#lead-table tbody tr")).to_have_count(1)
    expect(page.locator("#lead-table tbody")).to_contain_text(existing.code)
    page.click(".mainnav a:has-text('查重')")
    expect(page.locator("#no-duplicates")).to_be_visible()
    screenshot(page, "duplicates-4-one-left")
