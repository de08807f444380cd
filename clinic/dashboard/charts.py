"""A small server-side SVG chart renderer: bar and line charts, no JavaScript, no CDN.

Every chart is ``role="img"`` labelled by its own ``<title>`` and ``<desc>``; the template shows
the same numbers in a visually hidden table (the text alternative). The CSP forbids inline
``style`` attributes, so the SVG uses presentation attributes and classes styled in
``static/css/clinic.css``. Every label passes through ``format_html`` (escaped).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
HEIGHT = 260
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 16, 16, 48
# Horizontal bars: room on the left for long labels (provider or condition names).
H_LABEL_WIDTH = 200
H_BAR_HEIGHT = 22
H_BAR_GAP = 8
MAX_LABEL_CHARS = 30


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    description: str
    value_label: str
    rows: list[tuple[str, str]]  # (label, formatted value): the text alternative
    svg: SafeString

    @property
    def is_empty(self) -> bool:
        return not self.rows


def plain_number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 x 10^n)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _describe(title: str, data: Sequence[tuple[str, float]], fmt: Callable[[float], str]) -> str:
    if not data:
        return f"{title}: no data."
    high_label, high = max(data, key=lambda item: item[1])
    low_label, low = min(data, key=lambda item: item[1])
    return f"{title}: {len(data)} values; highest {fmt(high)} ({high_label}), lowest {fmt(low)} ({low_label})."


def _svg(chart_id: str, width: int, height: int, title: str, description: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg id="{id}" class="dash-chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        w=width,
        h=height,
        title=title,
        desc=description,
        body=body,
    )


def _y_grid(top: float, maximum: float, fmt: Callable[[float], str]) -> SafeString:
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def y(v: float) -> float:
        return round(PAD_TOP + (top - v) / top * plot_h, 1)

    return format_html_join(
        "",
        '<line class="dash-grid" x1="{}" x2="{}" y1="{}" y2="{}" stroke="#dee2e6"></line>'
        '<text class="dash-axis" x="{}" y="{}" text-anchor="end" fill="#495057">{}</text>',
        (
            (PAD_LEFT, WIDTH - PAD_RIGHT, y(v), y(v), PAD_LEFT - 6, y(v) + 4, fmt(v))
            for v in (top * i / 4 for i in range(5))
        ),
    )


def _label_every(count: int, room: float) -> int:
    """Show every n-th x label so that labels (about 40 px wide) do not overlap."""
    return max(1, math.ceil(40 / max(room, 1)))


def bar_chart(
    *,
    chart_id: str,
    title: str,
    value_label: str,
    data: Sequence[tuple[str, float]],
    fmt: Callable[[float], str] = plain_number,
    horizontal: bool = False,
    maximum: float | None = None,
) -> Chart:
    """Bars of ``data`` ((label, value) pairs, in display order)."""
    rows = [(label, fmt(value)) for label, value in data]
    description = _describe(title, data, fmt)
    if not data:
        return Chart(chart_id, title, description, value_label, rows, SafeString(""))
    top = maximum if maximum is not None else _nice_max(max(value for _, value in data))
    if horizontal:
        return Chart(
            chart_id,
            title,
            description,
            value_label,
            rows,
            _horizontal_bars(chart_id, title, description, data, fmt, top),
        )
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / len(data)
    bar_w = max(slot * 0.7, 1)
    every = _label_every(len(data), slot)
    bars = format_html_join(
        "",
        '<rect class="dash-bar" x="{}" y="{}" width="{}" height="{}" fill="#0a58ca"><title>{}: {}</title></rect>',
        (
            (
                round(PAD_LEFT + i * slot + (slot - bar_w) / 2, 1),
                round(PAD_TOP + plot_h - min(value, top) / top * plot_h, 1),
                round(bar_w, 1),
                round(min(value, top) / top * plot_h, 1),
                label,
                fmt(value),
            )
            for i, (label, value) in enumerate(data)
        ),
    )
    labels = format_html_join(
        "",
        '<text class="dash-axis" x="{}" y="{}" text-anchor="middle" fill="#495057">{}</text>',
        (
            (round(PAD_LEFT + i * slot + slot / 2, 1), HEIGHT - PAD_BOTTOM + 16, _short(label))
            for i, (label, _value) in enumerate(data)
            if i % every == 0
        ),
    )
    body = format_html("{}{}{}", _y_grid(top, top, fmt), bars, labels)
    return Chart(
        chart_id, title, description, value_label, rows, _svg(chart_id, WIDTH, HEIGHT, title, description, body)
    )


def _horizontal_bars(
    chart_id: str, title: str, description: str, data: Sequence[tuple[str, float]], fmt, top: float
) -> SafeString:
    height = PAD_TOP + len(data) * (H_BAR_HEIGHT + H_BAR_GAP) + 8
    plot_w = WIDTH - H_LABEL_WIDTH - PAD_RIGHT - 56  # room for the value after the bar
    parts = format_html_join(
        "",
        '<text class="dash-axis" x="{}" y="{}" text-anchor="end" fill="#495057">{}</text>'
        '<rect class="dash-bar" x="{}" y="{}" width="{}" height="{}" fill="#0a58ca"><title>{}: {}</title></rect>'
        '<text class="dash-value" x="{}" y="{}" fill="#212529">{}</text>',
        (
            (
                H_LABEL_WIDTH - 8,
                PAD_TOP + i * (H_BAR_HEIGHT + H_BAR_GAP) + H_BAR_HEIGHT / 2 + 4,
                _short(label),
                H_LABEL_WIDTH,
                PAD_TOP + i * (H_BAR_HEIGHT + H_BAR_GAP),
                round(min(value, top) / top * plot_w, 1),
                H_BAR_HEIGHT,
                label,
                fmt(value),
                round(H_LABEL_WIDTH + min(value, top) / top * plot_w + 6, 1),
                PAD_TOP + i * (H_BAR_HEIGHT + H_BAR_GAP) + H_BAR_HEIGHT / 2 + 4,
                fmt(value),
            )
            for i, (label, value) in enumerate(data)
        ),
    )
    return _svg(chart_id, WIDTH, height, title, description, parts)


def line_chart(
    *,
    chart_id: str,
    title: str,
    value_label: str,
    data: Sequence[tuple[str, float]],
    fmt: Callable[[float], str] = plain_number,
) -> Chart:
    """A line through ``data`` ((label, value) pairs, evenly spaced, oldest first)."""
    rows = [(label, fmt(value)) for label, value in data]
    description = _describe(title, data, fmt)
    if not data:
        return Chart(chart_id, title, description, value_label, rows, SafeString(""))
    top = _nice_max(max(value for _, value in data))
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / (len(data) - 1) if len(data) > 1 else 0

    def x(i: int) -> float:
        return round(PAD_LEFT + (i * step if len(data) > 1 else plot_w / 2), 1)

    def y(value: float) -> float:
        return round(PAD_TOP + (top - value) / top * plot_h, 1)

    points = " ".join(f"{x(i)},{y(value)}" for i, (_label, value) in enumerate(data))
    every = _label_every(len(data), step or plot_w)
    dots = format_html_join(
        "",
        '<circle class="dash-point" cx="{}" cy="{}" r="3" fill="#0a58ca"><title>{}: {}</title></circle>',
        ((x(i), y(value), label, fmt(value)) for i, (label, value) in enumerate(data)),
    )
    labels = format_html_join(
        "",
        '<text class="dash-axis" x="{}" y="{}" text-anchor="middle" fill="#495057">{}</text>',
        ((x(i), HEIGHT - PAD_BOTTOM + 16, _short(label)) for i, (label, _value) in enumerate(data) if i % every == 0),
    )
    body = format_html(
        '{}<polyline class="dash-line" fill="none" stroke="#0a58ca" stroke-width="2" points="{}"></polyline>{}{}',
        _y_grid(top, top, fmt),
        points,
        dots,
        labels,
    )
    return Chart(
        chart_id, title, description, value_label, rows, _svg(chart_id, WIDTH, HEIGHT, title, description, body)
    )
