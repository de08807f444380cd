"""The user admin (``accounts.admin.UserAdmin``) with the patient logins it shows audited.

A patient's login is the patient's name and e-mail address: a clinic admin listing or opening
logins reads patients' data, so those pages write an ``audit_lookup`` row naming the patients
shown. Registered here, over the accounts app's registration, because accounts is below records
and cannot import the audit (DESIGN.md: dependencies point one way).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import OuterRef, Subquery

from accounts.admin import UserAdmin as AccountsUserAdmin
from accounts.models import User
from clinic.admin_widgets import AuditedChangelistMixin
from records.audit import audit_lookup
from records.models import Patient

if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(AuditedChangelistMixin, AccountsUserAdmin):
    def get_queryset(self, request):
        # Each login's patient, if it is one, read with the rows (by the patient's unique
        # user_id): the pages learn whom they show without asking again. A subquery, not a join
        # (F("patient")): the list's counts leave an unused subquery out, but keep a join.
        patient = Patient.objects.filter(user=OuterRef("pk")).values("pk")[:1]
        return super().get_queryset(request).annotate(patient_pk=Subquery(patient))

    def shown_patient_ids(self, request, objects) -> list[int]:
        return [user.patient_pk for user in objects if user.patient_pk is not None]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and request.method == "GET":
            audit_lookup(
                actor=request.user,
                patient_ids=self.shown_patient_ids(request, [obj]),
                what=f"change:{self.opts.label_lower}",
            )
        return super().render_change_form(request, context, add, change, form_url, obj)
