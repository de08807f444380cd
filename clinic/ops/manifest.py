"""Backup manifests: migration state and a row count and checksum per table.

The checksum of a table is the sha256 of its rows in primary-key order, each row rendered as a
canonical JSON line (columns in name order). It is computed through a Django database wrapper
the same way on every backend, so a backup's manifest and the manifest recomputed after a
restore on the same backend match exactly when the data does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "clinic-backup"
FORMAT_VERSION = 1
BATCH_ROWS = 5000

Progress = Callable[[str], None]


def _canonical(value: Any) -> Any:
    if value is None or isinstance(value, (str, int)) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _table_checksum(conn: BaseDatabaseWrapper, table: str) -> dict[str, Any]:
    qn = conn.ops.quote_name
    with conn.cursor() as cursor:
        columns = sorted(c.name for c in conn.introspection.get_table_description(cursor, table))
        primary_keys = conn.introspection.get_primary_key_columns(cursor, table) or []
    select = ", ".join(qn(c) for c in columns)
    digest = hashlib.sha256()
    rows = 0

    def add(batch) -> None:
        nonlocal rows
        for row in batch:
            line = json.dumps([_canonical(v) for v in row], separators=(",", ":"), ensure_ascii=True)
            digest.update(line.encode("ascii") + b"\n")
            rows += 1

    if len(primary_keys) == 1:
        # Keyset pagination: constant memory on a million-row table, on both backends.
        pk = primary_keys[0]
        pk_index = columns.index(pk)
        last = None
        with conn.cursor() as cursor:
            while True:
                where = f" WHERE {qn(pk)} > %s" if last is not None else ""
                cursor.execute(
                    f"SELECT {select} FROM {qn(table)}{where} ORDER BY {qn(pk)} LIMIT {BATCH_ROWS}",  # noqa: S608 - quoted identifiers from introspection
                    [last] if last is not None else [],
                )
                batch = cursor.fetchall()
                if not batch:
                    break
                add(batch)
                last = batch[-1][pk_index]
    else:
        order = ", ".join(qn(c) for c in (primary_keys or columns))
        with conn.cursor() as cursor:
            cursor.execute(f"SELECT {select} FROM {qn(table)} ORDER BY {order}")  # noqa: S608 - as above
            while batch := cursor.fetchmany(BATCH_ROWS):
                add(batch)
    return {"rows": rows, "sha256": digest.hexdigest()}


def migration_state(conn: BaseDatabaseWrapper) -> dict[str, str]:
    """The latest applied migration of each app: the schema version."""
    # Raw SQL, not MigrationRecorder: the wrapper may be a temporary connection the ORM does
    # not know by alias.
    table = MigrationRecorder.Migration._meta.db_table
    with conn.cursor() as cursor:
        if table not in conn.introspection.table_names(cursor):
            return {}
        cursor.execute(f"SELECT app, name FROM {conn.ops.quote_name(table)}")  # noqa: S608 - constant name
        applied = cursor.fetchall()
    latest: dict[str, str] = {}
    for app, name in applied:
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def table_summaries(conn: BaseDatabaseWrapper, progress: Progress | None = None) -> dict[str, dict[str, Any]]:
    with conn.cursor() as cursor:
        tables = sorted(conn.introspection.table_names(cursor))
    summaries = {}
    for table in tables:
        summaries[table] = _table_checksum(conn, table)
        if progress is not None and summaries[table]["rows"] >= BATCH_ROWS:
            progress(f"  {table}: {summaries[table]['rows']} rows")
    return summaries


def database_manifest(conn: BaseDatabaseWrapper, progress: Progress | None = None) -> dict[str, Any]:
    """Schema version and table summaries, read from what ``conn`` sees (call it inside one
    snapshot transaction where the backend has them)."""
    return {"migrations": migration_state(conn), "tables": table_summaries(conn, progress)}


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Human-readable differences between two ``database_manifest`` results (empty if equal)."""
    problems = []
    if expected["migrations"] != actual["migrations"]:
        problems.append("migration state differs")
    missing = sorted(set(expected["tables"]) - set(actual["tables"]))
    extra = sorted(set(actual["tables"]) - set(expected["tables"]))
    if missing:
        problems.append(f"missing tables: {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected tables: {', '.join(extra)}")
    for table in sorted(set(expected["tables"]) & set(actual["tables"])):
        want, got = expected["tables"][table], actual["tables"][table]
        if want["rows"] != got["rows"]:
            problems.append(f"{table}: {got['rows']} rows, expected {want['rows']}")
        elif want["sha256"] != got["sha256"]:
            problems.append(f"{table}: checksum differs")
    return problems
