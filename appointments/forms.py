from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments.models import AppointmentType, Provider, WaitlistEntry

if TYPE_CHECKING:
    from appointments.selectors import ProviderChoice


class TimestampField(forms.IntegerField):
    """A moment passed as a Unix timestamp (no time-zone or '+' escaping problems in URLs)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise forms.ValidationError(_("Not a valid time."), code="invalid") from exc

    def prepare_value(self, value):
        return int(value.timestamp()) if isinstance(value, datetime) else value


class ReadChoiceField(forms.Field):
    """A choice among objects the view has already read, by key: checked and returned without a
    query (a ModelChoiceField reads its queryset again to validate and again to render). It
    has no widget choices: the page writes its select itself (a big team is a hundred options)."""

    default_error_messages = {
        "invalid_choice": _("Select a valid choice. That choice is not one of the available choices."),
    }

    def __init__(self, *, objects=(), **kwargs):
        super().__init__(**kwargs)
        self.set_objects(objects)

    def set_objects(self, objects) -> None:
        self.objects = {str(item.pk): item for item in objects}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.objects[str(value)]
        except KeyError:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class BookingSearchForm(forms.Form):
    """The booking page's choices, read from the query string (GET). ``types`` and ``providers``
    are lists the view has read; the page writes its selects itself. The specialty is the view's
    (it falls back when nobody practises the one asked for)."""

    reason = forms.CharField(label=_("Reason for visit"), max_length=500, required=False)
    appointment_type = ReadChoiceField(label=_("Type of appointment"), required=False)
    provider = ReadChoiceField(label=_("Provider"), required=False)
    week = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, types: list[AppointmentType], providers: list[ProviderChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].set_objects(types)
        self.fields["provider"].set_objects(providers)


class BookingConfirmForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=Provider.objects.filter(active=True), widget=forms.HiddenInput)
    appointment_type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.filter(active=True, bookable_online=True), widget=forms.HiddenInput
    )
    start = TimestampField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for visit (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A few words help the clinic prepare. Do not include anything urgent: call instead."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)


class RescheduleForm(forms.Form):
    new_start = TimestampField(widget=forms.HiddenInput)


class WaitlistJoinForm(forms.ModelForm):
    class Meta:
        model = WaitlistEntry
        fields = ["appointment_type", "provider", "earliest_date", "latest_date", "reason"]
        widgets = {
            "earliest_date": forms.DateInput(attrs={"type": "date"}),
            "latest_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, types, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].queryset = types
        self.fields["provider"].queryset = providers
        self.fields["provider"].required = False
        self.fields["provider"].empty_label = _("Any provider")
        self.fields["provider"].label_from_instance = lambda p: p.display_name

    def clean(self):
        cleaned = super().clean()
        earliest, latest = cleaned.get("earliest_date"), cleaned.get("latest_date")
        today = timezone.localdate()
        if earliest and earliest < today:
            self.add_error("earliest_date", _("Choose today or a later date."))
        if earliest and latest:
            if latest < earliest:
                self.add_error("latest_date", _("The latest date must not be before the earliest date."))
            elif latest - earliest > timedelta(days=90):
                self.add_error("latest_date", _("Wait for at most 90 days at a time."))
        return cleaned

    def _post_clean(self):
        # The entry is built by the service (patient from the login, specialty from the page).
        pass
