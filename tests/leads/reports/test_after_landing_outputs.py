"""开工, 投产, dated 到位资金 and the 四率 in the JSON, workbook, page and locked versions."""

import json
from datetime import date
from decimal import Decimal

from django.urls import reverse

from leads.choices import Milestone
from leads.models import ReportSnapshot
from leads.reports.locks import report_lock
from leads.reports.monthly import monthly_report_build
from leads.reports.serialise import report_data
from tests.factories import UserFactory
from tests.leads.reports.scenario import LeadMaker, moment
from tests.leads.reports.test_outputs import ReportData

WINDOWS = {"month", "ytd", "last_year_month", "last_year_ytd"}
MONEY = r"^\d+\.\d{2}$"


class AfterLandingJsonTests(ReportData):
    def test_milestones_paid_in_totals_and_rates_have_their_shape(self):
        data = self.json_output("2025-03", "--format", "json")
        self.assertEqual(set(data["milestones"]), {"started", "in_production"})
        for name, windows in data["milestones"].items():
            self.assertEqual(set(windows), WINDOWS, name)
            for tally in windows.values():
                self.assertEqual(set(tally), {"count", "amount"})
                self.assertIsInstance(tally["count"], int)
                self.assertRegex(tally["amount"], MONEY)
        self.assertEqual(set(data["paid_in_totals"]), WINDOWS)
        for text in data["paid_in_totals"].values():
            self.assertRegex(text, MONEY)
        self.assertEqual(set(data["rates"]), {"performance", "start", "paid_in", "production"})
        for name, rate in data["rates"].items():
            self.assertEqual(set(rate), {"numerator", "denominator", "percent"}, name)
            if rate["percent"] is not None:
                self.assertRegex(rate["percent"], r"^\d+\.\d$", name)
        self.assertRegex(data["rates"]["paid_in"]["numerator"], MONEY)
        self.assertRegex(data["rates"]["paid_in"]["denominator"], MONEY)
        self.assertIsInstance(data["rates"]["start"]["numerator"], int)
        for row in data["by_industry"]:
            self.assertEqual(set(row["paid_in_totals"]), {"month", "ytd"})

    def test_json_figures_are_the_reports(self):
        data = self.json_output("2025-03", "--format", "json")
        figures = self.report.after_landing
        self.assertEqual(data["paid_in_totals"]["ytd"], f"{figures.paid_in['ytd']:.2f}")
        self.assertEqual(
            data["milestones"]["started"]["ytd"]["count"], figures.started["ytd"].count
        )
        rate = figures.rates["start"]
        self.assertEqual(
            data["rates"]["start"],
            {
                "numerator": rate.numerator,
                "denominator": rate.denominator,
                "percent": None if rate.percent is None else f"{rate.percent:.1f}",
            },
        )
        # 履约率 is the landing rate under the bulletins' name.
        self.assertEqual(
            data["rates"]["performance"]["numerator"], data["landing_rate"]["landed_count"]
        )
        self.assertEqual(
            data["rates"]["performance"]["denominator"], data["landing_rate"]["signed_count"]
        )
        self.assertGreater(self.report.ytd_totals.signed.count, 0)


class AfterLandingWorkbookTests(ReportData):
    def rows_of(self, sheet):
        rows = {}
        for r in range(sheet.max_row, 0, -1):  # the first row with a label wins
            rows[sheet.cell(r, 1).value] = r
        return rows

    def test_summary_sheet_has_the_dated_paid_in_milestones_and_rates(self):
        sheet = self.workbook()["汇总"]
        rows = self.rows_of(sheet)
        figures = self.report.after_landing
        paid = rows["到位资金（万元，按到位日期）"]
        self.assertEqual(sheet.cell(paid, 2).value, float(figures.paid_in["month"]))
        self.assertEqual(sheet.cell(paid, 5).value, float(figures.paid_in["ytd"]))
        self.assertEqual(sheet.cell(paid, 6).value, float(figures.paid_in["last_year_ytd"]))
        started = rows["开工项目数（个）"]
        self.assertEqual(sheet.cell(started, 5).value, figures.started["ytd"].count)
        amount = rows["投产项目签约投资额（万元）"]
        self.assertEqual(sheet.cell(amount, 5).value, float(figures.in_production["ytd"].amount))
        for name, key in (
            ("履约率", "performance"),
            ("开工率", "start"),
            ("资金到位率", "paid_in"),
        ):
            rate = figures.rates[key]
            self.assertEqual(sheet.cell(rows[name], 3).value, float(rate.numerator), name)
            self.assertEqual(sheet.cell(rows[name], 5).value, float(rate.denominator), name)
            percent = None if rate.percent is None else float(rate.percent)
            self.assertEqual(sheet.cell(rows[name], 6).value, percent, name)
            self.assertEqual(sheet.cell(rows[name], 6).number_format, '0.0"%"')
        self.assertIn("资金到位率", rows)  # in the notes too
        notes = [sheet.cell(r, 2).value or "" for r in range(rows["说明"], sheet.max_row + 1)]
        self.assertTrue(any("未注明到位日期的结转金额" in text for text in notes))

    def test_breakdown_sheets_add_the_dated_paid_in_columns(self):
        sheet = self.workbook()["按产业"]
        self.assertEqual(sheet.cell(3, 12).value, "到位资金（按到位日期）")
        self.assertEqual(sheet.cell(4, 6).value, "累计到位资金")
        self.assertEqual((sheet.cell(4, 12).value, sheet.cell(4, 13).value), ("本期", "本年累计"))
        for r, row in enumerate(self.report.by_industry, start=5):
            self.assertEqual(sheet.cell(r, 12).value, float(row.paid_in_month), row.name)
            self.assertEqual(sheet.cell(r, 13).value, float(row.paid_in_ytd), row.name)
        total = 5 + len(self.report.by_industry)
        self.assertEqual(sheet.cell(total, 1).value, "合计")
        self.assertEqual(
            sheet.cell(total, 13).value, float(self.report.after_landing.paid_in["ytd"])
        )
        self.assertGreater(self.report.after_landing.paid_in["ytd"], 0)


