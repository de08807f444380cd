"""Admin widgets, and the audit of pages that list patients, shared by the apps' ModelAdmins."""

from __future__ import annotations

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.template.response import SimpleTemplateResponse

from records.audit import audit_lookup
from records.models import Patient


class ValidatingAutocompleteSelect(AutocompleteSelect):
    """``AutocompleteSelect`` that ignores posted values its key cannot hold.

    Django's widget looks the raw posted value up to re-render a refused form, so ``1.5`` or
    ``-5e47`` for an integer key raised ``ValueError`` (a 500) instead of a form error.
    """

    def optgroups(self, name, value, attr=None):
        target = self.field.remote_field.model._meta.get_field(self.field.remote_field.field_name)
        kept = []
        for item in value:
            try:
                target.run_validators(target.to_python(item))
            except ValidationError:
                continue
            kept.append(item)
        return super().optgroups(name, kept, attr)


class ValidatingAutocompleteMixin:
    """Use ``ValidatingAutocompleteSelect`` for every foreign key in ``autocomplete_fields``."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidatingAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AuditedAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete answer, with an audit row when it shows patients.

    An answer listing patients (or entries that belong to patients, such as encounters) is a
    staff read of PHI: names and MRNs. It is logged by ``records.audit.audit_lookup``, one row
    per answer naming exactly the patients on the page returned (see there for why not one per
    patient). What the answer may contain is unchanged: the target ModelAdmin's ``get_queryset``
    (``records.access``) still scopes it.
    """

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown = list(context["object_list"])  # the page, evaluated once for the audit and the answer
        context["object_list"] = shown
        patient_ids = _patient_ids_of(self.model_admin.model, shown)
        if patient_ids is not None:
            field = self.source_field
            what = f"autocomplete:{field.model._meta.label_lower}.{field.name}"
            audit_lookup(actor=self.request.user, patient_ids=patient_ids, what=what)
        return context


class AuditedChangelistMixin:
    """A changelist that shows patients (their names, MRNs ...) writes one
    ``records.audit.audit_lookup`` row per page view, ``what = "list:<app>.<model>"``, naming
    the patients on that page in the order shown; nothing when it shows nobody.

    The ids come from ``cl.result_list``, the page the ChangeList already read (a list from
    ``clinic.admin_paginator``, or a queryset the template then iterates from its cache): the
    page costs one INSERT more, no query is run again. ``shown_patient_ids`` maps the rows to
    patients; the default knows patients and models with a ``patient`` foreign key.
    """

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = shown_changelist(response)
        if cl is not None:
            audit_lookup(
                actor=request.user,
                patient_ids=self.shown_patient_ids(request, cl.result_list),
                what=f"list:{self.opts.label_lower}",
            )
        return response

    def shown_patient_ids(self, request, objects) -> list[int]:
        """The patients ``objects`` (a changelist page's rows) show, in their order."""
        return _patient_ids_of(self.model, objects) or []


def shown_changelist(response):
    """The ChangeList a changelist view's response is about to render, or ``None`` when it
    renders none: a redirect, an action's answer (a CSV export audits its own rows) or an error
    page. The changelists that show patients audit its ``result_list``."""
    context = response.context_data if isinstance(response, SimpleTemplateResponse) else None
    return (context or {}).get("cl")


def _patient_ids_of(model, objects) -> list[int] | None:
    """The patients ``objects`` show, or ``None`` when ``model`` is not patient data."""
    if model is Patient:
        return [obj.pk for obj in objects]
    try:
        owner = model._meta.get_field("patient")
    except FieldDoesNotExist:
        return None
    if owner.many_to_one and owner.related_model is Patient:  # not User's reverse one-to-one
        return [obj.patient_id for obj in objects]
    return None
