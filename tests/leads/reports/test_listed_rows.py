"""The report page's backlog and drop rows, written by tags: what the template loop wrote."""

import re
from datetime import date
from decimal import Decimal

from django.template import Context, Template
from django.test import SimpleTestCase

from leads.reports.figures import BacklogRow, DroppedRow

# The rows as the page's template loops wrote them before the tags (the oracle).
BACKLOG_LOOP = Template(
    "{% load report_tags %}{% for row in backlog %}"
    '<tr{% if row.overdue %} class="overdue"{% endif %}>'
    "<td><a href=\"{% url 'leads:detail' row.pk %}\">{{ row.code }}</a></td>"
    "<td>{{ row.name }}</td><td>{{ row.investor }}</td><td>{{ row.industry }}</td>"
    '<td>{{ row.team|default:"—" }}</td>\n    <td>{{ row.signed_on|date:"Y-m-d" }}</td>'
    '<td class="num">{{ row.contract_amount|money }}</td>'
    '<td class="num">{{ row.days_waiting }}</td>'
    "<td>{% if row.overdue %}超期{% endif %}</td></tr>\n  {% endfor %}"
)
DROPPED_LOOP = Template(
    "{% load report_tags %}{% for row in dropped %}"
    "<tr><td><a href=\"{% url 'leads:detail' row.pk %}\">{{ row.code }}</a></td>"
    '<td>{{ row.name }}</td><td>{{ row.team|default:"—" }}</td>'
    '<td>{{ row.signed_on|date:"Y-m-d" }}</td><td>{{ row.dropped_on|date:"Y-m-d" }}</td>'
    '<td class="num">{{ row.amount|money }}</td><td>{{ row.reason }}</td></tr>\n  {% endfor %}'
)
BACKLOG_TAG = Template("{% load report_tags %}{% backlog_rows backlog %}")
DROPPED_TAG = Template("{% load report_tags %}{% dropped_rows dropped %}")

HOSTILE = """<script>alert("x")</script> & 'quoted' 项目"""


def _between_tags(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


class ListedRowsTests(SimpleTestCase):
    def test_rows_are_what_the_template_loops_wrote(self):
        backlog = [
            BacklogRow(
                1,
                "ZS-0001",
                HOSTILE,
                "投资方<b>",
                "新能源",
                "",
                date(2026, 1, 5),
                Decimal("1234567.5"),
                336,
                True,
            ),
            BacklogRow(
                23,
                "ZS&0023",
                "普通项目",
                HOSTILE,
                "数字经济 & 软件",
                "第一小分队",
                date(999, 12, 31),
                Decimal("0"),
                3,
                False,
            ),
        ]
        dropped = [
            DroppedRow(
                45,
                "ZS-0045",
                HOSTILE,
                "",
                date(2026, 2, 1),
                date(2026, 12, 2),
                Decimal("88.05"),
                HOSTILE,
            ),
            DroppedRow(6, "<ZS>", "终止项目", "第二小分队", None, None, Decimal("-1.2"), ""),
        ]
        context = Context({"backlog": backlog, "dropped": dropped})
        for tag, loop in ((BACKLOG_TAG, BACKLOG_LOOP), (DROPPED_TAG, DROPPED_LOOP)):
            self.assertEqual(
                _between_tags(tag.render(context)), _between_tags(loop.render(context))
            )
        written = BACKLOG_TAG.render(context) + DROPPED_TAG.render(context)
        self.assertNotIn("<script>", written)
        self.assertIn(
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27;", written
        )
        self.assertIn('<tr class="overdue"><td><a href="/leads/1/">ZS-0001</a>', written)
        self.assertIn('<td>—</td><td>2026-01-05</td><td class="num">1,234,567.50</td>', written)

    def test_no_rows_write_nothing(self):
        context = Context({"backlog": [], "dropped": []})
        self.assertEqual(BACKLOG_TAG.render(context) + DROPPED_TAG.render(context), "")
