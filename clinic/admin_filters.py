"""List filters shared by the staff admin: "today", "this week", "last 30 days" on any date or
datetime field, in the clinic's time zone (``CLINIC_TIME_ZONE``)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import admin
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments.selectors import clinic_zone, local_day_bounds


def _period(value: str, today: date) -> tuple[date, date] | None:
    """Local days (first, last) of a period name, or None for no filter."""
    if value == "today":
        return today, today
    if value == "week":
        monday = today - timedelta(days=today.weekday())
        return monday, monday + timedelta(days=6)
    if value == "30d":
        return today - timedelta(days=29), today
    return None


class PeriodFilter(admin.SimpleListFilter):
    """Subclass with ``field_name`` (and ``title``), or use ``period_filter(...)``."""

    field_name = ""
    parameter_name = ""
    title = _("when")

    def __init__(self, request, params, model, model_admin):
        if not self.parameter_name:
            self.parameter_name = f"{self.field_name}_period"
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [("today", _("Today")), ("week", _("This week")), ("30d", _("Last 30 days"))]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        period = _period(self.value() or "", timezone.localdate(timezone=clinic_zone()))
        if period is None:
            return queryset
        first, last = period
        field = queryset.model._meta.get_field(self.field_name)
        if field.get_internal_type() == "DateTimeField":
            start, end = local_day_bounds(first)[0], local_day_bounds(last)[1]
            return queryset.filter(**{f"{self.field_name}__gte": start, f"{self.field_name}__lt": end})
        return queryset.filter(**{f"{self.field_name}__gte": first, f"{self.field_name}__lte": last})


def period_filter(field_name: str, title=None) -> type[PeriodFilter]:
    """A "today / this week / last 30 days" filter on ``field_name`` (a date or datetime)."""
    return type(
        f"PeriodFilter_{field_name}",
        (PeriodFilter,),
        {"field_name": field_name, "parameter_name": f"{field_name}_period", "title": title or _("when")},
    )


