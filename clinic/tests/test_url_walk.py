"""Every URL pattern, walked from the resolver, is closed to those who may not use it.

No list of pages to keep up to date: a new view is covered the moment it is routed. The only
list is PUBLIC, the views that may answer without a login; adding to it is a security decision.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from accounts.middleware import OTP_EXEMPT_VIEWS

pytestmark = pytest.mark.django_db

# Views that answer anonymous users on purpose (marked @login_not_required).
PUBLIC = frozenset(
    {
        "home",
        "healthz",
        "accounts:login",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "records:register",
        "records:register_done",
        # Signed, expiring links sent by e-mail: the token is the credential.
        "records:verify",
        "records:invitation",
        "appointments:reminder_link",
        "appointments:waitlist_offer",
    }
)

LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
DUMMY_BY_CONVERTER = {"int": "1", "str": "x", "slug": "x", "path": "1", "uuid": str(uuid.UUID(int=1))}
ROUTE_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def _route_to_path(route: str) -> str:
    route = ROUTE_PARAM.sub(lambda m: DUMMY_BY_CONVERTER.get(m["converter"] or "str", "x"), route)
    route = REGEX_GROUP.sub(lambda m: "accounts" if m["name"] == "app_label" else "x", route)
    return "/" + route.replace("^", "").replace("$", "").replace("\\", "")


def walk(patterns=None, prefix: str = "", namespace: str | None = None):
    """Yield (path with dummy arguments, view name or None, callback) for every URL pattern."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield _route_to_path(prefix + str(pattern.pattern)), name, pattern.callback


def all_urls() -> list[tuple[str, str | None]]:
    urls = []
    for path, name, _callback in walk():
        resolve(path)  # the dummy arguments must make a real URL
        urls.append((path, name))
    return urls


def is_public(name: str | None) -> bool:
    return name in PUBLIC


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.split("?")[0] in LOGIN_PATHS


def test_the_walk_covers_every_app_and_the_admin():
    names = {name for _path, name in all_urls() if name}
    assert {"home", "accounts:account", "admin:index", "admin:accounts_user_changelist"} <= names
    assert len(all_urls()) > 50


def test_only_the_allowlisted_views_are_exempt_from_login():
    exempt = {name or path for path, name, callback in walk() if getattr(callback, "login_required", True) is False}
    assert exempt == set(PUBLIC) & exempt, f"public views not in the allowlist: {sorted(exempt - PUBLIC)}"


def test_anonymous_users_are_refused_everywhere_but_public_pages():
    client = Client()
    failures = []
    for path, name in all_urls():
        if is_public(name):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if not (is_login_redirect(response) or response.status_code in (403, 404, 405)):
                failures.append((method, path, name, response.status_code, response.get("Location")))
    assert failures == []


def test_public_pages_do_not_fail(db):
    client = Client()
    for path, name in all_urls():
        if is_public(name):
            assert client.get(path).status_code != 500, path


def test_a_patient_opens_no_staff_page(client, patient_user, patient):
    client.force_login(patient_user)
    failures = []
    for path, name in all_urls():
        if path.startswith("/admin/") or (name or "").startswith("admin:"):
            response = client.get(path)
            if response.status_code == 200:
                failures.append((path, name))
            assert response.status_code != 500, path
    assert failures == []


def test_a_patient_gets_no_server_error_anywhere(client, patient_user, patient):
    # 503 is a deliberate answer (e.g. no symptom-checker model trained yet); 500 is a bug.
    client.force_login(patient_user)
    for path, _name in all_urls():
        assert client.get(path).status_code != 500, path


def test_staff_without_their_second_factor_reach_nothing_but_the_otp_pages(doctor, receptionist):
    for person in (doctor, receptionist):
        client = Client()  # a plain client: force_login here does not verify the OTP
        client.force_login(person)
        opened = []
        for path, name in all_urls():
            if name in OTP_EXEMPT_VIEWS:
                continue
            response = client.get(path)
            if response.status_code == 200:
                opened.append((path, name))
        assert opened == [], person


def test_no_view_accepts_a_post_without_the_csrf_token(patient_user, patient):
    anonymous = Client(enforce_csrf_checks=True)
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(patient_user)
    accepted = []
    for path, name in all_urls():
        for client in (anonymous, signed_in):
            if client.post(path).status_code != 403:
                accepted.append((path, name))
    assert accepted == []


@pytest.mark.parametrize("persona", ["doctor", "nurse", "receptionist", "clinic_admin"])
def test_staff_open_no_admin_page_their_role_has_no_permission_for(client, persona, request):
    """Every registered ModelAdmin, every staff role: no permission, no page (whatever the
    ModelAdmin overrides)."""
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    user = request.getfixturevalue(persona)
    client.force_login(user)
    opened = []
    for model in admin.site._registry:
        opts = model._meta
        label = f"{opts.app_label}.%s_{opts.model_name}"
        may_view = user.has_perm(label % "view") or user.has_perm(label % "change")
        if not may_view:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            if client.get(url).status_code == 200:
                opened.append(url)
        if not user.has_perm(label % "add"):
            try:
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            except NoReverseMatch:  # a ModelAdmin may have no add view
                continue
            if client.get(url).status_code == 200:
                opened.append(url)
    assert opened == []
