"""A changelist paginator that does not count a huge table row by row, and reads a page of a
large sorted result narrow first.

``SELECT COUNT(*)`` on an InnoDB table reads a whole index: seconds for millions of rows, on
every changelist page. For an *unfiltered* changelist on MySQL/MariaDB this paginator takes
InnoDB's own estimate (``information_schema.TABLES.TABLE_ROWS``) when it says the table is
large; small tables and other databases get the exact count. Use it with
``show_full_result_count = False`` so the admin does not run a second full count.

A *filtered* list (a search, a filter) is counted only up to ``count_cap`` rows
(``SELECT COUNT(*) FROM (... LIMIT cap + 1)``): counting every appointment of the 2,774
patients named Smith* read 28,000 index entries on every page (40 ms at 1,000,000
appointments), and grew with the data. Past the cap, ``count`` is the cap and ``capped`` is
true: the changelist says "more than 1,000" (templates/admin/pagination.html,
actions.html, search_form.html) and pages through the first ``count_cap`` rows; a narrower
search reaches the rest.

Pages are read as a deferred join: first the page's primary keys alone (sorted and sliced by
the database, which can take them from an index and sorts narrow rows), then the rows with
their ``list_select_related`` joins for those keys only. Sorting 28,000 matches of a search
joined to five tables took MariaDB 2.1 s; the keys alone sort in milliseconds. With ``only``
(a ModelAdmin's ``list_only``, see ``clinic.admin_changelist.LightChangelistMixin``) the rows
are read with those columns alone and joined to the related tables those columns name, not to
every ``list_select_related`` table in full.
"""

from __future__ import annotations

from operator import itemgetter

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Model, QuerySet, signals
from django.db.models.base import ModelState
from django.utils.functional import cached_property

from clinic.memo import Memo

