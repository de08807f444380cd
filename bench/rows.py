"""Raw row writing shared by the benchmarks that fill a million rows (model instances are too slow)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection, transaction


def db_time(moment: datetime):
    """A UTC instant as the backend stores it (Django keeps UTC; SQLite as text)."""
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    return naive.isoformat(" ") if connection.vendor == "sqlite" else naive


@transaction.atomic
def insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain executemany into ``model``'s table: a million instances through bulk_create take minutes longer."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)  # noqa: S608
