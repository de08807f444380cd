from __future__ import annotations

import functools
import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connections,
)
from django.http import HttpResponse
from django.template import Context, Engine
from django.templatetags.static import static
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)


class NoStoreForAuthenticatedMiddleware:
    """Pages shown to a logged-in user may hold health data: no browser or proxy may keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


# --- Database loss ----------------------------------------------------------------------
# MariaDB/MySQL error numbers that mean the connection itself is gone (server gone away, lost
# connection, connection killed, server shutting down), whatever exception class the driver
# maps them to.
_CONNECTION_LOST_ERRNOS = frozenset({1053, 1927, 2002, 2003, 2006, 2013, 2026, 2055, 4031})
_DATABASE_LOST_MARK = "_clinic_database_lost"
DEFAULT_RETRY_AFTER_SECONDS = 30
_PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _error_code(exc: BaseException) -> str:
    cause = exc.__cause__
    if cause is None:
        return "no driver error"
    if cause.args and isinstance(cause.args[0], int):
        return f"errno {cause.args[0]}"  # MySQLdb: (2013, "Lost connection ...")
    return getattr(cause, "sqlite_errorname", None) or type(cause).__name__  # SQLITE_CANTOPEN


def is_database_unavailable(exc: BaseException | None) -> bool:
    """True when ``exc`` means "the database cannot be reached or the connection died".

    Integrity and data errors are bugs or bad input, not outages, and keep their usual handling.
    """
    if exc is None or isinstance(exc, (IntegrityError, DataError)):
        return False
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    if isinstance(exc, DatabaseError):
        cause = exc.__cause__
        errno = cause.args[0] if cause is not None and cause.args else None
        return errno in _CONNECTION_LOST_ERRNOS
    return False


class _DropDatabaseLossRecords(logging.Filter):
    """Keeps Django's "Internal Server Error: <path>" record (with its traceback) out of the log
    when the cause was a lost database: the middleware logs one warning without request data."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not is_database_unavailable(exc)


_LOG_FILTER = _DropDatabaseLossRecords()


def _mark_request(sender, request=None, **kwargs) -> None:
    """got_request_exception receiver: remember that this request lost the database, so the
    outer middleware can answer 503 even when an inner middleware already made a 500 of it."""
    if request is not None and is_database_unavailable(sys.exc_info()[1]):
        setattr(request, _DATABASE_LOST_MARK, sys.exc_info()[1])


@functools.cache
def _standalone_engine() -> Engine:
    # No context processors and no app template loaders: rendering must not touch the database.
    return Engine(
        dirs=[str(settings.BASE_DIR / "templates")],
        libraries={"i18n": "django.templatetags.i18n"},
    )


def _stylesheets() -> list[str]:
    try:
        return [static("bootstrap/css/bootstrap.min.css"), static("css/clinic.css")]
    except Exception:  # a missing static manifest must not turn the 503 page into a 500
        return []


def database_unavailable_response(retry_after: int | None = None) -> HttpResponse:
    """The 503 page, rendered from templates/503.html without the database."""
    if retry_after is None:
        retry_after = int(getattr(settings, "DATABASE_UNAVAILABLE_RETRY_AFTER", DEFAULT_RETRY_AFTER_SECONDS))
    try:
        body = (
            _standalone_engine()
            .get_template("503.html")
            .render(
                Context(
                    {
                        "clinic_name": settings.CLINIC_NAME,
                        "retry_after": retry_after,
                        "stylesheets": _stylesheets(),
                    },
                    autoescape=True,
                )
            )
        )
    except Exception:
        logger.exception("503 page could not be rendered; answering in plain text")
        body = "Service temporarily unavailable. Please try again in a minute.\n"
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    # Set here, not by the CSP middleware: the 500 this page replaces may not have reached it.
    response["Content-Security-Policy"] = _PAGE_CSP
    response["X-Frame-Options"] = "DENY"
    # The middleware logs one warning itself; Django's handler would log the 503 again with the
    # request path at error level.
    response._has_been_logged = True
    return response


def _close_broken_connections() -> None:
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except DatabaseError:
            # Closing a dead connection can fail too; forget it so the next request reconnects.
            conn.connection = None


class DatabaseUnavailableMiddleware:
    """Answers 503 with Retry-After, not 500, when the database is unreachable or the connection
    dies mid-request, whether the view or another middleware (sessions, auth) hit it.

    Sits right after SecurityMiddleware. Errors from the view arrive in ``process_exception``;
    errors from inner middleware have already been turned into a 500 by Django's per-middleware
    exception conversion, so a ``got_request_exception`` receiver marks the request and
    ``__call__`` replaces that 500. Writes go through ``@transaction.atomic`` services, so the
    interrupted transaction was never committed: nothing is half-written.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_mark_request, dispatch_uid="clinic.database_unavailable")
        request_logger = logging.getLogger("django.request")
        if _LOG_FILTER not in request_logger.filters:
            request_logger.addFilter(_LOG_FILTER)

    def __call__(self, request):
        response = self.get_response(request)
        exc = getattr(request, _DATABASE_LOST_MARK, None)
        if exc is not None and response.status_code >= 500 and response.status_code != 503:
            return self._unavailable(exc)
        return response

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        setattr(request, _DATABASE_LOST_MARK, exception)
        return self._unavailable(exception)

    def _unavailable(self, exc: BaseException) -> HttpResponse:
        # Class name and driver error code only: messages may quote SQL, and the path may
        # identify a patient.
        logger.warning("database unavailable (%s, %s): answering 503", type(exc).__name__, _error_code(exc))
        _close_broken_connections()
        return database_unavailable_response()