ESTIMATE_ABOVE = 100_000
COUNT_CAP = 1_000


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
    count_cap: int | None = COUNT_CAP
    capped = False

    def __init__(self, *args, only: tuple[str, ...] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.only = only

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if is_unfiltered(rows):
            estimate = table_row_estimate(rows)
            if estimate is not None and estimate > self.estimate_above:
                return estimate
        elif self.count_cap is not None and isinstance(rows, QuerySet) and not rows.query.is_sliced:
            counted = self.count_up_to(self.count_cap + 1)
            self.capped = counted > self.count_cap
            return min(counted, self.count_cap)
        return super().count

    def count_up_to(self, limit: int) -> int:
        """How many rows the filtered list has, counting no further than ``limit``. A subclass
        may answer it with SQL of its own (the same number)."""
        return self.object_list.order_by()[:limit].count()  # unsorted: it may stop early

    def page_keys(self, bottom: int, top: int) -> list:
        """The primary keys of rows ``bottom`` to ``top`` of the sorted list. A subclass may
        answer it with SQL of its own (the same keys in the same order)."""
        return list(self.object_list.values_list("pk", flat=True)[bottom:top])

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
        ids = self.page_keys(bottom, top)
        if not ids:
            return []
        reader = _RowReader.for_columns(rows.model, self.only) if self.only else None
        if reader is not None and not rows.query.annotations and not rows._prefetch_related_lookups:
            found = reader.read(rows.model._base_manager.db_manager(rows.db).all(), ids)
        else:
            found = _by_key(rows, self.only).in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


# _RowReader.for_columns: a reader per model and list_only (one per changelist that has one).
_ROW_READERS: Memo = Memo(64)


class _RowReader:
    """A page's rows by key, as model instances holding ``only``'s columns and their related
    instances, read as tuples and built without ``Model.__init__``.

    The same objects ``QuerySet.only(...).select_related(...).in_bulk(keys)`` gives (same
    loaded fields, the related objects cached on their foreign keys, unloaded fields deferred
    and read on access), in about half the time: a page of 50 appointments is 250 instances,
    4.4 ms through ``in_bulk``, 2.2-2.6 ms here (bench/profile_page.py). Only for models without
    ``post_init`` receivers (checked on every read) or a ``from_db`` of their own, and plain
    forward relations; anything else reads through ``in_bulk``."""

    def __init__(self, model, columns: list[str], plan: list[tuple]):
        self.model = model
        self.columns = columns  # values_list() paths, in order
        self.models = [related for _path, related, *_rest in plan]
        # Per instance of a row, parent first: its model, its attnames and how to take their
        # values from the row, the column of its key, the index of the instance it hangs from,
        # and the cache names to hang it there (and back, for a one-to-one).
        self.steps = [
            (
                related,
                tuple(attname for attname, _index in reads),
                itemgetter(*(index for _attname, index in reads)) if len(reads) > 1 else None,
                key_index,
                parent,
                via.cache_name if via is not None else None,
                via.remote_field.cache_name if via is not None and via.one_to_one else None,
            )
            for _path, related, reads, via, parent, key_index in plan
        ]

    @classmethod
    def for_columns(cls, model, only: tuple[str, ...]) -> _RowReader | None:
        # False caches "not this way" (Memo makes again what it holds as None).
        reader = _ROW_READERS.get((model, only), lambda: cls._plan(model, only) or False) or None
        # A receiver may be connected after the plan was made (it is a few dict lookups).
        if reader is None or any(signals.post_init.has_listeners(related) for related in reader.models):
            return None
        return reader

    @classmethod
    def _plan(cls, model, only: tuple[str, ...]) -> _RowReader | None:
        # Every model on the way: its fields read, keyed by the relation path from the row.
        wanted: dict[str, tuple] = {"": (model, None, None)}
        fields: dict[str, list] = {"": []}
        for name in only:
            *hops, last = name.split("__")
            current, path = model, ""
            for hop in hops:
                try:
                    field = current._meta.get_field(hop)
                except FieldDoesNotExist:
                    return None
                if not (field.concrete and (field.many_to_one or field.one_to_one)) or field.remote_field.parent_link:
                    return None
                child = f"{path}__{hop}" if path else hop
                if child not in wanted:
                    wanted[child] = (field.related_model, path, field)
                    fields[child] = []
                current, path = field.related_model, child
            try:
                field = current._meta.get_field(last)
            except FieldDoesNotExist:
                return None
            if not field.concrete or field.many_to_many:
                return None
            fields[path].append(field)
        for path, (related, _parent, _field) in wanted.items():
            if related.from_db.__func__ is not Model.from_db.__func__:
                return None
            opts = related._meta
            # Its key, and the foreign key of every relation followed from it (as select_related does).
            keep = [opts.pk, *(field for child, (_m, parent, field) in wanted.items() if parent == path)]
            fields[path] = [field for field in [*keep, *fields[path]] if field is not None]
        columns, plan, order = [], [], list(wanted)
        for path in order:
            related, parent, via = wanted[path]
            reads, seen = [], set()
            for field in fields[path]:
                if field.attname in seen:
                    continue
                seen.add(field.attname)
                # A foreign key's own column: "patient" in values_list() is the patient's key.
                columns.append(f"{path}__{field.name}" if path else field.name)
                reads.append((field.attname, len(columns) - 1))
            key_index = reads[0][1]
            plan.append((path, related, reads, via, order.index(parent) if parent is not None else None, key_index))
        return cls(model, columns, plan)

    def read(self, fresh: QuerySet, ids: list) -> dict:
        found = {}
        db = fresh.db
        steps = self.steps
        new_state = ModelState
        for row in fresh.filter(pk__in=ids).values_list(*self.columns):
            built = []
            for model, attnames, values, key_index, parent, cache_name, back in steps:
                owner = built[parent] if parent is not None else None
                if row[key_index] is None:  # a null foreign key: no related object
                    built.append(None)
                    if owner is not None:
                        owner._state.fields_cache[cache_name] = None
                    continue
                obj = model.__new__(model)
                obj.__dict__.update(
                    zip(attnames, values(row), strict=True) if values else ((attnames[0], row[key_index]),)
                )
                state = obj._state = new_state()
                state.db, state.adding = db, False
                built.append(obj)
                if owner is not None:
                    owner._state.fields_cache[cache_name] = obj
                    if back is not None:  # a one-to-one: the way back too, as select_related() does
                        state.fields_cache[back] = owner
            found[built[0].pk] = built[0]
        return found


def _by_key(rows: QuerySet, only: tuple[str, ...] | None = None) -> QuerySet:
    """``rows`` without their filters, for reading rows already chosen by key: the search's
    conditions (a list of 2,774 patients) need not be compiled and tested again. With ``only``,
    just those columns (``"patient__family_name"`` joins the patient for that column)."""
    query = rows.query
    if query.annotations or query.extra or rows._prefetch_related_lookups:
        return rows
    fresh = rows.model._base_manager.db_manager(rows.db).all()
    if only:
        # A relation read through a column is joined and kept (Django defers no traversed key).
        paths = {"__".join(path.split("__")[:depth]) for path in only for depth in range(1, path.count("__") + 1)}
        if paths:  # select_related() with no names would follow every relation
            fresh = fresh.select_related(*sorted(paths))
        return fresh.only(*sorted(paths), *only)
    fresh.query.select_related = query.select_related
    fresh.query.deferred_loading = query.deferred_loading
    return fresh
