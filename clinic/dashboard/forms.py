from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.dashboard.kpis import MAX_RANGE_DAYS, default_range


class DateRangeForm(forms.Form):
    """The clinic admin's KPI range (GET ``start``/``end``, local dates, both included)."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        cleaned = super().clean()
        default_first, default_last = default_range(self.today)
        first = cleaned.get("start") or default_first
        last = cleaned.get("end") or default_last
        if first > last:
            raise forms.ValidationError(_("The start date must not be after the end date."), code="order")
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            raise forms.ValidationError(_("Choose at most %(days)d days.") % {"days": MAX_RANGE_DAYS}, code="too_long")
        cleaned["start"], cleaned["end"] = first, last
        return cleaned

    def range(self) -> tuple[date, date]:
        """The valid range asked for, or the default (last 30 days) when the input is invalid."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return default_range(self.today)
