"""What the dashboard keeps between views and what it reads on every view: the clinic admin's
counted figures are rendered once per count and shown to every clinic admin, the review lists
are always fresh and exactly counted, the app list is kept per permission set (a permission
change shows at once), and the utilisation chart shows the busiest providers with a link to all."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts import roles
from accounts.tests.factories import StaffFactory
from appointments.models import Appointment
from appointments.tests.factories import AppointmentFactory, ProviderFactory, weekday_rules
from clinic.dashboard import kpis
from clinic.tests.dashboard_fixtures import at
from clinic.tests.test_dashboard_kpis import kpi
from records.tests.factories import EmergencyAccessFactory, PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("london")]


def figures(html: str) -> dict[str, str]:
    return {name: kpi(html, name) for name in ("booked", "completed", "no-show-rate", "utilisation", "new-patients")}


def test_another_clinic_admin_is_shown_the_same_figures_without_a_recount(
    client, clinic, clinic_admin, cached, django_assert_num_queries
):
    client.force_login(clinic_admin)
    first = client.get("/admin/").content.decode()
    client.force_login(StaffFactory(email="deputy@example.org", roles=[roles.CLINIC_ADMIN]))
    # session, user, OTP device, permissions with roles; break-the-glass and lockout lists (fresh);
    # the audit row of the patients the break-the-glass list names.
    with django_assert_num_queries(4 + 2 + 1):
        second = client.get("/admin/").content.decode()
    assert figures(second) == figures(first)
    assert "boss@example.org" not in second


def test_the_review_counts_are_exact_beyond_the_ten_listed(client, clinic, clinic_admin, doctor):
    for minute in range(12):
        EmergencyAccessFactory(staff=doctor, granted_at=at(2, 10, minute))
    client.force_login(clinic_admin)
    html = client.get("/admin/").content.decode()
    review = html.split('id="panel-admin-review"')[1]
    assert "13 break-the-glass openings" in review and "1 account lockout" in review
    grants = review.split("</table>")[0]
    assert grants.count(reverse("admin:records_emergencyaccess_changelist")) == kpis.REVIEW_LIMIT
    assert kpi(html, "review") == "14"
    numbers = kpis.review_events(first=dt.date(2026, 2, 3), last=dt.date(2026, 3, 4))
    assert (numbers.break_glass_count, len(numbers.break_glass), numbers.lockout_count) == (13, 10, 1)
    empty = kpis.review_events(first=dt.date(2025, 1, 1), last=dt.date(2025, 1, 2))
    assert (empty.break_glass, empty.break_glass_count, empty.lockouts, empty.lockout_count) == ([], 0, [], 0)


def apps_of(index: str) -> str:
    return index.split('id="content-related"')[1]


def test_a_permission_change_shows_in_the_app_list_at_once(client, clinic, receptionist):
    client.force_login(receptionist)
    waitlist = reverse("admin:appointments_waitlistentry_changelist")
    assert waitlist in apps_of(client.get("/admin/").content.decode())
    Group.objects.get(name=roles.RECEPTIONIST).permissions.filter(codename__endswith="_waitlistentry").delete()
    client.force_login(receptionist)  # a fresh user object: Django caches permissions per instance
    assert waitlist not in apps_of(client.get("/admin/").content.decode())
    # ... and on the other admin pages' navigation too (the same kept app list).
    page = client.get(reverse("admin:appointments_appointment_changelist")).content.decode()
    assert waitlist not in page


def test_roles_do_not_share_an_app_list(client, clinic, clinic_admin, receptionist):
    client.force_login(clinic_admin)
    notes = reverse("admin:records_clinicalnote_changelist")
    assert notes in apps_of(client.get("/admin/").content.decode())
    client.force_login(receptionist)
    assert notes not in apps_of(client.get("/admin/").content.decode())


def busy_providers(count: int) -> list:
    """``count`` more providers on weekday hours, the n-th with n + 1 booked visits in the range."""
    providers = []
    for n in range(count):
        provider = ProviderFactory(user=StaffFactory(first_name=f"Doc{n:02d}", last_name="<b>Bold</b>"))
        weekday_rules(provider)
        patient = PatientFactory()
        for visit in range(n + 1):
            AppointmentFactory(
                provider=provider,
                patient=patient,
                start=at(2, 9) + dt.timedelta(minutes=15 * visit),
                status=Appointment.Status.COMPLETED,
            )
        providers.append(provider)
    return providers


def test_the_utilisation_chart_shows_the_busiest_providers_and_links_to_all(client, clinic, clinic_admin):
    busy_providers(kpis.UTILISATION_CHART_LIMIT + 1)  # 13 providers with hours in all
    client.force_login(clinic_admin)
    html = client.get("/admin/").content.decode()
    chart = re.search(r'<svg id="chart-utilisation-by-provider".*?</svg>', html, re.S).group(0)
    assert chart.count('class="dash-bar"') == kpis.UTILISATION_CHART_LIMIT
    assert "the 10 busiest of 13" in chart
    assert "Doc10" in chart and "Doc00" not in chart  # the fewest visits are left out
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt;" in html
    link = reverse("admin:dashboard_utilisation") + "?start=2026-02-03&amp;end=2026-03-04"
    assert f'<a href="{link}">Utilisation of all 13 providers</a>' in html

    page = client.get(reverse("admin:dashboard_utilisation"), {"start": "2026-02-03", "end": "2026-03-04"})
    assert page.status_code == 200
    table = page.content.decode().split('id="utilisation-table"')[1].split("</table>")[0]
    assert table.count('<th scope="row">') == 13
    assert "Doc00 &lt;b&gt;Bold&lt;/b&gt;" in table and "<b>Bold</b>" not in table
    assert table.index("Doc10") < table.index("Doc00")  # busiest first


def test_a_small_clinic_has_no_link_to_all_providers(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    html = client.get("/admin/").content.decode()
    assert 'id="utilisation-all"' not in html
    chart = re.search(r'<svg id="chart-utilisation-by-provider".*?</svg>', html, re.S).group(0)
    assert chart.count('class="dash-bar"') == 2 and "busiest" not in chart


@pytest.mark.parametrize("persona", ["doctor", "nurse", "receptionist"])
def test_only_clinic_admins_see_every_providers_utilisation(client, request, clinic, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("admin:dashboard_utilisation")).status_code == 403


def test_the_date_inputs_keep_what_was_asked_and_point_to_their_error(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    html = client.get("/admin/", {"start": '"><script>x</script>', "end": "2026-03-04"}).content.decode()
    assert "<script>x</script>" not in html
    assert (
        '<input type="date" name="start" id="id_start" value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;" '
        'aria-invalid="true" aria-describedby="id_start_error">' in html
    )
    assert '<span class="errorlist" id="id_start_error">' in html
    assert '<input type="date" name="end" id="id_end" value="2026-03-04">' in html
