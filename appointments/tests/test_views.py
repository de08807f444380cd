from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from appointments.models import Appointment, WaitlistEntry
from appointments.services import appointment_book
from appointments.tests.conftest import at
from appointments.tests.factories import AppointmentFactory, AppointmentTypeFactory, ProviderFactory, weekday_rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(frozen, patient, provider, gp_visit):
    return appointment_book(
        patient=patient, provider=provider, start=at(4, 10), appointment_type=gp_visit, booked_by=patient.user
    )


PAGES = ["appointments:detail", "appointments:cancel", "appointments:reschedule", "appointments:calendar"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, booked, name):
    response = client.get(reverse(name, args=[booked.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


@pytest.mark.parametrize("name", PAGES)
def test_the_owner_sees_their_appointment_pages(client, booked, name):
    client.force_login(booked.patient.user)
    assert client.get(reverse(name, args=[booked.pk])).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_another_patient_gets_404(client, booked, other_patient, name):
    client.force_login(other_patient.user)
    assert client.get(reverse(name, args=[booked.pk])).status_code == 404


def test_another_patient_cannot_cancel_by_post(client, booked, other_patient):
    client.force_login(other_patient.user)
    response = client.post(reverse("appointments:cancel", args=[booked.pk]), {"reason": "x"})
    assert response.status_code == 404
    booked.refresh_from_db()
    assert booked.status == "booked"


def test_a_login_without_a_patient_record_gets_404(client, booked, receptionist):
    client.force_login(receptionist)
    assert client.get(reverse("appointments:list")).status_code == 404
    assert client.get(reverse("appointments:detail", args=[booked.pk])).status_code == 404


@pytest.mark.parametrize(
    ("name", "args"), [("appointments:list", []), ("appointments:calendar", ["pk"]), ("appointments:book", [])]
)
def test_wrong_method_is_405(client, booked, name, args):
    client.force_login(booked.patient.user)
    response = client.post(reverse(name, args=[booked.pk] if args else []))
    assert response.status_code == 405


def test_leaving_the_waitlist_needs_post(client, patient, gp_visit, frozen):
    entry = WaitlistEntry.objects.create(
        patient=patient,
        appointment_type=gp_visit,
        specialty="general_practice",
        earliest_date=at(2, 0).date(),
        latest_date=at(9, 0).date(),
    )
    client.force_login(patient.user)
    assert client.get(reverse("appointments:waitlist_leave", args=[entry.pk])).status_code == 405


def test_the_list_shows_upcoming_and_past_in_a_fixed_number_of_queries(
    client, frozen, patient, provider, gp_visit, django_assert_num_queries
):
    for day in (3, 4, 5):
        AppointmentFactory(patient=patient, provider=provider, appointment_type=gp_visit, start=at(day, 10))
    for day in (1, 2):
        AppointmentFactory(
            patient=patient, provider=provider, appointment_type=gp_visit, start=at(day, 9, month=2), status="completed"
        )
    AppointmentFactory(
        patient=patient, provider=provider, appointment_type=gp_visit, start=at(6, 10), status="cancelled"
    )
    client.force_login(patient.user)
    # session, user, the user's groups (roles), the patient, appointments with provider/type/location,
    # open waitlist entries.
    with django_assert_num_queries(6):
        response = client.get(reverse("appointments:list"))
    assert response.status_code == 200
    upcoming, past = response.context["upcoming"], response.context["past"]
    assert [a.start for a in upcoming] == [at(3, 10), at(4, 10), at(5, 10)]
    assert len(past) == 3
    assert "Cancelled" in response.content.decode()


def test_list_lines_link_and_label_each_appointment_as_its_own_pages_do(client, frozen, patient, provider, gp_visit):
    from django.utils import dateformat, timezone

    made = [
        AppointmentFactory(patient=patient, provider=provider, appointment_type=gp_visit, start=start)
        for start in (at(3, 7, 5), at(12, 9, 5))
    ]
    made.append(
        AppointmentFactory(
            patient=patient, provider=provider, appointment_type=gp_visit, start=at(1, 14, month=2), status="no_show"
        )
    )
    client.force_login(patient.user)
    response = client.get(reverse("appointments:list"))
    body = response.content.decode()
    lines = response.context["upcoming"] + response.context["past"]
    assert len(lines) == 3
    for line, upcoming in zip(lines, [True, True, False], strict=True):
        appointment = next(a for a in made if a.pk == line.pk)
        when = dateformat.format(timezone.localtime(appointment.start), "D j M Y, H:i" if upcoming else "j M Y, H:i")
        assert (line.url, line.when, line.clinician, line.type_name, line.status_label) == (
            appointment.get_absolute_url(),
            when,
            provider.display_name,
            gp_visit.name,
            appointment.get_status_display(),
        )
        assert f'<a href="{line.url}">{when}</a>' in body
    assert [line.can_change for line in response.context["upcoming"]] == [False, True]  # the cut-off is 24 hours


def test_the_list_shows_the_open_waitlist_entries(client, frozen, patient, other_patient, provider, gp_visit):
    from appointments.tests.factories import WaitlistEntryFactory

    WaitlistEntryFactory(patient=patient, appointment_type=gp_visit, provider=provider, earliest_date=at(3, 0).date())
    WaitlistEntryFactory(patient=patient, appointment_type=gp_visit, latest_date=at(20, 0).date())
    WaitlistEntryFactory(patient=patient, appointment_type=gp_visit, status="expired")
    WaitlistEntryFactory(patient=other_patient, appointment_type=gp_visit, provider=provider)
    client.force_login(patient.user)
    body = client.get(reverse("appointments:list")).content.decode()
    waitlist = body.split('id="waitlist"', 1)[1].split("</ul>", 1)[0]
    assert waitlist.count("<li") == 2
    assert "GP appointment · Grace Hopper · 3 Mar – " in waitlist
    assert "GP appointment · General practice · 2 Mar – 20 Mar 2026" in waitlist


def test_when_writes_what_the_date_filter_writes(settings):
    from django.utils import dateformat, timezone

    from appointments.views import _day_heading, _when

    moment = at(1, 0, month=1)
    while moment < at(1, 0, month=1, year=2027):  # every hour of the day, weekday and month, both DST changes
        local = timezone.localtime(moment)
        assert _when(moment) == dateformat.format(local, "D j M Y, H:i")
        assert _when(moment, weekday=False) == dateformat.format(local, "j M Y, H:i")
        assert _when(moment, year=False) == dateformat.format(local, "D j M, H:i")
        assert _day_heading(local.date()) == dateformat.format(local.date(), "l j F")
        moment += dt.timedelta(hours=37, minutes=13)


def test_booking_flow_from_search_to_confirmation(client, frozen, patient, provider, gp_visit):
    client.force_login(patient.user)
    response = client.get(reverse("appointments:book"), {"specialty": "general_practice"})
    assert response.status_code == 200
    assert response.context["kind"] == gp_visit  # the only type is preselected
    days = response.context["week_days"]
    assert days[0][1][0].start == at(2, 10)
    confirm_url = reverse("appointments:book_confirm")
    query = {"provider": provider.pk, "appointment_type": gp_visit.pk, "start": int(at(2, 10).timestamp())}
    assert client.get(confirm_url, query).status_code == 200
    response = client.post(confirm_url, {**query, "reason": "Sore throat"})
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response.url == appointment.get_absolute_url()
    assert (appointment.patient, appointment.start, appointment.reason) == (patient, at(2, 10), "Sore throat")


def _slot_hrefs(body: str, list_id: str | None = None) -> list[str]:
    if list_id:
        body = body.split(f'id="{list_id}"', 1)[1].split("</ul>", 1)[0]
    return [html.unescape(href) for href in re.findall(r'<a class="btn btn-sm [^"]*slot" href="([^"]+)"', body)]


def test_every_slot_link_books_the_time_it_shows(client, frozen, patient, provider, gp_visit):
    other = ProviderFactory(user__first_name="Ann", user__last_name="Other")
    weekday_rules(other)
    client.force_login(patient.user)
    response = client.get(
        reverse("appointments:book"), {"specialty": "general_practice", "reason": "Sore throat & cough"}
    )
    body = response.content.decode()
    shown = [slot for _day, slots in response.context["week_days"] for slot in slots]
    hrefs = _slot_hrefs(body.split('id="slots"', 1)[1])
    assert len(hrefs) == len(shown) > 0
    for slot, href in zip(shown, hrefs, strict=True):
        query = parse_qs(urlsplit(href).query)
        assert query["provider"] == [str(slot.provider.pk)]
        assert query["start"] == [str(int(slot.start.timestamp()))]
        assert query["appointment_type"] == [str(gp_visit.pk)]
        assert query["reason"] == ["Sore throat & cough"]
    # "Any clinician": each time once, labelled with the clinician who is free then.
    assert len({slot.start for slot in shown}) == len(shown)
    assert f"10:00 · {shown[0].provider.display_name}</a>" in body
    next_hrefs = _slot_hrefs(body, "next-available")
    assert [parse_qs(urlsplit(href).query)["start"] for href in next_hrefs] == [
        [str(int(slot.start.timestamp()))] for slot in response.context["next_slots"]
    ]
    assert client.get(hrefs[0]).status_code == 200


def test_slot_links_escape_the_reason_and_the_clinician_name(client, frozen, patient, provider, gp_visit):
    provider.user.first_name = '<img src=x onerror="alert(1)">'
    provider.user.save()
    other = ProviderFactory()
    weekday_rules(other)
    client.force_login(patient.user)
    reason = '"><script>alert(1)</script>'
    response = client.get(reverse("appointments:book"), {"specialty": "general_practice", "reason": reason})
    body = response.content.decode()
    assert "<script>alert(1)" not in body and "<img src=x" not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body
    assert all(parse_qs(urlsplit(href).query)["reason"] == [reason] for href in _slot_hrefs(body))


def test_the_search_form_keeps_the_specialty_and_the_reason(client, frozen, patient, provider, gp_visit):
    from clinic.specialties import SPECIALTIES

    client.force_login(patient.user)
    reason = 'Rash "on arm" <b>'
    response = client.get(reverse("appointments:book"), {"specialty": "general_practice", "reason": reason})
    body = response.content.decode()
    options = re.findall(r'<option value="([a-z_]+)"( selected)?>', body.split('id="id_specialty"', 1)[1])
    assert [code for code, _selected in options[: len(SPECIALTIES)]] == list(SPECIALTIES)
    assert [code for code, selected in options if selected] == ["general_practice"]
    assert 'value="Rash &quot;on arm&quot; &lt;b&gt;" maxlength="500"' in body


def test_the_provider_list_marks_the_chosen_clinician_and_lists_only_their_times(
    client, frozen, patient, provider, gp_visit
):
    other = ProviderFactory(user__first_name="Ann", user__last_name="O'Neil & Co")
    weekday_rules(other)
    client.force_login(patient.user)
    response = client.get(reverse("appointments:book"), {"specialty": "general_practice", "provider": other.pk})
    body = response.content.decode()
    assert f'<option value="{other.pk}" selected>Ann O&#x27;Neil &amp; Co</option>' in body
    assert f'<option value="{provider.pk}">{provider.display_name}</option>' in body
    shown = {slot.provider.pk for _day, slots in response.context["week_days"] for slot in slots}
    assert shown == {other.pk}
    # Not one of this specialty's clinicians: "any clinician", nothing selected.
    response = client.get(reverse("appointments:book"), {"specialty": "general_practice", "provider": 10**6})
    assert " selected>" not in response.content.decode().split('id="id_provider"', 1)[1].split("</select>", 1)[0]
    assert response.context["chosen_provider"] is None


def test_a_taken_slot_gets_a_form_error_and_the_next_free_times(
    client, frozen, patient, other_patient, provider, gp_visit
):
    appointment_book(
        patient=other_patient,
        provider=provider,
        start=at(2, 10),
        appointment_type=gp_visit,
        booked_by=other_patient.user,
    )
    client.force_login(patient.user)
    query = {"provider": provider.pk, "appointment_type": gp_visit.pk, "start": int(at(2, 10).timestamp())}
    response = client.post(reverse("appointments:book_confirm"), query)
    assert response.status_code == 409
    assert "That time was just taken" in response.content.decode()
    assert response.context["alternatives"][0] == at(2, 10, 15)
    assert Appointment.objects.count() == 1


def test_the_symptom_checker_link_falls_back_to_general_practice(client, frozen, patient, provider, gp_visit):
    client.force_login(patient.user)
    response = client.get(reverse("appointments:book"), {"specialty": "neurology", "reason": "Headaches"})
    assert response.status_code == 200
    assert response.context["specialty"] == "general_practice"
    assert response.context["fell_back"] is True
    body = response.content.decode()
    assert "No Neurology specialist works at this clinic" in body
    assert "Headaches" in body


def test_the_symptom_checker_link_to_an_offered_specialty(client, frozen, patient, provider, gp_visit):
    cardiologist = ProviderFactory(specialty="cardiology")
    weekday_rules(cardiologist)
    echo = AppointmentTypeFactory(name="Cardiology consultation", specialty="cardiology", duration_minutes=30)
    client.force_login(patient.user)
    response = client.get(reverse("appointments:book"), {"specialty": "cardiology"})
    assert response.context["specialty"] == "cardiology" and not response.context["fell_back"]
    assert response.context["kind"] == echo
    assert {s.provider.pk for _day, slots in response.context["week_days"] for s in slots} == {cardiologist.pk}


def test_an_unknown_specialty_code_is_ignored(client, frozen, patient, provider, gp_visit):
    client.force_login(patient.user)
    response = client.get(reverse("appointments:book"), {"specialty": "<script>"})
    assert response.status_code == 200
    assert response.context["specialty"] == "general_practice"


def test_weeks_can_be_browsed(client, frozen, patient, provider, gp_visit):
    client.force_login(patient.user)
    response = client.get(
        reverse("appointments:book"),
        {"specialty": "general_practice", "appointment_type": gp_visit.pk, "week": "2026-03-16"},
    )
    assert response.context["week_days"][0][0].isoformat() == "2026-03-16"
    assert response.context["prev_week_query"] and response.context["next_week_query"]


def test_cancel_from_the_portal(client, booked):
    client.force_login(booked.patient.user)
    response = client.post(reverse("appointments:cancel", args=[booked.pk]), {"reason": "Away"})
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == "cancelled" and booked.cancelled_by == booked.patient.user


def test_cancel_after_the_cutoff_is_refused_with_a_message(client, frozen, patient, provider, gp_visit):
    soon = appointment_book(
        patient=patient, provider=provider, start=at(2, 15), appointment_type=gp_visit, booked_by=patient.user
    )
    client.force_login(patient.user)
    response = client.post(reverse("appointments:cancel", args=[soon.pk]), {})
    assert response.status_code == 400
    assert "24 hours" in response.content.decode()
    soon.refresh_from_db()
    assert soon.status == "booked"


def test_reschedule_from_the_portal(client, booked):
    client.force_login(booked.patient.user)
    page = client.get(reverse("appointments:reschedule", args=[booked.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("appointments:reschedule", args=[booked.pk]), {"new_start": int(at(5, 11).timestamp())}
    )
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.start == at(5, 11)


def test_the_calendar_file(client, booked):
    client.force_login(booked.patient.user)
    response = client.get(reverse("appointments:calendar", args=[booked.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == at(4, 10)
    assert event.decoded("dtend") == at(4, 10, 15)
    assert "Grace Hopper" in str(event.get("summary"))


def test_joining_and_leaving_the_waitlist(client, frozen, patient, provider, gp_visit):
    client.force_login(patient.user)
    url = reverse("appointments:waitlist_join") + "?specialty=general_practice"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "specialty": "general_practice",
            "appointment_type": gp_visit.pk,
            "provider": "",
            "earliest_date": "2026-03-03",
            "latest_date": "2026-03-10",
        },
    )
    assert response.status_code == 302
    entry = WaitlistEntry.objects.get()
    assert (entry.patient, entry.specialty, entry.status) == (patient, "general_practice", "waiting")
    client.post(reverse("appointments:waitlist_leave", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == "cancelled"
    assert not mail.outbox


def test_next_available_spans_providers_and_weeks(client, frozen, patient, provider, other_provider, gp_visit):
    from appointments.tests.factories import TimeOffFactory

    # Both GPs are away this week: the next available times are next Monday's, from both.
    for gp in (provider, other_provider):
        TimeOffFactory(provider=gp, start=at(2, 0), end=at(9, 0))
    client.force_login(patient.user)
    response = client.get(reverse("appointments:book"), {"specialty": "general_practice"})
    next_slots = response.context["next_slots"]
    starts = [s.start for s in next_slots]
    assert starts[0] == at(9, 9) and starts == sorted(set(starts))  # each time once, earliest first
    assert {s.provider.pk for s in next_slots} == {provider.pk, other_provider.pk}  # offered in turn
    assert response.context["week_days"] == []
    assert "No free times this week" in response.content.decode()
