"""URLs of the subprocess-served test app: the real ones plus views that only tests reach."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from clinic.urls import urlpatterns as real_urlpatterns

HANDSHAKE_TIMEOUT_SECONDS = 20


def _handshake_dir() -> Path:
    return Path(os.environ["CLINIC_TEST_HANDSHAKE_DIR"])


@login_not_required
@require_GET
def group_count(request: HttpRequest) -> HttpResponse:
    """Touches the database from the view itself, with no session involved."""
    return HttpResponse(str(Group.objects.count()), content_type="text/plain")


@login_not_required
@require_GET
def connection_id(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT CONNECTION_ID()")
        (value,) = cursor.fetchone()
    return HttpResponse(str(value), content_type="text/plain")


@csrf_exempt
@login_not_required
@require_POST
def interrupted_write(request: HttpRequest) -> HttpResponse:
    """Writes one row, tells the test which connection it is on, waits until the test has killed
    that connection, then writes a second row in the same transaction."""
    token = request.POST["token"]
    handshake = _handshake_dir()
    with transaction.atomic():
        Group.objects.create(name=f"{token}-1")
        with connection.cursor() as cursor:
            cursor.execute("SELECT CONNECTION_ID()")
            (value,) = cursor.fetchone()
        (handshake / "connection_id").write_text(str(value))
        deadline = time.monotonic() + HANDSHAKE_TIMEOUT_SECONDS
        while not (handshake / "killed").exists():
            if time.monotonic() > deadline:
                return HttpResponse("the test never killed the connection", status=504)
            time.sleep(0.05)
        Group.objects.create(name=f"{token}-2")
    return HttpResponse("written", content_type="text/plain")


urlpatterns = [
    path("_test/group-count", group_count),
    path("_test/connection-id", connection_id),
    path("_test/interrupted-write", interrupted_write),
    *real_urlpatterns,
]
