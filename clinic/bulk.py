"""Raw multi-row inserts for generated data (the demo seed, the benchmarks).

``bulk_create`` costs about 5 us per value in Django's insert compiler, so at a million rows the
compiler, not the database, is the bottleneck. These helpers write rows the caller has already
made valid, straight through the DB-API (MySQLdb folds ``executemany`` into multi-row INSERTs;
SQLite runs it natively): no signals, no audit rows, no ``full_clean``. Use them only for data
the code generates itself, never for user input.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import connection, models, transaction
from django.utils import timezone

BATCH = 5000  # rows per INSERT statement: well under MariaDB's default max_allowed_packet


def db_time(moment: datetime) -> str:
    """An aware datetime as the naive UTC text that both MySQL/MariaDB and SQLite store."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple], *, ignore_conflicts=False):
    """INSERT ``rows`` (tuples in ``columns`` order, database values) into ``model``'s table,
    ``BATCH`` rows per statement. With ``ignore_conflicts`` rows breaking a unique constraint
    are skipped (INSERT IGNORE / INSERT OR IGNORE; on MySQL/MariaDB IGNORE also turns bad or
    too-long values into warnings, which is why this is for generated rows only)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    verb = "INSERT"
    if ignore_conflicts:
        verb = "INSERT OR IGNORE" if connection.vendor == "sqlite" else "INSERT IGNORE"
    sql = "{} INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names come from the model, values are bound
        verb, quote(model._meta.db_table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


class RowWriter:
    """Rows for ``insert_rows`` collected as they are generated and written ``BATCH`` at a time,
    so a million generated rows never sit in memory at once. Use as a context manager: what is
    left is written on a normal exit."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], *, ignore_conflicts=False) -> None:
        self.model, self.columns, self.ignore_conflicts = model, columns, ignore_conflicts
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        # One transaction a batch (a savepoint inside the caller's): SQLite in autocommit mode
        # would otherwise commit every row of the executemany on its own.
        with transaction.atomic():
            insert_rows(self.model, self.columns, self.rows, ignore_conflicts=self.ignore_conflicts)
        self.written += len(self.rows)
        self.rows = []

    def __enter__(self) -> RowWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.flush()


def _converter(field: models.Field) -> Callable[[object], object]:
    """A cheap stand-in for ``field.get_db_prep_save`` for the types generated data uses."""
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else db_time(v if timezone.is_aware(v) else timezone.make_aware(v))
    if isinstance(field, models.DateField):
        return lambda v: (v.date() if isinstance(v, datetime) else v).isoformat() if isinstance(v, date) else v
    if isinstance(field, models.TimeField):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(field, models.UUIDField):
        return lambda v: None if v is None else str(v).replace("-", "")
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else str(Decimal(str(v)))
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else json.dumps(v)
    if isinstance(field, models.BooleanField):
        return lambda v: None if v is None else int(v)
    return lambda v: v


def insert_instances(model: type[models.Model], objs: Iterable[models.Model], *, ignore_conflicts=False) -> int:
    """Write unsaved ``objs`` of ``model`` as raw rows: the instances' attribute values (auto_now
    fields set to now, defaults as the constructor set them), converted as the database stores
    them. Primary keys are not read back. Returns the number of rows sent."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    convert = [_converter(f) for f in fields]
    stamped = [i for i, f in enumerate(fields) if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    now = timezone.now()
    attnames = [f.attname for f in fields]
    rows = []
    for obj in objs:
        values = [getattr(obj, name) for name in attnames]
        for i in stamped:
            if values[i] is None or getattr(fields[i], "auto_now", False):
                values[i] = now
        rows.append(tuple(c(v) for c, v in zip(convert, values, strict=True)))
    insert_rows(model, [f.column for f in fields], rows, ignore_conflicts=ignore_conflicts)
    return len(rows)


def can_analyze() -> bool:
    """Whether ``analyze`` may run now: not inside a transaction on MySQL/MariaDB."""
    return not (connection.vendor == "mysql" and connection.in_atomic_block)


def analyze(models_written: Iterable[type[models.Model]]) -> None:
    """Refresh the query planner's statistics of these tables after a bulk load.

    MariaDB samples a table's statistics when it is small (empty after ``migrate``) and
    recomputes them in the background only later: until then it may join a million appointments
    through the wrong index (measured: the nurse's dashboard took 3.4 s instead of 75 ms right
    after a load). SQLite has no statistics at all until ANALYZE runs."""
    if not can_analyze():
        # ANALYZE TABLE commits the open transaction on MySQL/MariaDB: never half-way through one.
        raise RuntimeError("ANALYZE TABLE would commit the open transaction: call analyze() after it.")
    tables = sorted({model._meta.db_table for model in models_written})
    if not tables:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute("ANALYZE TABLE " + ", ".join(quote(t) for t in tables))  # noqa: S608 - model names
            cursor.fetchall()
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {quote(table)}")  # noqa: S608 - model names
