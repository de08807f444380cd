from __future__ import annotations

import datetime as dt

from django.utils import timezone

from records.charts import line_chart


def _points(*values):
    start = timezone.now() - dt.timedelta(days=len(values))
    return [(start + dt.timedelta(days=i), float(v)) for i, v in enumerate(values)]


def test_the_chart_is_an_accessible_svg_with_title_desc_and_a_point_per_value():
    svg = str(line_chart(chart_id="c1", title="Heart rate", unit="/min", points=_points(60, 72, 90)))
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Heart rate (/min)</title>' in svg
    assert "3 readings" in svg and "lowest 60 /min, highest 90 /min, latest 90 /min" in svg
    assert svg.count("<circle") == 3
    assert "style=" not in svg  # the CSP forbids inline styles


def test_labels_are_escaped():
    svg = str(line_chart(chart_id="c2", title="<script>x</script>", unit="&", points=_points(1)))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_no_points_no_chart():
    assert line_chart(chart_id="c3", title="x", unit="", points=[]) == ""


def test_a_flat_series_still_draws():
    svg = str(line_chart(chart_id="c4", title="Weight", unit="kg", points=_points(70, 70)))
    assert "polyline" in svg and "nan" not in svg.lower()
