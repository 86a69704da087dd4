"""A bureau user's day in a real Chromium: create a lead, log a contact, move it to 落地,
find it on the board and in this month's report."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from leads.models import Lead, TaskTeam
from tests.factories import PASSWORD, UserFactory, credit_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROJECT = "智能装备华南生产基地"


@pytest.fixture
def people(transactional_db):
    call_command("loaddata", "reference", verbosity=0)
    director = UserFactory(username="juzhang", first_name="局长", last_name="王", groups=["局领导"])
    reader = UserFactory(username="chakan", first_name="查看", last_name="李", groups=["只读"])
    member = UserFactory(
        username="duiyuan", first_name="队员", last_name="张", groups=["小分队队员"]
    )
    TaskTeam.objects.get(name="信息研判组").members.add(member)
    return {"director": director, "reader": reader, "member": member}


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def log_out(page):
    page.click("button:has-text('退出')")
    page.wait_for_url(re.compile(r"/accounts/login/"))


def move(page, button, **fields):
    """Click a stage button on the detail page, fill the stage form, submit it."""
    page.click(f"#lead-actions a:has-text('{button}')")
    page.wait_for_selector("#stage-form")
    for name, value in fields.items():
        page.fill(f"#id_{name}", value)
    page.click("#stage-form button[type=submit]")


def test_a_lead_from_first_contact_to_landing(page, live_server, people, screenshot):
    log_in(page, live_server, "juzhang")
    assert page.locator("h1").first.inner_text() == "工作台"

    # Create the lead.
    page.click("text=新建线索")
    page.fill("#id_name", PROJECT)
    page.fill("#id_investor", "深圳某智能装备集团有限公司")
    page.select_option("#id_industry", label="工业机器人及智能装备制造")
    page.select_option("#id_source", label="产业链招商")
    page.fill("#id_planned_investment", "50000")
    page.click("form.lead-form button[type=submit]")
    page.wait_for_selector("#current-stage")
    assert page.inner_text("#current-stage") == "接洽"
    lead = Lead.objects.get(name=PROJECT)
    detail_url = f"{live_server.url}/leads/{lead.pk}/"
    assert page.url == detail_url

    # Log a contact in place (htmx): the panel refreshes without leaving the page.
    page.select_option("#activity-form select[name=kind]", label="电话")
    page.fill("#activity-form textarea[name=summary]", "首次电话沟通，对方有意来区考察")
    page.click("#activity-form button[type=submit]")
    page.wait_for_selector("#activities td:has-text('首次电话沟通')")
    assert page.url == detail_url

    move(page, "推进到考察")
    page.wait_for_selector("#current-stage:has-text('考察')")
    move(page, "推进到意向", planned_investment="50000")
    page.wait_for_selector("#current-stage:has-text('意向')")

    # 签约 without its amount is refused, and the form says why.
    move(page, "推进到签约")
    error = page.locator("[data-field=contract_amount] .field-error")
    assert error.inner_text() == "进入“签约”阶段须填写签约投资额(万元)。"
    page.fill("#id_contract_amount", "48000.50")
    page.click("#stage-form button[type=submit]")
    page.wait_for_selector("#current-stage:has-text('签约')")

    move(
        page, "推进到落地", registered_name="某智能装备（本区）有限公司", credit_code=credit_code()
    )
    page.wait_for_selector("#current-stage:has-text('落地')")
    timeline = page.inner_text("#timeline")
    for step in ("新建 → 接洽", "接洽 → 考察", "考察 → 意向", "意向 → 签约", "签约 → 落地"):
        assert step in timeline
    lead.refresh_from_db()
    assert (lead.stage, str(lead.contract_amount)) == ("landed", "48000.50")
    screenshot(page, "detail")

    # Find it on the board, in the 落地 column.
    page.click(".mainnav a:has-text('看板')")
    page.wait_for_url(f"{live_server.url}/leads/board/")
    landed = page.locator(".column[data-stage=landed]")
    expect(landed.locator(f".card:has-text('{PROJECT}')")).to_have_count(1)
    screenshot(page, "board")

    # Find it in this month's report: one landing this month, whose figure opens
    # the list of the leads it counts.
    page.click(".mainnav a:has-text('月报')")
    page.wait_for_url(re.compile(r"/reports/monthly/"))
    landed_row = page.locator("#summary tr", has_text="落地项目数（个）")
    expect(landed_row.locator("td").nth(1)).to_have_text("1")
    screenshot(page, "report")
    landed_row.locator("td").nth(1).locator("a").click()
    page.wait_for_url(re.compile(r"/leads/\?"))
    expect(page.locator("#lead-table tbody")).to_contain_text(PROJECT)
    screenshot(page, "report-drilldown")

    page.click(".mainnav a:has-text('线索列表')")
    page.fill("input[name=q]", "智能装备华南")
    page.click("#lead-filters button[type=submit]")
    page.wait_for_url(re.compile(r"/leads/\?.*q="))
    expect(page.locator("#lead-table tbody tr")).to_have_count(1)
    expect(page.locator("#lead-table tbody")).to_contain_text(PROJECT)
    page.click(".mainnav a:has-text('线索列表')")
    page.wait_for_url(f"{live_server.url}/leads/")
    screenshot(page, "list")
    page.click(".mainnav a:has-text('工作台')")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".kpi").first).to_contain_text("1 个")
    screenshot(page, "dashboard")
    log_out(page)

    # A read-only user sees the lead but cannot change it.
    log_in(page, live_server, "chakan")
    page.goto(detail_url)
    assert page.locator("#lead-actions a").count() == 0
    assert page.locator("#activity-form").count() == 0
    assert "只读" in page.inner_text("#lead-actions")
    response = page.goto(f"{detail_url}edit/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "无权操作"
    response = page.goto(f"{detail_url}stage/dropped/")
    assert response.status == 403
    lead.refresh_from_db()
    assert lead.stage == "landed"


def test_drag_a_card_to_the_next_column_opens_the_stage_form(page, live_server, people):
    log_in(page, live_server, "duiyuan")
    page.click("text=新建线索")
    page.fill("#id_name", "拖拽测试项目")
    page.fill("#id_investor", "某集团")
    page.select_option("#id_industry", label="新材料")
    page.select_option("#id_source", label="自主对接")
    page.click("form.lead-form button[type=submit]")
    page.wait_for_selector("#current-stage")
    page.goto(f"{live_server.url}/leads/board/")
    expect(page.locator(".column[data-stage=contact] .card[draggable=true]")).to_have_count(1)
    page.drag_and_drop(
        ".column[data-stage=contact] .card:has-text('拖拽测试项目')", ".column[data-stage=visit]"
    )
    page.wait_for_selector("#stage-form")
    assert "接洽 → 考察" in page.inner_text("h1")
    page.click("#stage-form button[type=submit]")
    page.wait_for_url(re.compile(r"/leads/board/"))
    visit = page.locator(".column[data-stage=visit]")
    expect(visit.locator(".card:has-text('拖拽测试项目')")).to_have_count(1)
