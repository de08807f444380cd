from __future__ import annotations

import pytest
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


# Behind a proxy (at 10.0.0.1): it appends the address it was connected from to X-Forwarded-For.
PROXY = "10.0.0.1"


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def through_proxy(forwarded: str):
    return request_from(PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def test_behind_a_proxy_clients_are_counted_apart(one_proxy):
    assert client_key(through_proxy("198.51.100.1")) == "198.51.100.1"
    assert client_key(through_proxy("198.51.100.2")) == "198.51.100.2"


def test_behind_a_proxy_the_entries_a_client_writes_itself_are_ignored(one_proxy):
    # The client sent "X-Forwarded-For: 192.0.2.99"; the proxy appended the real address.
    assert client_key(through_proxy("192.0.2.99, 198.51.100.1")) == "198.51.100.1"
    assert client_key(through_proxy("192.0.2.98,192.0.2.99,198.51.100.1")) == "198.51.100.1"


def test_behind_two_proxies_the_client_is_the_second_entry_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # The client wrote 192.0.2.99, the load balancer appended the client, nginx the load balancer.
    assert client_key(through_proxy("192.0.2.99, 198.51.100.1, 10.0.0.2")) == "198.51.100.1"


def test_behind_a_proxy_an_ipv6_client_is_counted_by_its_64_network(one_proxy):
    assert client_key(through_proxy("2001:db8:1:2::1")) == client_key(through_proxy("2001:db8:1:2:ffff::9"))
    assert client_key(through_proxy("2001:db8:1:2::1")) != client_key(through_proxy("2001:db8:1:3::1"))
    assert client_key(through_proxy("192.0.2.99, 2001:db8:1:2::1")) == "2001:db8:1:2::/64"


@pytest.mark.parametrize("forwarded", [None, "", "  ", "unknown", "198.51.100.1:443", "198.51.100.1, garbage", ","])
def test_behind_a_proxy_a_missing_or_unreadable_header_falls_back_to_the_peer(one_proxy, forwarded):
    assert client_key(through_proxy("198.51.100.1")) == "198.51.100.1"  # a readable header is read
    request = request_from(PROXY) if forwarded is None else through_proxy(forwarded)
    assert client_key(request) == PROXY


def test_behind_two_proxies_a_header_with_one_entry_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_key(through_proxy("198.51.100.1, 10.0.0.2")) == "198.51.100.1"
    assert client_key(through_proxy("198.51.100.1")) == PROXY


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
