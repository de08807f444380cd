"""The staff workplace: Django's admin, branded for the clinic."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class ClinicAdminSite(admin.AdminSite):
    site_title = _("Clinic staff")
    index_title = _("Dashboard")

    @property
    def site_header(self) -> str:  # read at request time: nothing reads settings at import
        return settings.CLINIC_NAME

    def has_permission(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_staff)
