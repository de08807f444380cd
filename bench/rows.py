"""Raw row writing for the benchmarks that fill a million rows (model instances are too slow):
the demo seed's writer (clinic.bulk), one transaction per call."""

from __future__ import annotations

from django.db import transaction

from clinic.bulk import db_time, insert_rows

__all__ = ["db_time", "insert"]


@transaction.atomic
def insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    insert_rows(model, columns, rows)
