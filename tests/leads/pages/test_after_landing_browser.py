"""In a real Chromium: record an instalment and a 开工 date on a lead, see the report move."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from leads.choices import Stage
from tests.factories import PASSWORD, UserFactory, make_lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def landed_project(transactional_db):
    call_command("loaddata", "reference", verbosity=0)
    UserFactory(username="juzhang", groups=["局领导"])
    today = timezone.localdate()
    # Landed this month (or on its first day), so its 开工 counts this month.
    landed = max(today.replace(day=1), today - timedelta(days=3))
    return make_lead(name="浏览器落地项目", stage=Stage.LANDED, signed_on=landed, landed_on=landed)


def summary_cell(page, label: str) -> str:
    """Return the 本期 figure of the report summary's row `label`."""
    row = page.locator("#summary tr", has_text=label).first
    return row.locator("td").nth(1).inner_text().strip()


def amount(text: str) -> float:
    return float(text.replace(",", ""))


def test_an_instalment_and_a_start_date_move_the_monthly_report(
    page, live_server, landed_project, screenshot
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "juzhang")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    report = f"{live_server.url}/reports/monthly/"
    page.goto(report)
    started_before = int(summary_cell(page, "开工项目数"))
    paid_before = amount(summary_cell(page, "到位资金（万元，按到位日期）"))

    today = timezone.localdate().isoformat()
    page.goto(f"{live_server.url}/leads/{landed_project.pk}/")
    page.fill("#paid-in-form input[name=paid_in-on]", today)
    page.fill("#paid-in-form input[name=paid_in-amount]", "250.75")
    page.select_option("#paid-in-form select[name=paid_in-kind]", "registered_capital")
    page.click("#paid-in-form button[type=submit]")
    expect(page.locator("#paid-ins")).to_contain_text("250.75")
    expect(page.locator("#paid-ins")).to_contain_text("注册资本实缴")
    screenshot(page, "after-landing-1-paid-in")

    page.fill("#milestone-form input[name=milestone-on]", today)
    page.click("#milestone-form button[type=submit]")
    expect(page.locator("#timeline")).to_contain_text(f"开工日期 {today}")
    expect(page.locator("#node-plan")).to_contain_text(today)
    screenshot(page, "after-landing-2-started")

    page.goto(report)
    assert int(summary_cell(page, "开工项目数")) == started_before + 1
    assert amount(summary_cell(page, "到位资金（万元，按到位日期）")) == pytest.approx(
        paid_before + 250.75
    )
    expect(page.locator("#rates")).to_contain_text("开工率")
    screenshot(page, "after-landing-3-report")
