from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments.models import AppointmentType, Provider, WaitlistEntry
from clinic.specialties import SPECIALTIES

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


class ReadChoiceField(forms.TypedChoiceField):
    """A choice among objects the view has already read: checked and returned without a query
    (a ModelChoiceField reads its queryset again to validate and again to render)."""

    def __init__(self, *, objects=(), **kwargs):
        super().__init__(empty_value=None, **kwargs)
        self.set_objects(objects)

    def set_objects(self, objects) -> None:
        by_key = {str(item.pk): item for item in objects}
        self.choices = [("", "---------")] + [(key, str(item)) for key, item in by_key.items()]
        self.coerce = by_key.__getitem__


class BookingSearchForm(forms.Form):
    """The booking page's choices, read from the query string (GET). ``types`` and ``providers``
    are lists the view has read; the page writes both selects itself."""

    specialty = forms.ChoiceField(label=_("Specialty"), choices=list(SPECIALTIES.items()), required=False)
    reason = forms.CharField(label=_("Reason for visit"), max_length=500, required=False)
    appointment_type = ReadChoiceField(label=_("Type of appointment"), required=False)
    provider = ReadChoiceField(label=_("Provider"), required=False)
    week = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, types: list[AppointmentType], providers: list[ProviderChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].set_objects(types)
        self.fields["provider"].set_objects(providers)
        self.fields["reason"].widget.attrs["class"] = "form-control"


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
