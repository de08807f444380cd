"""Server-side SVG line charts: no JavaScript, no CDN, readable by screen readers.

Each chart has a ``<title>`` and ``<desc>`` (``role="img"`` + ``aria-labelledby``); pages show
the same numbers in a data table as the accessible alternative.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

WIDTH = 640
HEIGHT = 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 16, 16, 40


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def line_chart(*, chart_id: str, title: str, unit: str, points: list[tuple[datetime, float]]) -> SafeString:
    """An SVG line chart of ``points`` (oldest first). Every value passes through
    ``format_html`` (escaped); nothing user-entered is ever marked safe."""
    if not points:
        return SafeString("")
    values = [v for _, v in points]
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    margin = (high - low) * 0.1
    low, high = low - margin, high + margin
    first, last = points[0][0].timestamp(), points[-1][0].timestamp()
    span = (last - first) or 1.0
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(when: datetime) -> float:
        return PAD_LEFT + (when.timestamp() - first) / span * plot_w if len(points) > 1 else PAD_LEFT + plot_w / 2

    def y(value: float) -> float:
        return PAD_TOP + (high - value) / (high - low) * plot_h

    coords = [(round(x(when), 1), round(y(value), 1)) for when, value in points]
    polyline = " ".join(f"{cx},{cy}" for cx, cy in coords)
    first_day = date_format(localtime(points[0][0]), "SHORT_DATE_FORMAT")
    last_day = date_format(localtime(points[-1][0]), "SHORT_DATE_FORMAT")
    description = (
        f"{len(points)} readings from {first_day} to {last_day}; "
        f"lowest {_fmt(min(values))} {unit}, highest {_fmt(max(values))} {unit}, latest {_fmt(values[-1])} {unit}."
    )
    ticks = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (PAD_LEFT, WIDTH - PAD_RIGHT, round(y(v), 1), round(y(v), 1), PAD_LEFT - 6, round(y(v), 1) + 4, _fmt(v))
            for v in (low + (high - low) * i / 4 for i in range(5))
        ),
    )
    dots = format_html_join(
        "",
        '<circle class="chart-point" cx="{}" cy="{}" r="3"><title>{}: {} {}</title></circle>',
        (
            (cx, cy, date_format(localtime(when), "SHORT_DATE_FORMAT"), _fmt(value), unit)
            for (cx, cy), (when, value) in zip(coords, points, strict=True)
        ),
    )
    return format_html(
        '<svg id="{id}" class="vitals-chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title} ({unit})</title><desc id="{id}-desc">{desc}</desc>'
        "{ticks}"
        '<polyline class="chart-line" fill="none" points="{polyline}"></polyline>{dots}'
        '<text class="chart-axis" x="{left}" y="{bottom}">{first_day}</text>'
        '<text class="chart-axis" x="{right}" y="{bottom}" text-anchor="end">{last_day}</text>'
        "</svg>",
        id=chart_id,
        w=WIDTH,
        h=HEIGHT,
        title=title,
        unit=unit,
        desc=description,
        ticks=ticks,
        polyline=polyline,
        dots=dots,
        left=PAD_LEFT,
        right=WIDTH - PAD_RIGHT,
        bottom=HEIGHT - 12,
        first_day=first_day,
        last_day=last_day,
    )
