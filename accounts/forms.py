from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, labelled for e-mail, with one message for every failure."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        # The same words for an unknown address, a wrong password and an inactive account,
        # so the form reveals nothing about which accounts exist.
        "invalid_login": _("That e-mail address and password do not match an active account."),
        "inactive": _("That e-mail address and password do not match an active account."),
    }
