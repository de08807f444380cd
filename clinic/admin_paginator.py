"""A changelist paginator that does not count a huge table row by row.

``SELECT COUNT(*)`` on an InnoDB table reads a whole index: seconds for millions of rows, on
every changelist page. For an *unfiltered* changelist on MySQL/MariaDB this paginator takes
InnoDB's own estimate (``information_schema.TABLES.TABLE_ROWS``) when it says the table is
large; filtered lists, small tables and other databases get the exact count. Use it with
``show_full_result_count = False`` so the admin does not run a second full count.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

ESTIMATE_ABOVE = 100_000


def table_row_estimate(queryset: QuerySet) -> int | None:
    """The storage engine's row estimate for the queryset's table (MySQL/MariaDB), or None."""
    connection = connections[queryset.db]
    if connection.vendor != "mysql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None


def is_unfiltered(queryset) -> bool:
    return isinstance(queryset, QuerySet) and not queryset.query.where and not queryset.query.distinct


class EstimatedCountPaginator(Paginator):
    estimate_above = ESTIMATE_ABOVE

    @cached_property
    def count(self) -> int:
        if is_unfiltered(self.object_list):
            estimate = table_row_estimate(self.object_list)
            if estimate is not None and estimate > self.estimate_above:
                return estimate
        return super().count
