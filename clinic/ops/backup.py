"""Consistent backups and verified restores of the configured database.

An archive is a ``.tar.gz`` holding ``manifest.json`` and one data file: ``data.sqlite3`` (a copy
made with SQLite's online backup API) or ``data.sql`` (``mariadb-dump --single-transaction``).
The manifest records when, from which backend, the schema version (latest applied migration
per app), the sha256 of the data file and a row count and checksum per table
(``clinic.ops.manifest``). A restore refuses a non-empty database unless forced, loads the
data, recomputes the manifest and fails loudly on any difference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.utils import load_backend

from clinic.ops import manifest as manifests
from clinic.ops.manifest import Progress

MANIFEST_NAME = "manifest.json"
DATA_NAMES = {"sqlite": "data.sqlite3", "mysql": "data.sql"}
MANIFEST_MAX_BYTES = 10 * 1024 * 1024
SNAPSHOT_ATTEMPTS = 3


class BackupError(Exception):
    """A backup or restore could not be done; the message is one line for the operator."""


def _quiet(message: str) -> None:
    pass


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _private_dir(parent: Path | None = None) -> Path:
    return Path(tempfile.mkdtemp(prefix="clinic-backup-", dir=parent))


@contextmanager
def separate_connection(settings_dict: dict[str, Any], **overrides: Any) -> Iterator[BaseDatabaseWrapper]:
    """A separate Django connection (its own transaction) to the same or another database."""
    alias = f"backup-{uuid.uuid4().hex[:8]}"
    conn = load_backend(settings_dict["ENGINE"]).DatabaseWrapper({**settings_dict, **overrides}, alias=alias)
    # Registered for this thread only: Django's introspection looks connections up by alias.
    connections[alias] = conn
    try:
        yield conn
    finally:
        conn.close()
        del connections[alias]


def default_output_path(vendor: str, now: dt.datetime) -> Path:
    return Path(settings.BASE_DIR) / "var" / "backups" / f"clinic-{vendor}-{now:%Y%m%dT%H%M%SZ}.tar.gz"


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_dump(conn: BaseDatabaseWrapper, target: Path, progress: Progress) -> dict[str, Any]:
    conn.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        # Online backup: a consistent copy page by page while the app keeps running.
        conn.connection.backup(destination, pages=1024)
    finally:
        destination.close()
    progress(f"Copied the SQLite database ({target.stat().st_size} bytes).")
    # Summarise the copy itself, so manifest and data are the same snapshot by construction.
    options = {k: v for k, v in conn.settings_dict.get("OPTIONS", {}).items() if k != "init_command"}
    with separate_connection(conn.settings_dict, NAME=str(target), OPTIONS=options) as copy:
        return manifests.database_manifest(copy, progress)


def _sqlite_load(conn: BaseDatabaseWrapper, data: Path, progress: Progress) -> None:
    conn.close()
    conn.ensure_connection()
    source = sqlite3.connect(data)
    try:
        source.backup(conn.connection, pages=1024)
    finally:
        source.close()
    progress("Copied the backup into the SQLite database.")


# --- MariaDB / MySQL ----------------------------------------------------------------------


def _option_value(value: Any) -> str:
    text = str(value)
    if any(c in text for c in "\n\r"):
        raise BackupError("database settings contain a line break; cannot write a client option file")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def _mysql_option_file(settings_dict: dict[str, Any]) -> Iterator[Path]:
    """Credentials for the mariadb client tools in a 0600 file, never on the command line."""
    options = settings_dict.get("OPTIONS", {})
    lines = ["[client]"]
    for key, value in (
        ("user", settings_dict.get("USER")),
        ("password", settings_dict.get("PASSWORD")),
        ("host", settings_dict.get("HOST")),
        ("port", settings_dict.get("PORT")),
        ("socket", options.get("unix_socket")),
    ):
        if value:
            lines.append(f"{key}={_option_value(value)}")
    lines.append("default-character-set=utf8mb4")
    folder = _private_dir()
    path = folder / "client.cnf"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("\n".join(lines) + "\n")
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _client_tool(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise BackupError(f"{names[0]} is not installed (Debian package mariadb-client)")


def _run(command: list[str], *, stdin=None, stdout=None, what: str) -> None:
    result = subprocess.run(command, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, check=False)  # noqa: S603
    if result.returncode != 0:
        lines = result.stderr.decode(errors="replace").strip().splitlines()
        raise BackupError(f"{what} failed: {lines[-1] if lines else f'exit status {result.returncode}'}")


def _mysql_snapshot_manifest(conn: BaseDatabaseWrapper, progress: Progress) -> dict[str, Any]:
    with separate_connection(conn.settings_dict) as reader:
        with reader.cursor() as cursor:
            cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
        try:
            return manifests.database_manifest(reader, progress)
        finally:
            with reader.cursor() as cursor:
                cursor.execute("COMMIT")


def _mysql_fingerprint(conn: BaseDatabaseWrapper) -> dict[str, Any]:
    with separate_connection(conn.settings_dict) as reader, reader.cursor() as cursor:
        tables = sorted(reader.introspection.table_names(cursor))
        if not tables:
            return {}
        cursor.execute("CHECKSUM TABLE " + ", ".join(reader.ops.quote_name(t) for t in tables))
        return dict(cursor.fetchall())


def _mysql_dump(conn: BaseDatabaseWrapper, target: Path, progress: Progress) -> dict[str, Any]:
    dump = _client_tool("mariadb-dump", "mysqldump")
    with _mysql_option_file(conn.settings_dict) as option_file:
        command = [
            dump, f"--defaults-extra-file={option_file}", "--single-transaction", "--quick",
            "--hex-blob", "--triggers", "--skip-dump-date", "--no-tablespaces",
            "--default-character-set=utf8mb4", conn.settings_dict["NAME"],
        ]  # fmt: skip
        # mariadb-dump's snapshot cannot be shared, so the manifest is read in a snapshot of its
        # own right after the dump. Server-side CHECKSUM TABLE (fast) before the dump and after
        # the manifest proves nothing changed in between, so both saw the same data.
        for attempt in range(1, SNAPSHOT_ATTEMPTS + 1):
            before = _mysql_fingerprint(conn)
            with open(target, "wb") as handle:
                _run(command, stdout=handle, what="mariadb-dump")
            progress(f"Dumped the database with mariadb-dump ({target.stat().st_size} bytes).")
            manifest = _mysql_snapshot_manifest(conn, progress)
            if _mysql_fingerprint(conn) == before:
                return manifest
            progress(f"The database changed during the dump (attempt {attempt} of {SNAPSHOT_ATTEMPTS}); again.")
    raise BackupError("the database kept changing during the dump; run the backup again in a quieter moment")


def _mysql_drop_all_tables(conn: BaseDatabaseWrapper) -> None:
    with conn.cursor() as cursor:
        tables = conn.introspection.table_names(cursor)
        cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
        try:
            for table in tables:
                cursor.execute(f"DROP TABLE {conn.ops.quote_name(table)}")
        finally:
            cursor.execute("SET FOREIGN_KEY_CHECKS = 1")


def _mysql_load(conn: BaseDatabaseWrapper, data: Path, progress: Progress) -> None:
    client = _client_tool("mariadb", "mysql")
    with _mysql_option_file(conn.settings_dict) as option_file, open(data, "rb") as handle:
        command = [client, f"--defaults-extra-file={option_file}", "--batch", conn.settings_dict["NAME"]]
        _run(command, stdin=handle, what="mariadb (loading the dump)")
    conn.close()  # the schema changed under this connection
    progress("Loaded the dump into the database.")


# --- Archive ------------------------------------------------------------------------------


def _private_member(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


def _write_archive(output: Path, manifest: dict[str, Any], data: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = output.with_name(f".{output.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as archive:
            encoded = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size, info.mode, info.mtime = len(encoded), 0o600, int(dt.datetime.now(dt.UTC).timestamp())
            archive.addfile(info, io.BytesIO(encoded))
            archive.add(data, arcname=manifest["data"]["file"], recursive=False, filter=_private_member)
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _read_archive(path: Path, folder: Path) -> tuple[dict[str, Any], Path]:
    """Extract the manifest and data file into ``folder``; reject anything else in the archive."""
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            members = {m.name: m for m in archive.getmembers()}
            if MANIFEST_NAME not in members or len(members) != 2:
                raise BackupError("not a clinic backup: expected manifest.json and one data file")
            if not all(m.isfile() for m in members.values()) or members[MANIFEST_NAME].size > MANIFEST_MAX_BYTES:
                raise BackupError("not a clinic backup: unexpected archive members")
            manifest = json.load(archive.extractfile(members[MANIFEST_NAME]))
            data_name = manifest.get("data", {}).get("file") if isinstance(manifest, dict) else None
            if data_name not in DATA_NAMES.values() or data_name not in members:
                raise BackupError("not a clinic backup: the manifest names no data file in the archive")
            data = folder / data_name
            with archive.extractfile(members[data_name]) as source, open(data, "wb") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error, AttributeError) as exc:
        raise BackupError(f"the backup file is unreadable or corrupt: {type(exc).__name__}") from exc
    if manifest.get("format") != manifests.FORMAT or manifest.get("format_version") != manifests.FORMAT_VERSION:
        raise BackupError("not a clinic backup, or a format this version cannot read")
    if not (
        manifest.get("vendor") in DATA_NAMES
        and isinstance(manifest.get("migrations"), dict)
        and isinstance(manifest.get("tables"), dict)
        and all(isinstance(t, dict) and {"rows", "sha256"} <= t.keys() for t in manifest["tables"].values())
    ):
        raise BackupError("the backup's manifest is malformed")
    if _sha256_file(data) != manifest["data"].get("sha256"):
        raise BackupError("the backup is corrupt or was altered: the data file does not match its checksum")
    return manifest, data


# --- Entry points -------------------------------------------------------------------------


def backup_create(*, alias: str = "default", output: Path | None = None, progress: Progress = _quiet) -> Path:
    """Write a consistent backup of database ``alias`` and return the archive's path."""
    conn = connections[alias]
    vendor = conn.vendor
    if vendor not in DATA_NAMES:
        raise BackupError(f"backups of {vendor} databases are not supported (only SQLite and MariaDB/MySQL)")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    output = Path(output) if output is not None else default_output_path(vendor, now)
    if output.exists():
        raise BackupError(f"{output} already exists; choose another --output")
    progress(f"Backing up the {vendor} database {conn.settings_dict['NAME']} ...")
    folder = _private_dir()
    try:
        data = folder / DATA_NAMES[vendor]
        summary = (_sqlite_dump if vendor == "sqlite" else _mysql_dump)(conn, data, progress)
        manifest = {
            "format": manifests.FORMAT,
            "format_version": manifests.FORMAT_VERSION,
            "created_at": now.isoformat().replace("+00:00", "Z"),
            "vendor": vendor,
            "django_version": django.get_version(),
            "data": {"file": data.name, "bytes": data.stat().st_size, "sha256": _sha256_file(data)},
            **summary,
        }
        _write_archive(output, manifest, data)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    progress(f"Wrote {output}: {len(manifest['tables'])} tables, {rows} rows.")
    return output