class AfterLandingPageTests(ReportData):
    def setUp(self):
        super().setUp()
        self.client.force_login(UserFactory(groups=["只读"]))

    def test_page_shows_the_figures_and_the_rates_with_definitions(self):
        response = self.client.get(reverse("reports:monthly"), {"month": "2025-03"})
        self.assertContains(response, 'id="rates"')
        for text in [
            "四率（截至本期末）",
            "到位资金（万元，按到位日期）",
            "落地项目的累计到位资金（万元，不按到位日期）",
            "开工项目数（个）",
            "投产项目签约投资额（万元）",
            "本年累计落地的项目中，到本期末已开工",
            "本年累计开工的项目中，到本期末已投产",
            "未注明到位日期的结转金额",
        ]:
            self.assertContains(response, text)
        for name in ("履约率", "开工率", "资金到位率", "投产率"):
            self.assertContains(response, f"<dt>{name}</dt>")
        rate = self.report.after_landing.rates["paid_in"]
        shown = "—" if rate.percent is None else f"{rate.percent:.1f}%"
        self.assertContains(response, f'<td class="num">{shown}</td>')
        paid = self.report.after_landing.paid_in["ytd"]
        self.assertContains(response, f"{paid:,.2f}")


class LockedAfterLandingTests(ReportData):
    """A locked month keeps its after-landing figures; an older version without them still shows."""

    def setUp(self):
        super().setUp()
        self.director = UserFactory(groups=["局领导"])
        self.client.force_login(self.director)

    def fetch(self, name, **extra):
        return self.client.get(reverse(f"reports:{name}"), {"month": "2025-03", **extra})

    def test_instalment_and_start_dated_in_a_locked_month_leave_it_unchanged(self):
        maker = LeadMaker(seed=1)
        lead = maker.sign(maker.contact(moment(date(2025, 2, 1))), moment(date(2025, 2, 5)))
        lead = maker.land(lead, moment(date(2025, 3, 2)), paid_in=Decimal("1.00"))
        snapshot = report_lock(period=self.period, actor=self.director)
        locked = json.loads(snapshot.json_text)
        self.assertEqual(locked["rates"], report_data(monthly_report_build(self.period))["rates"])
        maker.pay(lead, date(2025, 3, 20), Decimal("77.77"))
        maker.record(lead, Milestone.STARTED, date(2025, 3, 21))
        served = self.fetch("monthly_json").content
        self.assertEqual(served.decode(), snapshot.json_text)
        self.assertEqual(self.fetch("monthly_xlsx").content, bytes(snapshot.workbook))
        live = report_data(monthly_report_build(self.period))
        self.assertEqual(
            Decimal(live["paid_in_totals"]["month"]),
            Decimal(locked["paid_in_totals"]["month"]) + Decimal("77.77"),
        )
        self.assertEqual(
            live["milestones"]["started"]["month"]["count"],
            locked["milestones"]["started"]["month"]["count"] + 1,
        )

    def test_older_version_without_the_new_figures_still_serves(self):
        old = report_data(self.report)
        for key in ("milestones", "paid_in_totals", "rates"):
            old.pop(key)
        old.update(locked=True, version=1)
        ReportSnapshot.objects.create(
            start=self.period.start,
            end=self.period.end,
            version=1,
            json_text=json.dumps(old, ensure_ascii=False),
            workbook=b"PK-old",
            html='<h2>汇总</h2><table class="figures" id="summary"></table>',
            locked_at=self.director.date_joined,
            locked_by=self.director,
        )
        page = self.fetch("monthly")
        self.assertContains(page, "已封存")
        self.assertNotContains(page, 'id="rates"')
        data = json.loads(self.fetch("monthly_json").content)
        self.assertNotIn("rates", data)
        self.assertEqual(data["month_totals"], old["month_totals"])
        self.assertIn("rates", json.loads(self.fetch("monthly_json", live="1").content))
