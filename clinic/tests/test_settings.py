"""Settings are read in a fresh interpreter, as a deployment would read them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


# Variables a deployment would not have: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for
# Playwright's event loop, and the real check --deploy rightly refuses it.
_NOT_INHERITED = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "clinic.settings"
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120
    )


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED - {"DATABASE_URL"}}
    clean.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=60
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7Lq2vR9mN4pT8wK3sY6zB1cF5hJ0gD2aE9uI7oP4lM8nQ3-rW5tV",
    "ALLOWED_HOSTS": "clinic.example.org",
}


def test_production_refuses_to_start_without_a_secret_key():
    result = _python("import clinic.settings", {"DEBUG": "false", "ALLOWED_HOSTS": "clinic.example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_bad_value_names_the_variable():
    result = _python("import clinic.settings", {"CONN_MAX_AGE": "forever"})
    assert result.returncode != 0
    assert "CONN_MAX_AGE" in result.stderr


def test_check_deploy_is_clean_with_the_three_production_variables():
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_turns_on_the_secure_defaults():
    code = (
        "import clinic.settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)"
    )
    result = _python(code, PRODUCTION)
    assert result.stdout.split() == ["True", "True", "True", "True"], result.stderr


def test_ssl_redirect_can_be_turned_off_behind_a_proxy():
    code = "import clinic.settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER)"
    result = _python(code, {**PRODUCTION, "SECURE_SSL_REDIRECT": "false", "SECURE_PROXY_SSL_HEADER": "true"})
    assert result.stdout.strip() == "False ('HTTP_X_FORWARDED_PROTO', 'https')", result.stderr


@pytest.mark.parametrize(("age", "expected"), [("0", "False"), ("60", "True")])
def test_connection_health_checks_follow_conn_max_age(age, expected):
    code = "import clinic.settings as s; print(s.DATABASES['default']['CONN_HEALTH_CHECKS'])"
    assert _python(code, {"CONN_MAX_AGE": age}).stdout.strip() == expected


def test_mysql_connections_use_utf8mb4_and_strict_mode():
    code = "import clinic.settings as s; o = s.DATABASES['default']['OPTIONS']; print(o['charset'], o['init_command'])"
    result = _python(code, {"DATABASE_URL": "mysql://root@127.0.0.1:3306/clinic"})
    assert "utf8mb4" in result.stdout
    assert "STRICT_TRANS_TABLES" in result.stdout


def test_dates_read_british_with_or_without_translations(settings):
    import datetime as dt

    from django.utils import formats

    for use_i18n in (False, True):
        settings.USE_I18N = use_i18n
        assert formats.date_format(dt.date(2026, 3, 4)) == "4 Mar 2026"
        assert formats.date_format(dt.date(2026, 3, 4), "SHORT_DATE_FORMAT") == "04/03/2026"


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_a_bad_trusted_proxy_count_names_the_variable(value):
    result = _python("import clinic.settings", {"TRUSTED_PROXY_COUNT": value})
    assert result.returncode != 0
    assert "Invalid value for environment variable TRUSTED_PROXY_COUNT" in result.stderr


def test_the_trusted_proxy_count_is_read_from_the_environment():
    code = "import clinic.settings as s; print(s.TRUSTED_PROXY_COUNT, s.AXES_CLIENT_IP_CALLABLE)"
    assert _python(code, {"TRUSTED_PROXY_COUNT": "2"}).stdout.split() == ["2", "accounts.security.client_ip"]
