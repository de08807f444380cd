from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from clinic.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database (SQLite: online backup API; MariaDB: "
        "mariadb-dump --single-transaction) with a manifest of the schema version and a row "
        "count and checksum per table, as one .tar.gz. Encrypt it at rest (see the README)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output", type=Path, help="Archive to write (default: var/backups/clinic-<backend>-<time>.tar.gz)."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")

    def handle(self, *args, output: Path | None, database: str, **options) -> None:
        try:
            path = backup_create(alias=database, output=output, progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written: {path}"))
