"""Portal and admin forms of the symptom checker."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from records.forms import ICD10CodeField
from records.models import Encounter

MAX_PICKED = 5
MAX_TEXT = 2000


def finding_choices(kb) -> dict[str, str]:
    """Lay label (case-folded) -> finding code, for the autocomplete list (first one wins)."""
    choices: dict[str, str] = {}
    for code, finding in kb.findings.items():
        if finding.kind == "duration":
            continue
        for label in (finding.lay, finding.label):
            key = " ".join((label or "").split()).casefold()
            if key and key not in choices:
                choices[key] = code
    return choices


def finding_options(kb) -> list[str]:
    """The labels offered in the datalist: each finding's lay label, sorted."""
    labels = {" ".join(f.lay.split()) for f in kb.findings.values() if f.kind != "duration" and f.lay}
    return sorted(labels, key=str.casefold)


class SymptomCheckForm(forms.Form):
    text = forms.CharField(
        label=_("Describe how you feel, in your own words"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_TEXT,
        required=False,
        help_text=_("For example: “bad headache since this morning, threw up twice, no fever”."),
    )
    # Up to five findings picked from the list (typed freely without JavaScript; validated here).
    finding_1 = forms.CharField(label=_("Symptom"), required=False, max_length=200)
    finding_2 = forms.CharField(label=_("Symptom"), required=False, max_length=200)
    finding_3 = forms.CharField(label=_("Symptom"), required=False, max_length=200)
    finding_4 = forms.CharField(label=_("Symptom"), required=False, max_length=200)
    finding_5 = forms.CharField(label=_("Symptom"), required=False, max_length=200)

    def __init__(self, *args, choices: Mapping[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        for i in range(1, MAX_PICKED + 1):
            self.fields[f"finding_{i}"].widget.attrs.update({"list": "finding-options", "autocomplete": "off"})

    @property
    def finding_fields(self):
        return [self[f"finding_{i}"] for i in range(1, MAX_PICKED + 1)]

    def clean(self):
        data = super().clean()
        picked: dict[str, bool] = {}
        for i in range(1, MAX_PICKED + 1):
            value = " ".join((data.get(f"finding_{i}") or "").split()).casefold()
            if not value:
                continue
            code = self.choices.get(value)
            if code is None:
                self.add_error(f"finding_{i}", _("Please pick a symptom from the list."))
                continue
            picked[code] = True
        if not (data.get("text") or "").strip() and not picked and not self.errors:
            raise forms.ValidationError(_("Tell us how you feel, or pick at least one symptom."))
        data["picked"] = picked
        return data


class AnswerForm(forms.Form):
    code = forms.CharField(max_length=100)
    present = forms.TypedChoiceField(choices=[("yes", "yes"), ("no", "no")], coerce=lambda v: v == "yes")

    def __init__(self, *args, kb, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kb = kb

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if code not in self.kb.findings:
            raise forms.ValidationError(_("Unknown finding."))
        return code


class ConfirmForm(forms.Form):
    encounter = forms.ModelChoiceField(queryset=Encounter.objects.none(), label=_("Visit"))
    icd10_code = ICD10CodeField(label=_("Confirmed diagnosis (ICD-10-CM)"))

    def __init__(self, *args, patient, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["encounter"].queryset = Encounter.objects.filter(
            patient=patient, entered_in_error=False
        ).order_by("-start")
