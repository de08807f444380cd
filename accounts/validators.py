"""Password policy beyond Django's built-in validators."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


class MaximumLengthValidator:
    """Reject passwords longer than ``max_length`` characters (default 128).

    Long passphrases are welcome (OWASP ASVS asks that at least 64 characters be allowed);
    the cap only stops megabyte-sized "passwords" from being hashed on every login attempt.
    """

    def __init__(self, max_length: int = 128) -> None:
        if max_length < 64:
            raise ValueError("The maximum password length must allow at least 64 characters.")
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max_length)d character.",
                    "This password is too long. It must contain at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password can be up to %(max_length)d character long; a passphrase is fine.",
            "Your password can be up to %(max_length)d characters long; a passphrase is fine.",
            self.max_length,
        ) % {"max_length": self.max_length}
