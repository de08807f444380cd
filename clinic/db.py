"""Values read through a plain cursor (``connection.cursor()``), as the ORM's fields give them."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone


def aware(value: datetime | str) -> datetime:
    """A datetime column: aware in the connection's time zone (UTC here) when ``USE_TZ`` is on.
    SQLite gives text for a value it cannot tell is a datetime (an expression's result)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if settings.USE_TZ and value.tzinfo is None:
        value = timezone.make_aware(value, connection.timezone)
    return value
