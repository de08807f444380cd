"""Database loss: a 503 with Retry-After (not a 500), nothing half-written, recovery on return.

The in-process tests pin down the middleware; the served tests run the real app under gunicorn
in a subprocess: on SQLite the database file is made unreadable, on MariaDB the request's
connection is killed with KILL CONNECTION in the middle of a write.
"""

from __future__ import annotations

import http.client
import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from accounts import roles
from accounts.tests.factories import UserFactory
from clinic.middleware import database_unavailable_response

SERVER_START_SECONDS = 60
SECRET_KEY = "database-loss-test-key-" + "x" * 40


# --- In-process: the middleware itself ----------------------------------------------------


@login_not_required
def _write_two_rows_then_lose_the_database(request):
    with transaction.atomic():
        Group.objects.create(name="half-1")
        raise OperationalError("server has gone away")


@login_not_required
def _integrity_error(request):
    raise IntegrityError("duplicate key")


urlpatterns = [
    path("lost", _write_two_rows_then_lose_the_database),
    path("integrity", _integrity_error),
    path("ok", login_not_required(lambda request: HttpResponse("ok"))),
]


@pytest.fixture
def close_connections():
    """The in-process tests share the test's own connection (and its transaction): record the
    close instead of doing it. The served tests below close for real."""
    with mock.patch("clinic.middleware._close_broken_connections") as close:
        yield close


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_view_that_loses_the_database_answers_503_and_writes_nothing(client, caplog, close_connections):
    caplog.set_level(logging.WARNING)
    response = client.get("/lost")
    close_connections.assert_called_once()
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]
    assert settings.CLINIC_NAME in response.content.decode()
    assert not Group.objects.filter(name="half-1").exists()
    messages = [record.getMessage() for record in caplog.records]
    assert any("database unavailable" in message for message in messages)
    assert not any("/lost" in message for message in messages)


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_an_integrity_error_is_not_mistaken_for_an_outage():
    response = Client(raise_request_exception=False).get("/integrity")
    assert response.status_code == 500


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_session_middleware_that_loses_the_database_answers_503(caplog, patient_user, close_connections):
    caplog.set_level(logging.WARNING)
    client = Client(raise_request_exception=False)
    client.force_login(patient_user)
    with mock.patch.object(SessionStore, "load", side_effect=OperationalError("gone")):
        response = client.get("/ok")
    assert response.status_code == 503
    close_connections.assert_called_once()
    assert response["Retry-After"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    messages = [record.getMessage() for record in caplog.records]
    assert any("database unavailable" in message for message in messages)
    assert not any("Internal Server Error" in message for message in messages)
    assert client.get("/ok").status_code == 200


def test_the_503_page_is_rendered_without_the_database(django_assert_num_queries, settings):
    settings.CLINIC_NAME = "Hilltop <Health>"
    settings.DATABASE_UNAVAILABLE_RETRY_AFTER = 12
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor", side_effect=AssertionError):
        response = database_unavailable_response()
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "12"
    assert "Hilltop &lt;Health&gt;" in body
    assert "12 seconds" in body
    assert "<script" not in body
    assert "style=" not in body


# --- Served by gunicorn in a subprocess --------------------------------------------------


def _request(port: int, method: str, url: str, *, cookie: str = "", body: str = "") -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, url, body=body or None, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


@contextmanager
def _served(env: dict[str, str], log_path: Path, *, drop_file_privileges: bool = False) -> Iterator[int]:
    """gunicorn with one sync worker on a socket this process bound to a free loopback port."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    command = [
        sys.executable, "-m", "gunicorn", "--bind", f"fd://{listener.fileno()}",
        "--workers", "1", "--timeout", "60", "--no-control-socket", "clinic.wsgi:application",
    ]  # fmt: skip
    if drop_file_privileges:
        # root reads files whatever their mode; without these capabilities it obeys chmod 000.
        command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *command]
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "clinic.tests.serve_settings",
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        **env,
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argument list
            command, cwd=settings.BASE_DIR, env=full_env, pass_fds=[listener.fileno()], stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            try:
                _request(port, "GET", "/healthz")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"server did not start:\n{log_path.read_text()}") from None
                time.sleep(0.2)
        yield port
    finally:
        listener.close()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _log_in(settings_fixture, client) -> str:
    """A patient session stored in the database; returns its cookie value."""
    settings_fixture.SECRET_KEY = SECRET_KEY  # the served app must be able to verify the session hash
    user = UserFactory(email="loss@example.org", roles=[roles.PATIENT])
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# A string condition is evaluated at setup, before the (slow) transactional database fixture.
@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the unreadable-file test needs SQLite")
@pytest.mark.django_db(transaction=True)
def test_sqlite_an_unreadable_database_file_answers_503_then_recovers(tmp_path, settings, client):
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.skip("running as root, and setpriv (util-linux) is missing to make chmod 000 bite")
    cookie = _log_in(settings, client)
    database = tmp_path / "served.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(database)
    connection.connection.backup(target)  # the migrated test database, with the user and session
    target.close()
    log_path = tmp_path / "server.log"

    env = {"DATABASE_URL": f"sqlite:///{database}", "CONN_MAX_AGE": "0", "CLINIC_TEST_HANDSHAKE_DIR": str(tmp_path)}
    with _served(env, log_path, drop_file_privileges=os.geteuid() == 0) as port:
        status, _, body = _request(port, "GET", "/accounts/", cookie=cookie)
        assert status == 200, body
        assert "loss@example.org" in body

        database.chmod(0)
        try:
            # The session middleware hits the database first...
            status, headers, body = _request(port, "GET", "/accounts/", cookie=cookie)
            assert status == 503, body
            assert int(headers["Retry-After"]) > 0
            assert "We will be back" in body
            # ...and without a session, the view does.
            status, headers, _ = _request(port, "GET", "/_test/group-count")
            assert status == 503
            assert headers["Retry-After"]
            healthz_status, _, _ = _request(port, "GET", "/healthz")
            assert healthz_status == 503
        finally:
            database.chmod(0o600)

        status, _, body = _request(port, "GET", "/accounts/", cookie=cookie)
        assert status == 200, body
        assert "loss@example.org" in body
        assert _request(port, "GET", "/_test/group-count")[0] == 200

    log = log_path.read_text()
    assert "database unavailable (OperationalError" in log
    assert "Internal Server Error" not in log
    assert "/accounts/" not in log


def _mysql_url() -> str:
    s = connection.settings_dict
    credentials = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"mysql://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 3306}/{s['NAME']}"


def _kill(connection_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("KILL CONNECTION %s", [connection_id])


@pytest.mark.mysql
@pytest.mark.django_db(transaction=True)
def test_mariadb_a_connection_killed_mid_write_answers_503_writes_nothing_and_recovers(tmp_path, settings, client):
    cookie = _log_in(settings, client)
    log_path = tmp_path / "server.log"
    env = {"DATABASE_URL": _mysql_url(), "CONN_MAX_AGE": "60", "CLINIC_TEST_HANDSHAKE_DIR": str(tmp_path)}
    with _served(env, log_path) as port:
        assert _request(port, "GET", "/accounts/", cookie=cookie)[0] == 200

        token = f"interrupted-{uuid.uuid4().hex[:8]}"
        result: dict = {}
        writer = threading.Thread(
            target=lambda: result.update(
                response=_request(port, "POST", "/_test/interrupted-write", body=f"token={token}")
            )
        )
        writer.start()
        handshake = tmp_path / "connection_id"
        deadline = time.monotonic() + 30
        while not handshake.exists() or not handshake.read_text():
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.05)
        # The first row is written (not committed); kill the connection that holds it.
        _kill(int(handshake.read_text()))
        (tmp_path / "killed").write_text("yes")
        writer.join(timeout=60)
        status, headers, body = result["response"]
        assert status == 503, body
        assert int(headers["Retry-After"]) > 0
        assert not Group.objects.filter(name__startswith=token).exists()

        # The next request after the loss succeeds, on a fresh connection.
        status, _, body = _request(port, "GET", "/accounts/", cookie=cookie)
        assert status == 200, body

        # A persistent connection killed between requests is noticed by the health check
        # (CONN_HEALTH_CHECKS) and replaced before the request uses it.
        first_id = int(_request(port, "GET", "/_test/connection-id")[2])
        assert int(_request(port, "GET", "/_test/connection-id")[2]) == first_id  # persistent
        _kill(first_id)
        status, _, body = _request(port, "GET", "/_test/connection-id")
        assert status == 200, body
        assert int(body) != first_id

    log = log_path.read_text()
    assert "database unavailable (OperationalError" in log
    assert "Internal Server Error" not in log
