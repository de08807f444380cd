from __future__ import annotations

from django.test import RequestFactory

from clinic.throttle import HOUR, Limit, client_key, email_key


def request_from(ip: str, **meta):
    return RequestFactory().post("/", REMOTE_ADDR=ip, **meta)


def test_an_ipv6_client_is_counted_by_its_64_network():
    assert client_key(request_from("2001:db8:1:2::1")) == client_key(request_from("2001:db8:1:2:ffff::9"))
    assert client_key(request_from("2001:db8:1:2::1")) != client_key(request_from("2001:db8:1:3::1"))


def test_an_ipv4_client_is_counted_by_its_address_even_mapped_into_ipv6():
    assert client_key(request_from("::ffff:192.0.2.7")) == client_key(request_from("192.0.2.7")) == "192.0.2.7"
    assert client_key(request_from("192.0.2.7")) != client_key(request_from("192.0.2.8"))


def test_forwarded_headers_are_not_trusted():
    assert client_key(request_from("192.0.2.7", HTTP_X_FORWARDED_FOR="198.51.100.1")) == "192.0.2.7"


def test_an_unreadable_address_is_one_client():
    assert client_key(request_from("")) == client_key(request_from("not-an-ip")) == "unknown"


def test_an_address_is_one_key_whatever_its_case():
    assert email_key(" Alice@Example.ORG ") == email_key("alice@example.org")


def test_a_limit_counts_per_key_within_its_window(time_machine):
    time_machine.move_to("2030-01-07 09:00Z", tick=False)
    limit = Limit("test", 2, HOUR)
    assert [limit.hit("a"), limit.hit("a"), limit.hit("a"), limit.hit("b")] == [True, True, False, True]
    time_machine.move_to("2030-01-07 10:00:01Z", tick=False)
    assert limit.hit("a")
