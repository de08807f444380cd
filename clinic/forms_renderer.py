"""The form renderer: Django's, with the project's templates/ searched first, so that a widget
template can be overridden there (templates/admin/widgets/split_datetime.html labels the date
and time inputs of the admin's date-time fields)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property


class ProjectDjangoTemplates(DjangoTemplates):
    @cached_property
    def engine(self):
        import django.forms

        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [Path(settings.BASE_DIR) / "templates", Path(django.forms.__file__).parent / "templates"],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )
