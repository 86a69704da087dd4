"""Server-side SVG bar charts of the 12-month trend: no JavaScript, no CDN."""

from __future__ import annotations

import math
from collections.abc import Callable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from leads.reports.figures import TrendPoint

WIDTH, HEIGHT = 960, 280
LEFT, RIGHT, TOP, BOTTOM = 70, 16, 36, 46
SERIES = (("signed", "签约", "#1f5fa8"), ("landed", "落地", "#c0392b"))


def nice_ceiling(value: float) -> tuple[float, float]:
    """Return (axis maximum, tick step) for values up to `value`, about five ticks."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw:
            break
    if step < 1 and value >= 1:
        step = 1.0
    return step * math.ceil(value / step), step


def _tick_label(value: float, money: bool) -> str:
    if money:
        return f"{value:,.0f}"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def trend_svg(
    points: list[TrendPoint],
    *,
    measure: str,
    title: str,
    url: Callable[[str, TrendPoint], str],
) -> SafeString:
    """Return an SVG grouped bar chart of `measure` ("count" or "amount") per month.

    Each bar links to the leads behind it (`url(kind, point)`). One
    function on purpose: the SVG is written top to bottom (frame, grid,
    bars, labels, legend) from the same few coordinates, which splitting
    would have to pass around.
    """
    money = measure == "amount"
    values = [[getattr(getattr(p, kind), measure) for kind, _, _ in SERIES] for p in points]
    top, step = nice_ceiling(float(max((v for pair in values for v in pair), default=0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(points), 1)
    bar = slot * 0.32
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="trend-chart" role="img" aria-label="{escape(title)}">',
        f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" class="chart-title">'
        f"{escape(title)}</text>",
    ]
    ticks = round(top / step)
    for index in range(ticks + 1):
        value = step * index
        y = TOP + plot_h - plot_h * value / top
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
            f"{_tick_label(value, money)}</text>"
        )
    for index, (point, pair) in enumerate(zip(points, values, strict=True)):
        x0 = LEFT + slot * index + slot / 2 - bar
        for offset, ((kind, label, colour), value) in enumerate(zip(SERIES, pair, strict=True)):
            height = plot_h * float(value) / top
            x, y = x0 + offset * bar, TOP + plot_h - height
            shown = f"{value:,.2f}" if money else f"{value}"
            tip = f"{point.period.label} {label}：{shown}{'万元' if money else '个'}"
            parts.append(
                f'<a href="{escape(url(kind, point))}"><rect x="{x:.1f}" y="{y:.1f}" '
                f'width="{bar:.1f}" height="{max(height, 0.5):.1f}" fill="{colour}">'
                f"<title>{escape(tip)}</title></rect></a>"
            )
            if not money and value:
                parts.append(
                    f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                    f'class="value">{value}</text>'
                )
        parts.append(
            f'<text x="{LEFT + slot * index + slot / 2:.1f}" y="{TOP + plot_h + 16}" '
            f'text-anchor="middle" class="tick">{escape(point.period.short_label)}</text>'
        )
    legends = [f"{label}{'金额（万元）' if money else '项目数'}" for _, label, _ in SERIES]
    # About 12 px per CJK character at the tick font size.
    widths = [36 + 12 * len(text) for text in legends]
    x = WIDTH / 2 - sum(widths) / 2
    for (_, _, colour), text, width in zip(SERIES, legends, widths, strict=True):
        parts.append(
            f'<rect x="{x:.0f}" y="{HEIGHT - 16}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16:.0f}" y="{HEIGHT - 6}" class="tick">{text}</text>'
        )
        x += width
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text above is escaped
