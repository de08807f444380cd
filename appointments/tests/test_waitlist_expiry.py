"""Waiting-list entries end when their dates pass or an offer lapses unanswered, and are never
offered again (``expire_waitlist``, and the offer selection even before it runs)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from appointments.models import WaitlistEntry
from appointments.services import (
    appointment_book,
    waitlist_accept,
    waitlist_expire,
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
