"""A changelist paginator that does not count a huge table row by row, and reads a page of a
large sorted result narrow first.

``SELECT COUNT(*)`` on an InnoDB table reads a whole index: seconds for millions of rows, on
every changelist page. For an *unfiltered* changelist on MySQL/MariaDB this paginator takes
InnoDB's own estimate (``information_schema.TABLES.TABLE_ROWS``) when it says the table is
large; filtered lists, small tables and other databases get the exact count. Use it with
``show_full_result_count = False`` so the admin does not run a second full count.

Pages are read as a deferred join: first the page's primary keys alone (sorted and sliced by
the database, which can take them from an index and sorts narrow rows), then the rows with
their ``list_select_related`` joins for those keys only. Sorting 28,000 matches of a search
joined to five tables took MariaDB 2.1 s; the keys alone sort in milliseconds.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
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

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._rows(bottom, top), number, self)

    def _rows(self, bottom: int, top: int):
        rows = self.object_list
        if not isinstance(rows, QuerySet) or rows.query.distinct or rows.query.combinator:
            return rows[bottom:top]
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        found = rows.in_bulk(ids) if ids else {}
        return [found[pk] for pk in ids if pk in found]
