"""Recovery for a user who lost their authenticator and backup codes (run by ops)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Remove a user's two-factor devices and log them out everywhere; they enrol again at next login. "
        "Check the person's identity first. The reset is recorded in their security history."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="The user's login e-mail address.")
        parser.add_argument("--reason", default="", help="Why (e.g. a ticket number); stored with the event.")

    def handle(self, *args, email: str, reason: str, **options) -> None:
        user = User.objects.filter(email=User.objects.normalize_email(email)).first()
        if user is None:
            raise CommandError(f"No user with e-mail address {email!r}.")
        deleted = services.two_factor_reset(user=user, actor=None, reason=reason)
        self.stdout.write(
            self.style.SUCCESS(f"Two-factor reset for {user.email}: {deleted} device(s) removed, sessions ended.")
        )
