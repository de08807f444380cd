"""The staff workplace: Django's admin, branded for the clinic."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST


class ClinicAdminSite(admin.AdminSite):
    site_title = _("Clinic staff")
    index_title = _("Dashboard")

    @property
    def site_header(self) -> str:  # read at request time: nothing reads settings at import
        return settings.CLINIC_NAME

    def has_permission(self, request) -> bool:
        # A password alone never opens the admin: the session must have passed a TOTP code too
        # (accounts.middleware.StaffOTPRequiredMiddleware sends staff to enter it).
        user = request.user
        return bool(user.is_active and user.is_staff and user.is_verified())

    def get_app_list(self, request, app_label=None):
        # Built once per request: the index and the navigation sidebar (each_context) both ask
        # for it, and each build checks every model admin's permissions.
        if app_label is not None:
            return super().get_app_list(request, app_label)
        if not hasattr(request, "_clinic_app_list"):
            request._clinic_app_list = super().get_app_list(request)
        return request._clinic_app_list

    def index(self, request, extra_context=None):
        """The dashboard: each role's panels (``clinic.dashboard``), then the app list."""
        from clinic.dashboard.views import dashboard_context

        return super().index(request, {**dashboard_context(request), **(extra_context or {})})

    def get_urls(self):
        from clinic.dashboard import views as dashboard

        return [
            path(
                "dashboard/check-in/<int:pk>/",
                self.admin_view(require_POST(dashboard.check_in)),
                name="dashboard_check_in",
            ),
            path(
                "dashboard/approve/<int:pk>/",
                self.admin_view(require_POST(dashboard.approve)),
                name="dashboard_approve",
            ),
            *super().get_urls(),
        ]

    def autocomplete_view(self, request):
        # Answers that show patients are audited (clinic.admin_widgets.AuditedAutocompleteJsonView).
        from clinic.admin_widgets import AuditedAutocompleteJsonView

        return AuditedAutocompleteJsonView.as_view(admin_site=self)(request)

    def login(self, request, extra_context=None):
        # One login for everyone (ours: django-axes throttling, then the OTP step). A signed-in
        # user who may not use the admin (a patient) gets 403 rather than a second login form.
        if self.has_permission(request):
            return super().login(request, extra_context)
        if request.user.is_authenticated:
            raise PermissionDenied
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url, "accounts:login")
