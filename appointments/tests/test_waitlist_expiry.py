"""Waiting-list entries end when their dates pass or an offer lapses unanswered, and are never
offered again (``expire_waitlist``, and the offer selection even before it runs)."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from appointments import emails
from appointments.models import WaitlistEntry
from appointments.services import (
    WaitlistExpiryNotices,
    appointment_book,
    waitlist_accept,
    waitlist_expire,
    waitlist_expiry_notify,
    waitlist_offer_candidates,
    waitlist_offer_slot,
)
from appointments.tests.conftest import at
from appointments.tests.factories import WaitlistEntryFactory
from records.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


def entry(kind, *, first=TODAY, last=dt.date(2026, 3, 6), **fields):
    return WaitlistEntryFactory(appointment_type=kind, earliest_date=first, latest_date=last, **fields)


def offered(kind, provider, *, hours_ago: float, start=None, **fields):
    """An entry holding an offer of ``start`` made ``hours_ago`` (the offer lasts 12 hours)."""
    fields.setdefault("status", WaitlistEntry.Status.OFFERED)
    return entry(
        kind,
        offered_at=timezone.now() - dt.timedelta(hours=hours_ago),
        offered_start=start or at(4, 10),
        offered_provider=provider,
        **fields,
    )


def statuses(*entries) -> list[str]:
    return [WaitlistEntry.objects.get(pk=e.pk).status for e in entries]


def test_entries_whose_dates_have_passed_expire(frozen, gp_visit, provider, capsys):
    over = entry(gp_visit, first=dt.date(2026, 2, 20), last=dt.date(2026, 3, 1))
    over_with_offer = offered(gp_visit, provider, hours_ago=1, first=dt.date(2026, 2, 20), last=dt.date(2026, 3, 1))
    ends_today = entry(gp_visit, last=TODAY)
    later = entry(gp_visit)
    call_command("expire_waitlist")
    assert statuses(over, over_with_offer, ends_today, later) == ["expired", "expired", "waiting", "waiting"]
    out = capsys.readouterr().out
    assert "2 entry(ies) past their dates expired." in out
    assert "Waiting list: expired 2 entry(ies)." in out


def test_the_last_day_is_the_clinic_s_day_not_utc(frozen, gp_visit, settings):
    ends_monday = entry(gp_visit, first=dt.date(2026, 2, 27), last=TODAY)
    frozen.move_to(at(2, 20))  # Monday 20:00 in London and UTC: still the entry's last day
    assert waitlist_expire().window_passed == 0
    settings.CLINIC_TIME_ZONE = "Pacific/Auckland"  # there it is Tuesday 09:00 already
    assert waitlist_expire().window_passed == 1
    assert statuses(ends_monday) == ["expired"]


def test_an_offer_left_unanswered_while_the_slot_stayed_free_expires(frozen, gp_visit, provider, capsys):
    lapsed = offered(gp_visit, provider, hours_ago=12)
    live = offered(gp_visit, provider, hours_ago=11)
    call_command("expire_waitlist")
    assert statuses(lapsed, live) == ["expired", "offered"]
    assert "1 entry(ies) with an unanswered offer expired." in capsys.readouterr().out


def test_a_lapsed_offer_of_a_slot_someone_else_took_goes_back_to_waiting(frozen, gp_visit, provider, capsys):
    lapsed = offered(gp_visit, provider, hours_ago=13, start=at(4, 10))
    appointment_book(
        patient=PatientFactory(), provider=provider, start=at(4, 10), appointment_type=gp_visit, booked_by=provider.user
    )
    result = waitlist_expire()
    assert (result.offers_lapsed, result.offers_withdrawn) == (0, 1)
    lapsed.refresh_from_db()
    assert lapsed.status == "waiting"
    assert (lapsed.offered_at, lapsed.offered_start, lapsed.offered_provider) == (None, None, None)


def test_it_is_idempotent(frozen, gp_visit, provider, capsys):
    entry(gp_visit, first=dt.date(2026, 2, 20), last=dt.date(2026, 3, 1))
    offered(gp_visit, provider, hours_ago=20)
    call_command("expire_waitlist")
    capsys.readouterr()
    call_command("expire_waitlist")
    out = capsys.readouterr().out
    assert "0 entry(ies) past their dates expired." in out
    assert "Waiting list: expired 0 entry(ies)." in out
    assert list(WaitlistEntry.objects.values_list("status", flat=True)) == ["expired", "expired"]


def test_dry_run_counts_and_changes_nothing(frozen, gp_visit, provider, capsys):
    over = entry(gp_visit, first=dt.date(2026, 2, 20), last=dt.date(2026, 3, 1))
    lapsed = offered(gp_visit, provider, hours_ago=13)
    call_command("expire_waitlist", "--dry-run")
    out = capsys.readouterr().out
    assert "1 entry(ies) past their dates would be expired." in out
    assert "1 entry(ies) with an unanswered offer would be expired." in out
    assert "Waiting list: would expire 2 entry(ies)." in out
    assert statuses(over, lapsed) == ["waiting", "offered"]


def test_closed_entries_are_left_alone(frozen, gp_visit, provider):
    booked = entry(gp_visit, first=dt.date(2026, 2, 20), last=dt.date(2026, 3, 1), status="booked")
    left = offered(gp_visit, provider, hours_ago=20, status="cancelled")
    assert waitlist_expire() == waitlist_expire(dry_run=True)
    assert statuses(booked, left) == ["booked", "cancelled"]


def test_an_expired_entry_is_never_offered_again(frozen, gp_visit, provider, django_capture_on_commit_callbacks):
    lapsed = offered(gp_visit, provider, hours_ago=13, start=at(4, 11))
    waitlist_expire()
    with django_capture_on_commit_callbacks(execute=True):
        assert waitlist_offer_slot(provider_id=provider.pk, start=at(4, 10)) == []
    assert mail.outbox == []
    with pytest.raises(ValidationError) as excinfo:
        waitlist_accept(entry=lapsed, provider=provider, start=at(4, 10))
    assert excinfo.value.code == "closed"


def test_the_offer_selection_skips_lapsed_offers_before_the_command_runs(
    frozen, gp_visit, provider, django_capture_on_commit_callbacks
):
    lapsed = offered(gp_visit, provider, hours_ago=12, start=at(4, 11))  # joined first
    frozen.shift(dt.timedelta(minutes=1))
    live = offered(gp_visit, provider, hours_ago=1, start=at(4, 11))
    waiting = entry(gp_visit)
    day = dt.date(2026, 3, 4)
    assert list(waitlist_offer_candidates(provider=provider, day=day, now=timezone.now())) == [live, waiting]
    with django_capture_on_commit_callbacks(execute=True):
        chosen = waitlist_offer_slot(provider_id=provider.pk, start=at(4, 10))
    assert chosen == [live, waiting]
    assert lapsed.patient.email not in [m.to[0] for m in mail.outbox]
    assert statuses(lapsed) == ["offered"]  # the command, not the selection, marks it expired


def test_the_offer_selection_skips_entries_whose_dates_are_over(frozen, gp_visit, provider):
    # A day that is already over can only come up for a slot in the past; nothing is offered.
    over = entry(gp_visit, first=dt.date(2026, 2, 20), last=dt.date(2026, 3, 1))
    now = timezone.now()
    assert list(waitlist_offer_candidates(provider=provider, day=dt.date(2026, 3, 1), now=now)) == []
    frozen.move_to(at(7, 8))  # the entry's last day (6 March) has passed; the command has not run
    current = entry(gp_visit, first=dt.date(2026, 3, 2), last=dt.date(2026, 3, 6))
    assert list(waitlist_offer_candidates(provider=provider, day=dt.date(2026, 3, 6), now=timezone.now())) == []
    assert statuses(over, current) == ["waiting", "waiting"]


def test_booking_an_offered_slot_withdraws_the_other_offers_of_it(
    frozen, gp_visit, provider, django_capture_on_commit_callbacks
):
    first, second = entry(gp_visit), entry(gp_visit)
    with django_capture_on_commit_callbacks(execute=True):
        waitlist_offer_slot(provider_id=provider.pk, start=at(4, 10))
    assert statuses(first, second) == ["offered", "offered"]
    other_slot = offered(gp_visit, provider, hours_ago=1, start=at(4, 11))
    waitlist_accept(entry=first, provider=provider, start=at(4, 10))
    assert statuses(first, second, other_slot) == ["booked", "waiting", "offered"]
    # Even twelve hours later the second patient has not "left an offer unanswered".
    frozen.shift(dt.timedelta(hours=13))
    waitlist_expire()
    assert statuses(second) == ["waiting"]


def test_the_offer_e_mail_says_when_the_place_ends(frozen, gp_visit, provider, django_capture_on_commit_callbacks):
    entry(gp_visit)
    with django_capture_on_commit_callbacks(execute=True):
        waitlist_offer_slot(provider_id=provider.pk, start=at(4, 10))
    [offer] = mail.outbox
    assert "within 12 hours, your place on the waiting list ends" in offer.body
    assert "do nothing" not in offer.body


# The patient's e-mail when their place ends ------------------------------------------------

REASON = "Chest pain since Tuesday"


def html_of(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def past(kind, **fields):
    """An entry whose last wanted day (1 March) is over on Monday 2 March."""
    return entry(kind, first=dt.date(2026, 2, 20), last=dt.date(2026, 3, 1), **fields)


def assert_names_no_request_detail(message) -> None:
    for text in (message.subject, message.body, html_of(message)):
        assert "Chest pain" not in text
        assert "GP appointment" not in text  # the type, like the specialty, can reveal the reason
        assert "eneral practice" not in text and "general_practice" not in text


def test_a_patient_whose_dates_passed_is_told_which_place_ended_why_and_how_to_come_back(
    frozen, gp_visit, provider, capsys
):
    over = past(gp_visit, provider=provider, reason=REASON)
    call_command("expire_waitlist")
    [message] = mail.outbox
    assert message.to == [over.patient.email]
    assert message.subject == "Your place on the waiting list has ended"
    for text in (message.body, html_of(message)):
        assert "between 20 February 2026 and 1 March 2026 (joined on 2 March 2026) has ended" in text
        assert "Grace Hopper" in text  # the provider asked for, as the offer e-mail names them
        assert "The last day you asked for has passed." in text
        assert "not taken up" not in text
        assert "https://clinic.example/appointments/book/" in text
        assert "https://clinic.example/appointments/waitlist/join/" in text
    assert '<a href="https://clinic.example/appointments/book/">' in html_of(message)
    assert_names_no_request_detail(message)
    assert "1 expiry e-mail(s) sent." in capsys.readouterr().out


def test_a_patient_who_left_an_offer_unanswered_is_told_so(frozen, gp_visit, provider):
    offered(gp_visit, provider, hours_ago=13, start=at(4, 10), reason=REASON)
    call_command("expire_waitlist")
    [message] = mail.outbox
    for text in (message.body, html_of(message)):
        assert "We offered you an appointment on Wednesday 4 March 2026 at 10:00 (with Grace Hopper)." in text
        assert "not taken up within 12 hours while the time stayed free" in text
        assert "last day you asked for" not in text
    assert_names_no_request_detail(message)


def test_the_html_e_mail_escapes_names(frozen, gp_visit, provider):
    provider.user.first_name, provider.user.last_name = "<b>Grace", "Hopper</b>"
    provider.user.save()
    past(gp_visit, provider=provider)
    call_command("expire_waitlist")
    [message] = mail.outbox
    assert "&lt;b&gt;Grace Hopper&lt;/b&gt;" in html_of(message)
    assert "<b>Grace" not in html_of(message)
    assert "<b>Grace Hopper</b>" in message.body  # plain text is not HTML


def test_each_expired_entry_gets_one_e_mail_and_nothing_else_does(frozen, gp_visit, provider, capsys):
    over = past(gp_visit)
    lapsed = offered(gp_visit, provider, hours_ago=13, start=at(4, 11))
    taken = offered(gp_visit, provider, hours_ago=13, start=at(4, 10))  # goes back to waiting
    live = offered(gp_visit, provider, hours_ago=1, start=at(4, 12))
    waiting = entry(gp_visit)
    appointment_book(
        patient=PatientFactory(), provider=provider, start=at(4, 10), appointment_type=gp_visit, booked_by=provider.user
    )
    mail.outbox.clear()  # the booking's own confirmation
    call_command("expire_waitlist")
    assert statuses(over, lapsed, taken, live, waiting) == ["expired", "expired", "waiting", "offered", "waiting"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([over.patient.email, lapsed.patient.email])
    assert "2 expiry e-mail(s) sent." in capsys.readouterr().out


def test_a_dry_run_and_a_second_run_send_nothing(frozen, gp_visit, provider, capsys):
    past(gp_visit)
    offered(gp_visit, provider, hours_ago=13)
    call_command("expire_waitlist", "--dry-run")
    assert mail.outbox == []
    assert "e-mail" not in capsys.readouterr().out
    call_command("expire_waitlist")
    assert len(mail.outbox) == 2
    capsys.readouterr()
    call_command("expire_waitlist")
    assert len(mail.outbox) == 2
    assert "0 expiry e-mail(s) sent." in capsys.readouterr().out


def test_a_patient_without_an_e_mail_address_is_expired_but_not_mailed(frozen, gp_visit, capsys):
    over = past(gp_visit, patient=PatientFactory(email=""))
    call_command("expire_waitlist")
    assert statuses(over) == ["expired"]
    assert mail.outbox == []
    out = capsys.readouterr().out
    assert "0 expiry e-mail(s) sent." in out and "could not be sent" not in out


def test_the_service_alone_sends_nothing_until_told_to(frozen, gp_visit):
    past(gp_visit)
    result = waitlist_expire()
    assert mail.outbox == []
    assert waitlist_expiry_notify(expiry=result) == WaitlistExpiryNotices(sent=1, failed=0)
    assert len(mail.outbox) == 1


def test_a_failing_mail_server_neither_stops_the_run_nor_undoes_the_expiry_and_logs_no_personal_data(
    frozen, gp_visit, monkeypatch, caplog, capsys
):
    refused = past(gp_visit, reason=REASON, patient=PatientFactory(given_name="Alice", family_name="Archer"))
    delivered = past(gp_visit)
    real_send = emails.EmailMultiAlternatives.send

    def send(message, *args, **kwargs):
        if message.to == [refused.patient.email]:
            raise smtplib.SMTPRecipientsRefused({refused.patient.email: (550, b"No such user: Alice Archer")})
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(emails.EmailMultiAlternatives, "send", send)
    with caplog.at_level(logging.ERROR):
        call_command("expire_waitlist")
    assert statuses(refused, delivered) == ["expired", "expired"]
    assert [m.to for m in mail.outbox] == [[delivered.patient.email]]
    out = capsys.readouterr().out
    assert "1 expiry e-mail(s) sent." in out
    assert "1 expiry e-mail(s) could not be sent" in out
    [record] = [r for r in caplog.records if r.name == "appointments.services.waitlist" and r.levelno == logging.ERROR]
    logged = record.getMessage()
    assert f"waitlist entry {refused.pk}" in logged and "SMTPRecipientsRefused" in logged
    assert record.exc_info is None  # a traceback would quote the refused address
    for secret in (refused.patient.email, "Alice", "Archer", "Chest pain"):
        assert secret not in caplog.text
    call_command("expire_waitlist")  # the expiry stands: no retry, no second e-mail
    assert len(mail.outbox) == 1
