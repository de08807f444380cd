"""The dashboard's review lists are read with plain SQL: they must hold exactly the rows the ORM
definitions give (emergency_accesses_for_review, axes' AccessAttempt at the lockout limit), over
the clinic's local days, however far the clinic's zone is from UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse

from accounts import roles
from accounts.tests.factories import StaffFactory
from clinic.dashboard import kpis
from records.selectors import emergency_accesses_for_review
from records.tests.factories import EmergencyAccessFactory, PatientFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")  # UTC+1 in March: local midnight is 23:00 UTC the day before
FIRST, LAST = dt.date(2026, 3, 2), dt.date(2026, 3, 3)


@pytest.fixture
def berlin(settings):
    settings.CLINIC_TIME_ZONE = "Europe/Berlin"
    settings.TIME_ZONE = "Europe/Berlin"
    settings.AXES_FAILURE_LIMIT = 5


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, second, tzinfo=BERLIN)


def lockout(username: str, when: dt.datetime, failures: int) -> None:
    attempt = AccessAttempt.objects.create(
        username=username,
        ip_address="203.0.113.9",
        user_agent=username,
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/accounts/login/",
        failures_since_start=failures,
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=when)  # auto_now_add on create


def test_the_review_lists_are_the_rows_the_orm_selects(berlin, doctor):
    nameless = StaffFactory(email="locum@example.org", first_name="", last_name="", roles=[roles.DOCTOR])
    patient = PatientFactory()
    inside = [local(2, 0, 0)] + [local(2, 9, minute) for minute in range(11)] + [local(3, 23, 59, 59)]
    for when in inside:
        EmergencyAccessFactory(staff=doctor, patient=patient, granted_at=when)
    EmergencyAccessFactory(staff=nameless, patient=patient, granted_at=local(3, 12))
    for when in (local(1, 23, 59, 59), local(4, 0, 0)):  # a second outside either end of the local days
        EmergencyAccessFactory(staff=doctor, patient=patient, granted_at=when)
    lockout("mallory@example.org", local(3, 8), failures=5)
    lockout("eve@example.org", local(2, 0, 0), failures=7)
    lockout("trudy@example.org", local(3, 9), failures=4)  # under the limit: not locked out
    lockout("oscar@example.org", local(4, 0, 0), failures=9)  # the day after the range

    review = kpis.review_events(first=FIRST, last=LAST)

    start, end = kpis.range_bounds(FIRST, LAST)
    assert (start, end) == (dt.datetime(2026, 3, 1, 23, tzinfo=dt.UTC), dt.datetime(2026, 3, 3, 23, tzinfo=dt.UTC))
    grants = emergency_accesses_for_review(since=start).filter(granted_at__lt=end)
    assert review.break_glass_count == grants.count() == len(inside) + 1 == 14
    assert review.break_glass == [
        {
            "pk": grant.pk,
            "granted_at": grant.granted_at,
            "staff_name": grant.staff.get_full_name() or grant.staff.email,
            "patient_id": grant.patient_id,
            "patient_mrn": grant.patient.mrn,
        }
        for grant in grants[: kpis.REVIEW_LIMIT]
    ]
    assert review.break_glass[0]["granted_at"] == local(3, 23, 59, 59)
    assert review.break_glass[1]["staff_name"] == "locum@example.org"
    assert review.break_glass[2]["staff_name"] == doctor.get_full_name()

    attempts = AccessAttempt.objects.filter(failures_since_start__gte=5, attempt_time__gte=start, attempt_time__lt=end)
    assert review.lockout_count == attempts.count() == 2
    assert review.lockouts == [
        {
            "attempt_time": attempt.attempt_time,
            "username": attempt.username,
            "ip_address": attempt.ip_address,
            "failures_since_start": attempt.failures_since_start,
        }
        for attempt in attempts.order_by("-attempt_time")
    ]
    assert [a["username"] for a in review.lockouts] == ["mallory@example.org", "eve@example.org"]


def test_an_empty_range_has_no_review_events(berlin, doctor):
    EmergencyAccessFactory(staff=doctor, granted_at=local(1, 12))
    review = kpis.review_events(first=FIRST, last=LAST)
    assert (review.break_glass, review.break_glass_count, review.lockouts, review.lockout_count) == ([], 0, [], 0)


def test_the_review_tables_show_who_opened_which_record_escaped(berlin, client, clinic_admin):
    staff = StaffFactory(email="x@example.org", first_name="<b>Mal</b>", last_name="Ory", roles=[roles.DOCTOR])
    grant = EmergencyAccessFactory(staff=staff, patient=PatientFactory(mrn="MRN-0042"), granted_at=local(2, 9, 30))
    lockout("<i>eve</i>@example.org", local(3, 8, 15), failures=6)
    # Five minutes after the lockout: axes deletes attempts older than its cool-off.
    with time_machine.travel(local(3, 8, 20), tick=False):
        client.force_login(clinic_admin)
        html = client.get("/admin/", {"start": "2026-03-02", "end": "2026-03-03"}).content.decode()
    review = html.split('id="panel-admin-review"')[1]
    change = reverse("admin:records_emergencyaccess_change", args=[grant.pk])
    assert f'<a href="{change}">2 Mar 09:30</a></td><td>&lt;b&gt;Mal&lt;/b&gt; Ory</td><td>MRN-0042</td>' in review
    assert "<td>3 Mar 08:15</td><td>&lt;i&gt;eve&lt;/i&gt;@example.org</td><td>203.0.113.9</td><td>6</td>" in review
