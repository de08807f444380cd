from __future__ import annotations

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import roles, services
from accounts.models import SecurityEvent, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Logins. ``records.admin.users`` registers a subclass in its place that audits the
    patient logins a page shows (this app cannot import the record's audit)."""

    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Roles and access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ("groups",)
    actions = ["reset_two_factor"]

    def get_queryset(self, request):
        # Every staff role may look colleagues up; only clinic admins, who manage logins, see
        # patients' logins. Anyone else reaches a patient's name and address through the
        # record, where records.access scopes it (a clinician: patients in their care) and
        # records.audit logs the read. The autocomplete of user fields answers from here too.
        qs = super().get_queryset(request)
        if roles.has_role(request.user, roles.CLINIC_ADMIN):
            return qs
        return qs.filter(is_staff=True)

    @admin.action(
        description=_("Reset two-factor (user lost their phone): they enrol again at next login"),
        permissions=["change"],
    )
    def reset_two_factor(self, request, queryset):
        count = 0
        for user in queryset:
            services.two_factor_reset(user=user, actor=request.user, reason="admin action", request=request)
            count += 1
        self.message_user(
            request,
            ngettext(
                "Two-factor reset for %(count)d user; they are logged out everywhere.",
                "Two-factor reset for %(count)d users; they are logged out everywhere.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


# Locked-out logins (django-axes): clinic admins see them and unlock an account from one address.
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    actions = ["unlock", "cleanup_expired_attempts"]

    @admin.action(description=_("Unlock: clear these failed attempts"), permissions=["delete"])
    def unlock(self, request, queryset):
        count = 0
        for attempt in queryset:
            count += axes_reset(ip=attempt.ip_address, username=attempt.username)
        self.message_user(
            request,
            ngettext("Unlocked %(count)d attempt record.", "Unlocked %(count)d attempt records.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """Read-only history of logins and account-security changes, for review."""

    list_display = ("at", "user", "kind", "ip_address", "actor", "detail")
    list_filter = ("kind",)
    search_fields = ("user__email", "ip_address")
    list_select_related = ("user", "actor")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
