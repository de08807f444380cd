"""The client's address (accounts.security.client_ip) behind reverse proxies: the lock-out, the
security history and the sessions read the same address, from X-Forwarded-For only as far as
TRUSTED_PROXY_COUNT says it was written by our own proxies."""

from __future__ import annotations

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.test import Client, RequestFactory

from accounts.models import SecurityEvent, UserSession
from accounts.security import client_ip
from clinic.throttle import client_key

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
# Two instances of the clinic's reverse proxy; each appends the address it was connected from.
PROXY = "10.0.0.1"
OTHER_PROXY = "10.0.0.2"
CLIENT = "198.51.100.1"
OTHER_CLIENT = "198.51.100.2"


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def attempt(client: Client, email: str, password: str, *, forwarded: str | None = None, proxy: str = PROXY):
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=proxy, **headers)


def fail_five_times(client: Client, email: str, **where) -> None:
    for _ in range(5):
        attempt(client, email, "wrong-password-123", **where)


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": CLIENT}, PROXY),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": CLIENT}, CLIENT),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"192.0.2.99, {CLIENT}"}, CLIENT),
        (2, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"192.0.2.99, {CLIENT}, {OTHER_PROXY}"}, CLIENT),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "nonsense"}, PROXY),
    ],
)
def test_axes_the_throttle_and_the_security_history_read_one_address(settings, proxies, meta, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post(LOGIN, **meta)
    assert settings.AXES_CLIENT_IP_CALLABLE == "accounts.security.client_ip"
    assert client_ip(request) == get_client_ip_address(request) == client_key(request) == expected


def test_by_default_x_forwarded_for_does_not_dodge_the_lock(patient_user, password):
    client = Client()
    for n in range(5):
        attempt(client, patient_user.email, "wrong-password-123", forwarded=f"192.0.2.{n}")
    assert attempt(client, patient_user.email, password, forwarded="192.0.2.200").status_code == 429


def test_behind_a_proxy_clients_are_locked_out_apart(one_proxy, patient_user, password):
    fail_five_times(Client(), patient_user.email, forwarded=CLIENT)
    assert attempt(Client(), patient_user.email, password, forwarded=CLIENT).status_code == 429
    assert attempt(Client(), patient_user.email, password, forwarded=OTHER_CLIENT).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT}


def test_behind_a_proxy_a_forged_left_most_entry_does_not_dodge_the_lock(one_proxy, patient_user, password):
    # The client writes a new address each time and comes in through either proxy instance;
    # the entry the proxy appends is still its own address.
    client = Client()
    for n in range(5):
        proxy = (PROXY, OTHER_PROXY)[n % 2]
        attempt(client, patient_user.email, "wrong-password-123", forwarded=f"192.0.2.{n}, {CLIENT}", proxy=proxy)
    response = attempt(client, patient_user.email, password, forwarded=f"{OTHER_CLIENT}, {CLIENT}", proxy=OTHER_PROXY)
    assert response.status_code == 429


def test_behind_a_proxy_an_ipv6_client_is_locked_out_by_its_address(one_proxy, patient_user, password):
    fail_five_times(Client(), patient_user.email, forwarded="2001:db8:1:2::1")
    assert attempt(Client(), patient_user.email, password, forwarded="2001:db8:1:2::1").status_code == 429
    assert attempt(Client(), patient_user.email, password, forwarded="2001:db8:1:3::1").status_code == 302


def test_behind_a_proxy_an_unreadable_header_counts_under_the_proxy(one_proxy, patient_user, password):
    fail_five_times(Client(), patient_user.email, forwarded="unknown")
    assert attempt(Client(), patient_user.email, password).status_code == 429  # no header at all
    assert attempt(Client(), patient_user.email, password, forwarded=CLIENT).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}


def test_behind_a_proxy_the_security_history_and_sessions_hold_the_client(one_proxy, patient_user, password):
    client = Client()
    attempt(client, patient_user.email, "wrong-password-123", forwarded=f"192.0.2.99, {CLIENT}")
    assert attempt(client, patient_user.email, password, forwarded=f"192.0.2.99, {CLIENT}").status_code == 302
    events = SecurityEvent.objects.filter(user=patient_user)
    assert sorted(events.values_list("kind", "ip_address")) == sorted(
        [(SecurityEvent.Kind.LOGIN_FAILED, CLIENT), (SecurityEvent.Kind.LOGIN, CLIENT)]
    )
    assert list(UserSession.objects.filter(user=patient_user).values_list("ip_address", flat=True)) == [CLIENT]


def test_by_default_the_security_history_holds_the_peer(patient_user, password):
    attempt(Client(), patient_user.email, password, forwarded=CLIENT)
    assert list(SecurityEvent.objects.filter(user=patient_user).values_list("ip_address", flat=True)) == [PROXY]
    assert list(UserSession.objects.filter(user=patient_user).values_list("ip_address", flat=True)) == [PROXY]
