"""Native SQL for the per-row date arithmetic of the KPIs.

Django's ``TruncDate(tzinfo=...)`` and ``end - start`` call Python functions for every row on
SQLite (``django_datetime_cast_date``, ``django_timestamp_diff``) and need the time-zone tables
on MySQL; over a month of a large clinic (tens of thousands of appointments) that is most of the
dashboard's time. The clinic's UTC offset changes only at a few known instants, so the local date
is ``date(start + offset)`` with the offset picked by a ``CASE`` on those instants: exact,
DST-safe, and evaluated by the database itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import DateField, Expression, Func, IntegerField


def offset_segments(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[datetime | None, int]]:
    """[(until, offset minutes)]: the zone's UTC offset over [start, end), as runs that end at
    each transition instant (the last run's ``until`` is None)."""

    def offset(moment: datetime) -> int:
        return int(moment.astimezone(zone).utcoffset().total_seconds() // 60)

    segments: list[tuple[datetime | None, int]] = []
    current = offset(start)
    cursor = start.astimezone(UTC)
    step = timedelta(hours=6)
    while cursor < end:
        probe = min(cursor + step, end)
        if offset(probe) != current:
            # Narrow down to the minute the offset changed (transitions fall on whole minutes).
            low, high = cursor, probe
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    middle = low + timedelta(minutes=1)
                if offset(middle) == current:
                    low = middle
                else:
                    high = middle
            segments.append((high, current))
            current = offset(high)
            cursor = high
        else:
            cursor = probe
    segments.append((None, current))
    return segments


class LocalDate(Func):
    """The local calendar date of a UTC datetime column over a range whose offsets are known."""

    output_field = DateField()

    def __init__(self, expression, *, segments: list[tuple[datetime | None, int]]):
        super().__init__(expression)
        self.segments = segments

    def _shifted(self, vendor: str, column: str, minutes: int) -> tuple[str, list]:
        if vendor == "sqlite":
            return f"date({column}, %s)", [f"{minutes:+d} minutes"]
        if vendor == "mysql":
            return f"DATE(DATE_ADD({column}, INTERVAL %s MINUTE))", [minutes]
        return f"((({column}) AT TIME ZONE 'UTC') + %s * INTERVAL '1 minute')::date", [minutes]

    def as_sql(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.source_expressions[0])
        vendor = connection.vendor
        if len(self.segments) == 1:
            sql, params = self._shifted(vendor, column, self.segments[0][1])
            return sql, [*column_params, *params]
        parts, params = ["CASE"], []
        for until, minutes in self.segments:
            shifted, shift_params = self._shifted(vendor, column, minutes)
            if until is None:
                parts.append(f"ELSE {shifted}")
                params += [*column_params, *shift_params]
            else:
                parts.append(f"WHEN {column} < %s THEN {shifted}")
                bound = connection.ops.adapt_datetimefield_value(until)
                params += [*column_params, bound, *column_params, *shift_params]
        parts.append("END")
        return " ".join(parts), params


class MinutesBetween(Func):
    """Whole minutes from one datetime column to another, computed by the database."""

    output_field = IntegerField()

    def __init__(self, start: Expression | str, end: Expression | str):
        super().__init__(start, end)

    def as_sqlite(self, compiler, connection, **extra):
        start, end = self.source_expressions
        start_sql, start_params = compiler.compile(start)
        end_sql, end_params = compiler.compile(end)
        return (
            f"CAST(ROUND((julianday({end_sql}) - julianday({start_sql})) * 1440) AS INTEGER)",
            [*end_params, *start_params],
        )

    def as_mysql(self, compiler, connection, **extra):
        start, end = self.source_expressions
        start_sql, start_params = compiler.compile(start)
        end_sql, end_params = compiler.compile(end)
        return f"TIMESTAMPDIFF(MINUTE, {start_sql}, {end_sql})", [*start_params, *end_params]

    def as_postgresql(self, compiler, connection, **extra):
        start, end = self.source_expressions
        start_sql, start_params = compiler.compile(start)
        end_sql, end_params = compiler.compile(end)
        return f"(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) / 60)::integer", [*end_params, *start_params]
