"""Admin widgets shared by the apps' ModelAdmins."""

from __future__ import annotations

from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError


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
