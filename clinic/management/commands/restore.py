from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from clinic.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into an empty database, then recompute "
        "every table's row count and checksum and compare them with the backup's manifest."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path, help="The .tar.gz written by `manage.py backup`.")
        parser.add_argument(
            "--force", action="store_true", help="Replace the contents of a database that is not empty."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")

    def handle(self, *args, archive: Path, force: bool, database: str, **options) -> None:
        try:
            backup_restore(archive=archive, alias=database, force=force, progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("Restore verified: every table matches the backup."))
