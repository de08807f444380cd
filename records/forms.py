from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from records import icd10
from records.models import Patient
from records.services.access import BREAK_GLASS_REASON_MIN_LENGTH
from records.services.documents import document_check
from records.services.patients import CONTACT_FIELDS

MAX_AGE_YEARS = 120


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def validate_birth_date(value: dt.date) -> None:
    today = timezone.localdate()
    if value > today:
        raise forms.ValidationError(_("The date of birth is in the future."), code="future")
    oldest = dt.date(today.year - MAX_AGE_YEARS, today.month, 28 if (today.month, today.day) == (2, 29) else today.day)
    if value < oldest:
        raise forms.ValidationError(
            _("The date of birth is more than %(n)d years ago.") % {"n": MAX_AGE_YEARS}, code="too_old"
        )


class _PasswordPairMixin:
    def _clean_password_pair(self, user: User) -> None:
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
            return
        if password1:
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)


class RegistrationForm(_PasswordPairMixin, forms.Form):
    given_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    family_name = forms.CharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput({"autocomplete": "family-name"})
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput(), validators=[validate_birth_date])
    sex = forms.ChoiceField(label=_("Sex"), choices=Patient.Sex.choices)
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput({"autocomplete": "email"}))
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, widget=forms.TextInput({"autocomplete": "tel"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput({"autocomplete": "new-password"})
    )

    def clean_email(self) -> str:
        # A taken address is not a form error: that would tell anyone which addresses have an
        # account (records.services.patient_self_register e-mails the owner instead).
        return User.objects.normalize_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        user = User(
            email=cleaned.get("email", ""),
            first_name=cleaned.get("given_name", ""),
            last_name=cleaned.get("family_name", ""),
        )
        self._clean_password_pair(user)
        return cleaned


class InvitationPasswordForm(_PasswordPairMixin, forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput({"autocomplete": "new-password"})
    )

    def __init__(self, *args, patient: Patient, **kwargs):
        self.patient = patient
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        user = User(email=self.patient.email, first_name=self.patient.given_name, last_name=self.patient.family_name)
        self._clean_password_pair(user)
        return cleaned


class ContactForm(forms.ModelForm):
    """What a patient may change about themselves; names and birth date are changed by staff."""

    class Meta:
        model = Patient
        fields = CONTACT_FIELDS


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for opening this record"),
        min_length=BREAK_GLASS_REASON_MIN_LENGTH,
        max_length=500,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Your name, the time and this reason are recorded and reviewed by the clinic administrators."),
    )


class ICD10CodeField(forms.CharField):
    """A plain text input that accepts only ICD-10-CM codes (``J06.9`` or ``j069``); the admin
    adds a suggestion list (datalist) from the code table when JavaScript runs."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("label", _("ICD-10-CM code"))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"class": "icd10-input", "list": "icd10-suggestions", "autocomplete": "off"})
        return attrs

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        code = icd10.normalise(value)
        if not icd10.is_valid(code):
            raise forms.ValidationError(_("“%(code)s” is not an ICD-10-CM code.") % {"code": value}, code="invalid")
        return code


class DocumentUploadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=[])
    file = forms.FileField(label=_("File (PDF, PNG or JPEG)"))

    def __init__(self, *args, **kwargs):
        from records.models import Document

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Document.Kind.choices

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        document_check(uploaded)
        return uploaded
