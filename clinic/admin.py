"""The staff workplace: Django's admin, branded for the clinic."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import get_script_prefix, path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from clinic.memo import Memo

# ClinicAdminSite.get_app_list: the app list per permission set (a handful: one per role mix).
_APP_LISTS: Memo[list] = Memo(256)
# clinic_admin.nav_sidebar: the sidebar's HTML per app list and page it marks as current.
_SIDEBARS: Memo[str] = Memo(1024)


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

    def app_list_key(self, request) -> tuple:
        """Everything the full app list depends on: the user's permissions (every model admin's
        ``has_*_permission`` is either the permission check or a constant), the language it is
        sorted in, and the URL prefix. Users with the same permissions share one list."""
        user = request.user
        perms = frozenset(user.get_all_permissions())
        return (user.is_active, user.is_superuser, perms, get_language(), get_script_prefix(), self.name)

    def get_app_list(self, request, app_label=None):
        # Built once per permission set and process (see app_list_key), not per request: the
        # index and every page's navigation sidebar ask for it, and each build checks every
        # model admin's permissions and reverses their URLs. Each caller gets its own copy.
        if app_label is not None:
            return super().get_app_list(request, app_label)
        if not hasattr(request, "_clinic_app_list"):
            key = self.app_list_key(request)
            build = super().get_app_list
            built = _APP_LISTS.get(key, lambda: build(request))
            request._clinic_app_list = [{**app, "models": [dict(m) for m in app["models"]]} for app in built]
            request._clinic_app_list_key = key
        return request._clinic_app_list

    def nav_sidebar(self, request, render) -> str:
        """The navigation sidebar's HTML, rendered once per app list (that is, per permission
        set and language) and set of links it marks as current, not on every page: the page's
        path only matters through which app and model URLs it contains (``admin/app_list.html``
        compares ``app_url`` and ``admin_url`` with ``request.path|urlencode``). ``render`` makes
        the HTML when it is not cached. Nothing user-specific but the permissions is in it."""
        key = getattr(request, "_clinic_app_list_key", None)
        if key is None:  # no app list of ours on this page
            return render()
        path = quote(request.path, safe="/")
        current = tuple(
            url
            for app in request._clinic_app_list
            for url in (app.get("app_url"), *(model.get("admin_url") for model in app["models"]))
            if url and url in path
        )
        return _SIDEBARS.get((key, current), render)

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
            path("dashboard/utilisation/", self.admin_view(dashboard.utilisation), name="dashboard_utilisation"),
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
