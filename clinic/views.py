from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@login_not_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Public landing page; logged-in staff go to their workplace, patients to the portal."""
    if request.user.is_authenticated and request.user.is_staff:
        return redirect("admin:index")
    return render(request, "home.html")


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("health check: database unreachable")
        return "unavailable"
    return "ok"


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    parts = {"database": _database_status()}
    healthy = all(value == "ok" for value in parts.values())
    # The symptom checker is reported but does not fail the check: without a model the rest of
    # the site still works, so load balancers keep it in service.
    parts["symptom_checker"] = _symptom_checker_status() if healthy else "degraded"
    return JsonResponse({"status": "ok" if healthy else "error", **parts}, status=200 if healthy else 503)


def _symptom_checker_status() -> str:
    from diagnosis.services import checker_status

    return checker_status()


@login_not_required
@require_GET
def bench_floor(request: HttpRequest) -> HttpResponse:
    """The benchmark floor: a constant through the whole middleware stack, no template and no
    query of its own. Routed only when ``BENCH_FLOOR_VIEW`` is on (bench/pages.py)."""
    return HttpResponse(b"ok", content_type="text/plain")
