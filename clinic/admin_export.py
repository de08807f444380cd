"""CSV export of admin changelists, for clinic admins only.

``CsvExportMixin`` adds an "Export selected to CSV" action and a ``csv/`` URL beside the
changelist that exports every row the changelist shows (same filters, search and ordering:
the "Export all to CSV" link carries the changelist's query string). The file is streamed row by
row (``StreamingHttpResponse``), so a large table never sits in memory, and every cell that a
spreadsheet would run as a formula (starting with ``= + - @``, a tab or a carriage return) is
prefixed with a quote. Rows about a patient are audited as ``export:csv`` reads.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts import roles
from records.audit import audit_read
from records.models import Patient

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def may_export(user) -> bool:
    return bool(user.is_active and user.is_staff) and roles.has_role(user, roles.CLINIC_ADMIN)


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: formula-like values get a leading quote."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


class _Echo:
    """A file-like object whose ``write`` returns the line (csv.writer feeds the stream)."""

    def write(self, value: str) -> str:
        return value


def _text(value, field: models.Field | None) -> str:
    if value is None:
        return ""
    if field is not None and getattr(field, "flatchoices", None):
        value = dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return force_str(value)


class CsvExportMixin:
    """Mix into a ``ModelAdmin`` (before ``admin.ModelAdmin``). ``csv_fields`` names the
    columns (model fields, admin methods or model attributes); the default is
    ``list_display``."""

    csv_fields: tuple[str, ...] | None = None

    def get_csv_fields(self, request) -> list[str]:
        fields = self.csv_fields or self.get_list_display(request)
        return [name for name in fields if name != "action_checkbox"]

    def has_export_permission(self, request) -> bool:
        return may_export(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_export_permission(request) and IS_POPUP_VAR not in request.GET:
            actions["export_csv"] = (
                CsvExportMixin.export_csv,
                "export_csv",
                _("Export selected %(verbose_name_plural)s to CSV"),
            )
        return actions

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("csv/", self.admin_site.admin_view(self.csv_export_view), name="{}_{}_csv_export".format(*info)),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_export_csv": self.has_export_permission(request)}
        return super().changelist_view(request, extra_context)

    def export_csv(self, request, queryset):
        if not self.has_export_permission(request):
            raise PermissionDenied
        return self.csv_response(request, queryset)

    def csv_export_view(self, request: HttpRequest):
        """Every row of the changelist as it is filtered now."""
        if not (self.has_export_permission(request) and self.has_view_permission(request)):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return self.csv_response(request, changelist.queryset)

    def csv_response(self, request, queryset) -> StreamingHttpResponse:
        fields = self.get_csv_fields(request)
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in self._csv_rows(request, queryset, fields)),
            content_type="text/csv; charset=utf-8",
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = slugify(force_str(self.opts.verbose_name_plural))
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
        return response

    def _csv_rows(self, request, queryset, fields: list[str]) -> Iterator[list[str]]:
        yield [safe_cell(force_str(label_for_field(name, self.model, self))) for name in fields]
        for obj in self._iterate(queryset):
            row = []
            for name in fields:
                try:
                    field, _attr, value = lookup_field(name, obj, self)
                except (AttributeError, FieldDoesNotExist):
                    field, value = None, ""
                if isinstance(value, models.Model):
                    value = str(value)
                row.append(safe_cell(_text(value, field)))
            self._audit_export(request, obj)
            yield row

    @staticmethod
    def _iterate(queryset) -> Iterable:
        # In chunks, so select_related still applies and memory stays flat.
        return queryset.iterator(chunk_size=CHUNK)

    @staticmethod
    def _audit_export(request, obj) -> None:
        patient = obj if isinstance(obj, Patient) else getattr(obj, "patient", None)
        if isinstance(patient, Patient):
            audit_read(actor=request.user, patient=patient, obj=obj, what="export:csv")

