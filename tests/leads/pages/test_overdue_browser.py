"""局领导 in a real Chromium: the dashboard's 督办 tile, the 督办 list, a 督办 note added and seen,
a refused note explained in Chinese, and the 重点项目推进表 coloured."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from leads.choices import Node, Stage
from leads.models import SupervisionNote
from leads.services import lead_plan_node, lead_set_key, lead_update
from tests.factories import PASSWORD, UserFactory, make_lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def late_project(transactional_db):
    call_command("loaddata", "reference", verbosity=0)
    director = UserFactory(username="juzhang", first_name="局长", last_name="王", groups=["局领导"])
    today = timezone.localdate()
    lead = make_lead(
        stage=Stage.LANDED,
        name="智能装备华南生产基地",
        signed_on=today - timedelta(days=90),
        landed_on=today - timedelta(days=60),
    )
    lead = lead_update(lead=lead, actor=director, leader="李副区长")
    lead = lead_set_key(lead=lead, is_key=True, actor=director)
    lead_plan_node(lead=lead, node=Node.STARTED, on=today - timedelta(days=12), actor=director)
    return lead


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_director_supervises_a_late_node(page, live_server, late_project, screenshot):
    log_in(page, live_server, "juzhang")
    expect(page.locator("#overdue-tile")).to_contain_text("1 项逾期")

    page.click("nav.mainnav >> text=督办")
    row = page.locator(f"#overdue-table tr[data-lead='{late_project.pk}']")
    expect(row).to_contain_text("计划开工")
    expect(row).to_contain_text("李副区长")
    expect(row.locator("td").nth(6)).to_have_text("12")
    screenshot(page, "overdue-1-list")

    # A deadline in the past is refused, with the reason beside the field.
    row.locator("a:has-text('督办')").click()
    page.wait_for_selector("#supervision-form")
    yesterday = timezone.localdate() - timedelta(days=1)
    page.fill("#id_note", "请分包领导协调用地手续，两周内开工")
    page.fill("#id_deadline", yesterday.isoformat())
    page.click("#supervision-form button[type=submit]")
    expect(page.locator("[data-field=deadline] .field-error")).to_have_text(
        "办理期限不能早于今天。"
    )
    assert not SupervisionNote.objects.exists()

    deadline = timezone.localdate() + timedelta(days=14)
    page.fill("#id_deadline", deadline.isoformat())
    page.click("#supervision-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/leads/overdue-nodes/")
    expect(page.locator(".message")).to_contain_text("已对")
    row = page.locator(f"#overdue-table tr[data-lead='{late_project.pk}']")
    expect(row).to_contain_text("请分包领导协调用地手续，两周内开工")
    expect(row).to_contain_text(deadline.isoformat())
    screenshot(page, "overdue-2-noted")

    page.click("nav.mainnav >> text=重点项目")
    cell = page.locator(f"#key-table tr[data-lead='{late_project.pk}'] td[data-node=started]")
    expect(cell).to_have_attribute("data-colour", "red")
    colour = cell.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(255, 199, 206)"
    screenshot(page, "overdue-3-key-projects")
