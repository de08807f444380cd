"""Close waiting-list entries that can no longer be served. Run it from cron, e.g.

    5 * * * *  cd /srv/clinic && .venv/bin/python manage.py expire_waitlist

An entry expires when its last wanted day has passed, or when its offer went unanswered for
``WAITLIST_OFFER_HOURS`` while the slot stayed free. Expired entries are never offered again.
Running it again changes nothing new. Each patient whose entry it expires (and who has an
e-mail address) is told once, after the expiry has committed; a failed e-mail is logged and
counted, and the expiry stands.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from appointments.services import waitlist_expire, waitlist_expiry_notify


class Command(BaseCommand):
    help = (
        "Expire waiting-list entries whose dates have passed or whose offer lapsed unanswered; "
        "put offers of a slot someone else took back to waiting; e-mail the patients whose place ended."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; change nothing.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        result = waitlist_expire(dry_run=dry_run)  # commits before any e-mail goes out
        prefix = "would be " if dry_run else ""
        self.stdout.write(f"{result.window_passed} entry(ies) past their dates {prefix}expired.")
        self.stdout.write(f"{result.offers_lapsed} entry(ies) with an unanswered offer {prefix}expired.")
        self.stdout.write(
            f"{result.offers_withdrawn} entry(ies) whose offered slot was taken {prefix}put back to waiting."
        )
        total = result.window_passed + result.offers_lapsed
        verb = "would expire" if dry_run else "expired"
        self.stdout.write(self.style.SUCCESS(f"Waiting list: {verb} {total} entry(ies)."))
        if dry_run:
            return
        notices = waitlist_expiry_notify(expiry=result)
        self.stdout.write(f"{notices.sent} expiry e-mail(s) sent.")
        if notices.failed:
            self.stdout.write(self.style.WARNING(f"{notices.failed} expiry e-mail(s) could not be sent (see the log)."))