def _unknown_migrations(conn: BaseDatabaseWrapper, backup_state: dict[str, str]) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(f"{app}.{name}" for app, name in backup_state.items() if (app, name) not in known)


def backup_restore(
    *, archive: Path, alias: str = "default", force: bool = False, progress: Progress = _quiet
) -> dict[str, Any]:
    """Restore ``archive`` into database ``alias`` and verify it against the manifest."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"no such backup file: {archive}")
    conn = connections[alias]
    folder = _private_dir()
    try:
        manifest, data = _read_archive(archive, folder)
        progress(f"Read {archive.name}: a {manifest['vendor']} backup made {manifest['created_at']}.")
        if manifest["vendor"] != conn.vendor:
            raise BackupError(f"this is a {manifest['vendor']} backup and the database is {conn.vendor}")
        unknown = _unknown_migrations(conn, manifest["migrations"])
        if unknown:
            raise BackupError(f"the backup was made by newer code (unknown migration {unknown[0]}); deploy it first")
        with conn.cursor() as cursor:
            existing = conn.introspection.table_names(cursor)
        if existing and not force:
            raise BackupError(f"the database is not empty ({len(existing)} tables); use --force to replace it")
        if existing:
            progress(f"Replacing {len(existing)} existing tables (--force).")
        if conn.vendor == "sqlite":
            _sqlite_load(conn, data, progress)
        else:
            if existing:
                _mysql_drop_all_tables(conn)
            _mysql_load(conn, data, progress)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    progress("Verifying the restored data against the manifest ...")
    actual = manifests.database_manifest(conn, progress)
    problems = manifests.differences({"migrations": manifest["migrations"], "tables": manifest["tables"]}, actual)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise BackupError(f"the restored database does not match the backup: {problems[0]}{more}")
    rows = sum(t["rows"] for t in actual["tables"].values())
    progress(f"Restored and verified {len(actual['tables'])} tables, {rows} rows.")
    return actual
