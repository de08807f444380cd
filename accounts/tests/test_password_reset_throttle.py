"""Password-reset requests are rate-limited (clinic.throttle): over a limit the page answers
as always, but no e-mail is sent."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.urls import reverse

from records.tests.factories import registration_form

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:password_reset")


def request_reset(client, email: str, ip: str = "10.0.0.1"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=ip)


def answer(response) -> tuple:
    return response.status_code, response.get("Location"), response.content


@pytest.fixture
def limits(settings):
    settings.EMAIL_RATE_PER_CLIENT = 3
    settings.EMAIL_RATE_PER_ADDRESS = 2
    return settings


def test_under_the_limit_each_request_sends(client, limits, patient_user):
    request_reset(client, patient_user.email)
    request_reset(client, patient_user.email)
    assert [m.to for m in mail.outbox] == [[patient_user.email]] * 2


def test_over_the_address_limit_nothing_is_sent_and_the_answer_is_the_same(client, limits, patient_user):
    first = request_reset(client, patient_user.email, ip="10.0.0.1")
    request_reset(client, patient_user.email.upper(), ip="10.0.0.2")
    over = request_reset(client, patient_user.email, ip="10.0.0.3")
    unknown = request_reset(client, "nobody@example.org", ip="10.0.0.4")
    assert answer(over) == answer(first) == answer(unknown)
    assert answer(over)[:2] == (302, reverse("accounts:password_reset_done"))
    assert len(mail.outbox) == 2


def test_over_the_limit_nothing_is_written(client, limits, patient_user, django_assert_num_queries):
    request_reset(client, patient_user.email)
    request_reset(client, patient_user.email)
    # Not one query: no user is looked up, nothing is written.
    with django_assert_num_queries(0):
        over = request_reset(client, patient_user.email)
    assert over.status_code == 302
    assert len(mail.outbox) == 2


def test_over_the_client_limit_nothing_is_sent(client, limits, patient_user, other_patient_user):
    request_reset(client, "nobody@example.org")
    request_reset(client, "nobody.else@example.org")
    request_reset(client, patient_user.email)
    request_reset(client, other_patient_user.email)
    assert [m.to for m in mail.outbox] == [[patient_user.email]]


def test_the_limit_ends_with_the_hour(client, limits, patient_user, time_machine):
    time_machine.move_to("2030-01-07 09:00Z", tick=False)
    for _ in range(3):
        request_reset(client, patient_user.email)
    assert len(mail.outbox) == 2
    time_machine.move_to("2030-01-07 10:00:01Z", tick=False)
    request_reset(client, patient_user.email)
    assert len(mail.outbox) == 3


def test_addresses_are_counted_apart(client, limits, patient_user, other_patient_user):
    for ip, user in [("10.0.0.1", patient_user), ("10.0.0.2", other_patient_user)] * 2:
        request_reset(client, user.email, ip=ip)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([patient_user.email, other_patient_user.email] * 2)


def test_registration_and_reset_share_the_address_limit(client, limits, patient_user):
    register = registration_form(email=patient_user.email)
    client.post(reverse("records:register"), register, REMOTE_ADDR="10.0.0.1")
    client.post(reverse("records:register"), register, REMOTE_ADDR="10.0.0.2")
    request_reset(client, patient_user.email, ip="10.0.0.3")
    # The registrations' e-mails wait for a commit that never comes here; the reset sent none.
    assert mail.outbox == []


def test_a_refusal_is_logged_without_the_address(client, limits, patient_user, caplog):
    request_reset(client, patient_user.email, ip="10.0.0.1")
    request_reset(client, patient_user.email, ip="10.0.0.2")
    with caplog.at_level(logging.WARNING, logger="clinic.throttle"):
        request_reset(client, patient_user.email, ip="10.0.0.3")
    [record] = [r for r in caplog.records if r.name == "clinic.throttle"]
    line = record.getMessage()
    assert record.levelno == logging.WARNING and "form=password_reset limit=address" in line
    for personal in ("alice", "example.org", "10.0.0"):
        assert personal not in line.lower()


# Behind the clinic's reverse proxy (two instances), which appends the client to X-Forwarded-For.
PROXIES = ("10.0.0.1", "10.0.0.2")


def reset_through_proxy(client, email: str, forwarded: str, proxy: str = PROXIES[0]):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded)


@pytest.fixture
def one_proxy(limits):
    limits.TRUSTED_PROXY_COUNT = 1
    return limits


def test_by_default_x_forwarded_for_does_not_give_a_new_client_limit(client, limits, patient_user):
    for n in range(3):
        reset_through_proxy(client, f"nobody{n}@example.org", forwarded=f"192.0.2.{n}")
    reset_through_proxy(client, patient_user.email, forwarded="192.0.2.200")
    assert mail.outbox == []


def test_behind_a_proxy_each_client_has_its_own_limit(client, one_proxy, patient_user, other_patient_user):
    for n in range(3):
        reset_through_proxy(client, f"nobody{n}@example.org", forwarded="198.51.100.1")
    reset_through_proxy(client, patient_user.email, forwarded="198.51.100.1")
    reset_through_proxy(client, other_patient_user.email, forwarded="198.51.100.2")
    assert [m.to for m in mail.outbox] == [[other_patient_user.email]]


def test_behind_a_proxy_a_forged_left_most_entry_gives_no_new_limit(client, one_proxy, patient_user):
    for n in range(3):
        reset_through_proxy(client, f"nobody{n}@example.org", f"192.0.2.{n}, 198.51.100.1", proxy=PROXIES[n % 2])
    reset_through_proxy(client, patient_user.email, "192.0.2.200, 198.51.100.1", proxy=PROXIES[1])
    assert mail.outbox == []


def test_behind_a_proxy_an_ipv6_client_is_limited_by_its_64_network(client, one_proxy, patient_user):
    for n in range(3):
        reset_through_proxy(client, f"nobody{n}@example.org", forwarded=f"2001:db8:1:2::{n + 1}")
    reset_through_proxy(client, patient_user.email, forwarded="2001:db8:1:2:ffff::9")
    assert mail.outbox == []
    reset_through_proxy(client, patient_user.email, forwarded="2001:db8:1:3::1")
    assert [m.to for m in mail.outbox] == [[patient_user.email]]


def test_behind_a_proxy_an_unreadable_header_counts_under_the_proxy(client, one_proxy, patient_user):
    for n, forwarded in enumerate(["unknown", "", "198.51.100.1:443"]):
        reset_through_proxy(client, f"nobody{n}@example.org", forwarded=forwarded)
    reset_through_proxy(client, patient_user.email, forwarded="garbage")
    assert mail.outbox == []
    reset_through_proxy(client, patient_user.email, forwarded="198.51.100.1")
    assert [m.to for m in mail.outbox] == [[patient_user.email]]
