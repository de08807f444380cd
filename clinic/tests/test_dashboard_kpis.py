"""The clinic admin's numbers against the hand-computed fixture (see dashboard_fixtures), an
empty clinic, the date-range form, and the charts (SVG in the page, accessible, CSP-safe)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from clinic.dashboard import kpis
from clinic.dashboard.charts import bar_chart, line_chart

# The clinic time zone, frozen clock and fixture clinic come from clinic/tests/conftest.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("london")]

FIRST, LAST = dt.date(2026, 2, 3), dt.date(2026, 3, 4)




def kpi(html: str, name: str) -> str:
    match = re.search(rf'id="kpi-{name}"><dt>[^<]*</dt><dd>(.*?)</dd>', html, re.S)
    assert match, name
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


def test_the_numbers_match_the_hand_computed_fixture(clinic):
    numbers = kpis.clinic_kpis(first=FIRST, last=LAST)
    assert numbers.booked == 6
    assert numbers.completed == 1
    assert numbers.cancelled == 1
    assert numbers.no_shows == 1
    assert numbers.no_show_rate == 0.5
    assert numbers.available_minutes == 22 * 480 - 240 + 22 * 240 == 15_600
    assert numbers.booked_minutes == 75
    by_provider = {u.provider.pk: (u.booked_minutes, u.available_minutes) for u in numbers.utilisation}
    assert by_provider == {clinic.grace.pk: (60, 10_320), clinic.julius.pk: (15, 5_280)}
    assert (numbers.new_patients, numbers.patients_total, numbers.patients_with_login) == (3, 4, 2)
    assert numbers.portal_adoption == 0.5
    assert numbers.triage == {"urgent": 1, "routine": 1}
    assert numbers.top_conditions == [("Migraine", "G43.9", 2)]
    assert (numbers.agreement_confirmed, numbers.agreement_in_top3, numbers.agreement_share) == (2, 1, 0.5)
    assert numbers.break_glass_count == 1 and numbers.lockout_count == 1 and numbers.review_count == 2
    per_day = dict(numbers.per_day)
    assert len(per_day) == 30
    assert per_day[dt.date(2026, 3, 4)] == 4 and per_day[dt.date(2026, 3, 3)] == 1
    assert per_day[dt.date(2026, 3, 2)] == 1 and per_day[dt.date(2026, 2, 20)] == 0
    assert numbers.no_shows_by_weekday == [0, 1, 0, 0, 0, 0, 0]  # Tuesday 3 March


def test_the_admin_page_shows_them(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    html = client.get("/admin/").content.decode()
    assert kpi(html, "booked") == "6"
    assert kpi(html, "completed") == "1"
    assert kpi(html, "cancelled") == "1"
    assert kpi(html, "no-show-rate") == "50% (1 no-show)"
    assert kpi(html, "utilisation") == "0% (75 of 15600 min)"
    assert kpi(html, "new-patients") == "3"
    assert kpi(html, "portal-adoption") == "50% (2 of 4 patients)"
    assert kpi(html, "symptom-checks") == "2"
    assert kpi(html, "agreement") == "50% (1 of 2 confirmed)"
    assert kpi(html, "review") == "2"
    assert "mallory@example.org" in html
    # Every chart is an SVG in the page, labelled, with a text alternative and no inline style.
    for chart_id in (
        "appointments-per-day",
        "no-shows-by-weekday",
        "utilisation-by-provider",
        "top-conditions",
        "triage",
    ):
        svg = re.search(rf'<svg id="chart-{chart_id}".*?</svg>', html, re.S).group(0)
        assert 'role="img"' in svg and f'aria-labelledby="chart-{chart_id}-title chart-{chart_id}-desc"' in svg
        assert f'<title id="chart-{chart_id}-title">' in svg and "<desc" in svg
        assert "style=" not in svg and "<script" not in svg
    assert "style=" not in html.split('id="content-main"')[1].split('id="content-related"')[0]
    assert "Migraine (G43.9)" in html


def test_a_date_range_narrows_the_numbers(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    html = client.get("/admin/", {"start": "2026-03-04", "end": "2026-03-04"}).content.decode()
    assert kpi(html, "booked") == "4"  # today: two checked in, one booked, one cancelled
    assert kpi(html, "completed") == "0"
    assert kpi(html, "no-show-rate").startswith("—")
    assert kpi(html, "utilisation") == "6% (45 of 720 min)"
    assert kpi(html, "symptom-checks") == "0"
    assert kpi(html, "agreement") == "100% (1 of 1 confirmed)"


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-03-05", "end": "2026-03-01"},
        {"start": "2024-01-01", "end": "2026-03-04"},
        {"start": "yesterday"},
    ],
)
def test_a_bad_range_falls_back_to_the_last_30_days_with_an_error(client, clinic, clinic_admin, query):
    client.force_login(clinic_admin)
    response = client.get("/admin/", query)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert kpi(html, "booked") == "6"


def test_an_empty_clinic_shows_zeros_and_no_rates(client, frozen, clinic_admin):
    numbers = kpis.clinic_kpis(first=FIRST, last=LAST)
    assert (numbers.booked, numbers.completed, numbers.cancelled, numbers.new_patients) == (0, 0, 0, 0)
    assert numbers.no_show_rate is None and numbers.utilisation_share is None
    assert numbers.portal_adoption is None and numbers.agreement_share is None
    assert numbers.top_conditions == [] and numbers.review_count == 0
    client.force_login(clinic_admin)
    html = client.get("/admin/").content.decode()
    assert kpi(html, "booked") == "0"
    assert kpi(html, "no-show-rate") == "— (0 no-shows)"
    assert kpi(html, "utilisation") == "— (0 of 0 min)"
    assert kpi(html, "portal-adoption") == "— (0 of 0 patients)"
    assert "No data in this range." in html


def test_availability_follows_wall_clock_time_across_daylight_saving():
    rules = [(1, 6, dt.time(9), dt.time(17), None, None)]  # Sundays 09:00-17:00
    # Sunday 29 March 2026: clocks go forward at 01:00, the rule still means 8 hours.
    minutes = kpis.available_minutes(rules=rules, time_off=[], first=dt.date(2026, 3, 29), last=dt.date(2026, 3, 29))
    assert minutes == {1: 480}


def test_availability_merges_overlapping_rules_and_subtracts_time_off():
    utc = dt.UTC
    rules = [
        (1, 0, dt.time(9), dt.time(13), None, None),
        (1, 0, dt.time(12), dt.time(17), None, None),
        (1, 0, dt.time(9), dt.time(17), dt.date(2026, 3, 10), None),  # not valid yet
    ]
    time_off = [
        (1, dt.datetime(2026, 3, 2, 8, tzinfo=utc), dt.datetime(2026, 3, 2, 10, tzinfo=utc)),
        (1, dt.datetime(2026, 3, 2, 9, 30, tzinfo=utc), dt.datetime(2026, 3, 2, 11, tzinfo=utc)),
    ]
    minutes = kpis.available_minutes(
        rules=rules, time_off=time_off, first=dt.date(2026, 3, 2), last=dt.date(2026, 3, 2)
    )
    assert minutes == {1: 8 * 60 - 2 * 60}


def test_charts_escape_labels_and_describe_the_data():
    chart = bar_chart(chart_id="c1", title="Top", value_label="n", data=[("<b>x</b>", 3), ("y", 1)], horizontal=True)
    assert "<b>x</b>" not in chart.svg and "&lt;b&gt;x&lt;/b&gt;" in chart.svg
    assert "highest 3 (<b>x</b>)" in chart.description  # escaped when rendered
    assert chart.rows == [("<b>x</b>", "3"), ("y", "1")]
    line = line_chart(chart_id="c2", title="Per day", value_label="n", data=[("1 Mar", 0), ("2 Mar", 5)])
    assert "<polyline" in line.svg and 'role="img"' in line.svg
    assert line_chart(chart_id="c3", title="Empty", value_label="n", data=[]).is_empty


def test_the_offset_segments_end_at_each_daylight_saving_change():
    from zoneinfo import ZoneInfo

    from clinic.dashboard.sql import offset_segments

    utc = dt.UTC
    segments = offset_segments(
        dt.datetime(2026, 3, 1, tzinfo=utc), dt.datetime(2026, 11, 1, tzinfo=utc), ZoneInfo("Europe/London")
    )
    assert segments == [
        (dt.datetime(2026, 3, 29, 1, 0, tzinfo=utc), 0),
        (dt.datetime(2026, 10, 25, 1, 0, tzinfo=utc), 60),
        (None, 0),
    ]


def test_appointments_count_on_their_local_day_across_daylight_saving(frozen):
    from appointments.tests.factories import AppointmentFactory

    utc = dt.UTC
    # 23:30 UTC on Sunday 29 March is 00:30 on Monday 30 March in London (summer time);
    # 23:30 UTC on Saturday 28 March is still Saturday (winter time).
    AppointmentFactory(start=dt.datetime(2026, 3, 29, 23, 30, tzinfo=utc), status="completed")
    AppointmentFactory(start=dt.datetime(2026, 3, 28, 23, 30, tzinfo=utc), status="no_show")
    numbers = kpis.clinic_kpis(first=dt.date(2026, 3, 27), last=dt.date(2026, 3, 31))
    per_day = dict(numbers.per_day)
    assert per_day[dt.date(2026, 3, 30)] == 1 and per_day[dt.date(2026, 3, 28)] == 1
    assert per_day[dt.date(2026, 3, 29)] == 0
    assert numbers.no_shows_by_weekday[5] == 1  # Saturday
    assert numbers.booked_minutes == 30


def test_the_agreement_totals_match_the_checker_agreement_selector(clinic):
    from diagnosis.selectors import checker_agreement

    start, end = kpis.range_bounds(FIRST, LAST)
    months = checker_agreement(start=start, end=end)
    numbers = kpis.clinic_kpis(first=FIRST, last=LAST)
    assert numbers.agreement_confirmed == sum(row["confirmed"] for row in months) == 2
    assert numbers.agreement_in_top3 == sum(row["in_top3"] for row in months) == 1
