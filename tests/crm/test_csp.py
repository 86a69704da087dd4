"""The Content-Security-Policy holds on the main pages, htmx and the report charts still work."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from leads.choices import Stage
from leads.models import AnnualTarget
from tests.factories import PASSWORD, UserFactory, make_lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def director(transactional_db):
    call_command("loaddata", "reference", verbosity=0)
    user = UserFactory(username="juzhang", groups=["局领导"], is_staff=True)
    lead = make_lead(name="智能装备华南生产基地", stage=Stage.SIGNED, actor=user)
    make_lead(name="新材料研发中心", actor=user)
    # A district target, so the dashboard draws its progress bars.
    AnnualTarget.objects.create(
        year=timezone.localdate().year, signed_count=10, signed_amount=1000, landed_count=5,
        landed_amount=500,
    )  # fmt: skip
    return {"user": user, "lead": lead}


def test_main_pages_raise_no_csp_violation(page, live_server, director):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.add_init_script(WATCH)
    response = page.goto(f"{live_server.url}/accounts/login/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    page.fill("#id_username", "juzhang")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    lead = director["lead"]
    pages = [
        "/",
        "/leads/",
        "/leads/board/",
        f"/leads/{lead.pk}/",
        "/reports/monthly/",
        "/leads/import/",
        "/audit/",
    ]
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        assert page.evaluate("window.__cspViolations") == [], path
        if path == "/":
            assert page.locator("progress.bar").count() >= 2

    # The report's charts are inline SVG and render under the policy.
    page.goto(f"{live_server.url}/reports/monthly/")
    assert page.locator("svg").count() >= 2
    assert page.locator("svg rect, svg path, svg polyline, svg line").count() > 0

    # htmx still works: log a contact in place on the detail page.
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.select_option("#activity-form select[name=kind]", label="电话")
    page.fill("#activity-form textarea[name=summary]", "CSP 下的对接记录")
    page.click("#activity-form button[type=submit]")
    page.wait_for_selector("#activities td:has-text('CSP 下的对接记录')")
    assert page.evaluate("window.__cspViolations") == []
    # htmx did not inject its indicator <style> (it would be refused).
    assert page.evaluate("document.querySelectorAll('head style').length") == 0

    # The board's drag-and-drop script is an external file now and runs.
    page.goto(f"{live_server.url}/leads/board/")
    page.wait_for_selector(".card")
    assert page.evaluate("window.__cspViolations") == []
    assert refused == []
