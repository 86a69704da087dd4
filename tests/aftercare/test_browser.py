"""A team member walks one enterprise problem in a real Chromium: 待办 → 办理中 → 已办结 → 已销号,
through an unsatisfied rating that reopens it; the tile and the ledger follow."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from aftercare.models import Enterprise, Problem
from leads.models import TaskTeam
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def member(transactional_db):
    call_command("loaddata", "reference", verbosity=0)
    user = UserFactory(username="duiyuan", first_name="队员", last_name="张", groups=["小分队队员"])
    TaskTeam.objects.get(name="信息研判组").members.add(user)
    Enterprise.objects.create(name="洛阳华创智能装备有限公司", district_leader="王副区长")
    return user


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def move(page, button, **fields):
    """Click a move on the problem page, fill its form, submit it."""
    page.click(f"#problem-actions a:has-text('{button}')")
    page.wait_for_selector("#move-form")
    for name, value in fields.items():
        if name == "rating":
            page.check(f"#move-form input[name=rating][value={value}]")
        elif name == "feedback_way":
            page.select_option("#id_feedback_way", value)
        else:
            page.fill(f"#id_{name}", value)
    page.click("#move-form button[type=submit]")


def test_one_problem_from_open_to_closed_out(page, live_server, member, screenshot):
    today = timezone.localdate().isoformat()
    log_in(page, live_server, "duiyuan")
    expect(page.locator("#problem-tile")).to_contain_text("0 未销号")

    page.click("nav.mainnav >> text=企业诉求")
    page.click("text=登记诉求")
    page.select_option("#id_enterprise", label="洛阳华创智能装备有限公司")
    page.select_option("#id_raised_via", label="项目例会")
    page.select_option("#id_category", label="水电气暖")
    page.fill("#id_description", "用电增容申请迟迟未批，影响二期投产")
    page.select_option("#id_responsible_team", label="信息研判组")
    page.click("#problem-form button[type=submit]")
    expect(page.locator("#current-status")).to_have_text("待办")
    screenshot(page, "aftercare-1-open")

    move(page, "受理办理")
    expect(page.locator("#current-status")).to_have_text("办理中")
    move(page, "办结", resolution="已协调供电公司完成增容")
    expect(page.locator("#current-status")).to_have_text("已办结")

    # Close-out without feedback is refused on the form.
    page.click("#problem-actions a:has-text('反馈并销号')")
    page.click("#move-form button[type=submit]")
    expect(page.locator("#move-form")).to_be_visible()
    assert Problem.objects.get().status == "resolved"
    page.go_back()
    page.reload()

    move(page, "反馈并销号", feedback_on=today, feedback_way="phone", rating="unsatisfied")
    expect(page.locator(".message")).to_contain_text("企业评价不满意")
    expect(page.locator("#current-status")).to_have_text("办理中")

    move(page, "办结", resolution="增容已送电，企业确认")
    move(page, "反馈并销号", feedback_on=today, feedback_way="visit", rating="satisfied")
    expect(page.locator("#current-status")).to_have_text("已销号")
    expect(page.locator("#timeline li")).to_have_count(6)
    screenshot(page, "aftercare-2-closed")

    page.click("nav.mainnav >> text=企业诉求")
    expect(page.locator("#problem-table")).to_contain_text("已销号")
    screenshot(page, "aftercare-3-ledger")
    page.click("nav.mainnav >> text=工作台")
    expect(page.locator("#problem-tile")).to_contain_text("0 未销号")
    assert re.search(r"SQ-\d{4}-0001", Problem.objects.get().code)
