"""backup and restore: a consistent archive with a manifest, restored into a scratch database
and compared table by table; bad input ends in a one-line CommandError."""

from __future__ import annotations

import io
import json
import stat
import tarfile
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts import roles
from accounts.models import User
from accounts.tests.factories import StaffFactory, UserFactory
from clinic.ops import backup as backups
from clinic.ops.manifest import database_manifest


@pytest.fixture(scope="module")
def plain_archive(tmp_path_factory, django_db_setup, django_db_blocker) -> Path:
    """A backup of the freshly migrated test database (roles, permissions), made once: the
    tests that only need *a* backup restore it into a scratch database and leave the test
    database untouched, so they need no slow transactional flush."""
    path = tmp_path_factory.mktemp("backup") / "plain.tar.gz"
    with django_db_blocker.unblock():
        _backup(path)
    return path


@pytest.fixture
def scratch(tmp_path, django_db_blocker):
    """An empty database beside the test database: a temp file on SQLite, a scratch database on
    MariaDB. Yields its (temporarily registered) connection."""
    with django_db_blocker.unblock():
        yield from _scratch(tmp_path)


def _scratch(tmp_path):
    if connection.vendor == "sqlite":
        with backups.separate_connection(connection.settings_dict, NAME=str(tmp_path / "scratch.sqlite3")) as conn:
            yield conn
        return
    name = f"{connection.settings_dict['NAME']}_scratch"
    quoted = connection.ops.quote_name(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
        cursor.execute(f"CREATE DATABASE {quoted} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        with backups.separate_connection(connection.settings_dict, NAME=name) as conn:
            yield conn
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")


@pytest.fixture
def some_data(db):
    UserFactory(email="zoë@example.org", first_name="Zoë", last_name='O\'Brien "Quote"', roles=[roles.PATIENT])
    UserFactory.create_batch(5, roles=[roles.PATIENT])
    StaffFactory(email="dr@example.org", roles=[roles.DOCTOR])


def _backup(path: Path) -> str:
    out = StringIO()
    call_command("backup", "--output", str(path), stdout=out)
    return out.getvalue()


def _restore(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


def _manifest_of(path: Path) -> dict:
    with tarfile.open(path, "r:gz") as archive:
        return json.load(archive.extractfile("manifest.json"))


def _rewrite(source: Path, target: Path, *, manifest=None, data: bytes | None = None) -> None:
    """Copy an archive, replacing its manifest and/or its data file's bytes."""
    with tarfile.open(source, "r:gz") as old:
        members = {m.name: old.extractfile(m).read() for m in old.getmembers()}
    original = json.loads(members.pop("manifest.json"))
    new_manifest = manifest(original) if manifest else original
    (data_name,) = members
    if data is not None:
        members[data_name] = data
    with tarfile.open(target, "w:gz") as new:
        for name, content in [("manifest.json", json.dumps(new_manifest).encode()), *members.items()]:
            info = tarfile.TarInfo(new_manifest["data"]["file"] if name == data_name else name)
            info.size = len(content)
            new.addfile(info, io.BytesIO(content))


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_every_table_back(tmp_path, some_data, scratch):
    archive = tmp_path / "clinic.tar.gz"
    output = _backup(archive)
    assert f"Backing up the {connection.vendor} database" in output
    assert f"Backup written: {archive}" in output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # health data: owner only

    manifest = _manifest_of(archive)
    assert manifest["vendor"] == connection.vendor
    assert manifest["created_at"].endswith("Z")
    assert manifest["migrations"]["accounts"].startswith("0")
    assert manifest["tables"]["accounts_user"]["rows"] == User.objects.count() == 7

    # Into a scratch database: every table's row count and checksum comes back.
    out = _restore(archive, "--database", scratch.alias)
    assert "Restore verified" in out
    source, restored = database_manifest(connection), database_manifest(scratch)
    assert set(restored["tables"]) == set(source["tables"]) == set(manifest["tables"])
    for table, summary in source["tables"].items():
        assert restored["tables"][table] == summary == manifest["tables"][table], table
    assert restored["migrations"] == source["migrations"] == manifest["migrations"]
    with scratch.cursor() as cursor:
        cursor.execute("SELECT last_name FROM accounts_user WHERE email = %s", ["zoë@example.org"])
        assert cursor.fetchone() == ('O\'Brien "Quote"',)

    # Over the changed live database, with --force: the backed-up state is back.
    UserFactory(email="after-the-backup@example.org")
    User.objects.filter(email="zoë@example.org").delete()
    output = _restore(archive, "--force")
    assert "Replacing" in output
    assert "Restored and verified" in output
    assert not User.objects.filter(email="after-the-backup@example.org").exists()
    assert User.objects.filter(email="zoë@example.org").exists()


def test_restore_refuses_a_database_that_is_not_empty(plain_archive, django_db_blocker):
    with django_db_blocker.unblock(), pytest.raises(CommandError, match=r"not empty \(\d+ tables\); use --force"):
        _restore(plain_archive)


def test_restore_rejects_an_altered_data_file(tmp_path, plain_archive, scratch):
    archive, altered = plain_archive, tmp_path / "altered.tar.gz"
    _rewrite(archive, altered, data=b"-- not the data that was backed up\n")
    with pytest.raises(CommandError, match="corrupt or was altered"):
        _restore(altered, "--database", scratch.alias)


def test_restore_fails_when_the_restored_tables_do_not_match_the_manifest(tmp_path, plain_archive, scratch):
    archive, altered = plain_archive, tmp_path / "altered.tar.gz"

    def claim_another_checksum(manifest):
        manifest["tables"]["auth_group"]["sha256"] = "0" * 64
        return manifest

    _rewrite(archive, altered, manifest=claim_another_checksum)
    with pytest.raises(CommandError, match="does not match the backup: auth_group: checksum differs"):
        _restore(altered, "--database", scratch.alias)


def test_restore_rejects_a_backup_from_another_backend(tmp_path, plain_archive, scratch):
    archive, other = plain_archive, tmp_path / "other.tar.gz"
    other_vendor = "mysql" if connection.vendor == "sqlite" else "sqlite"

    def from_other_backend(manifest):
        manifest["vendor"] = other_vendor
        manifest["data"]["file"] = backups.DATA_NAMES[other_vendor]
        return manifest

    _rewrite(archive, other, manifest=from_other_backend)
    with pytest.raises(CommandError, match=f"this is a {other_vendor} backup and the database is {connection.vendor}"):
        _restore(other, "--database", scratch.alias)


def test_restore_rejects_a_backup_made_by_newer_code(tmp_path, plain_archive, scratch):
    archive, newer = plain_archive, tmp_path / "newer.tar.gz"

    def newer_schema(manifest):
        manifest["migrations"]["accounts"] = "9999_from_the_future"
        return manifest

    _rewrite(archive, newer, manifest=newer_schema)
    with pytest.raises(CommandError, match="newer code .*accounts.9999_from_the_future"):
        _restore(newer, "--database", scratch.alias)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a backup", "unreadable or corrupt"),
        (b"\x1f\x8b\x08\x00 truncated gzip", "unreadable or corrupt"),
    ],
)
def test_restore_rejects_a_file_that_is_not_a_backup(tmp_path, content, message):
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        _restore(bad)


def test_restore_rejects_an_archive_with_other_members(tmp_path):
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as archive:
        info = tarfile.TarInfo("../../etc/evil")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(CommandError, match="not a clinic backup"):
        _restore(bad)


def test_restore_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such backup file"):
        _restore(tmp_path / "nope.tar.gz")


def test_backup_will_not_overwrite_an_existing_file(tmp_path):
    existing = tmp_path / "clinic.tar.gz"
    existing.write_bytes(b"precious")
    with pytest.raises(CommandError, match="already exists"):
        _backup(existing)
    assert existing.read_bytes() == b"precious"


def test_mariadb_credentials_go_in_a_private_option_file_never_the_command_line():
    settings_dict = {"USER": "clinic", "PASSWORD": 'pa"ss\\word', "HOST": "db.internal", "PORT": "3307"}
    with backups._mysql_option_file(settings_dict) as path:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        content = path.read_text()
    assert 'password="pa\\"ss\\\\word"' in content
    assert 'host="db.internal"' in content
    assert not path.exists()


def test_a_mariadb_dump_is_retried_while_the_database_changes_and_then_refused(tmp_path, monkeypatch):
    fingerprints = iter([{"t": 1}, {"t": 2}] * backups.SNAPSHOT_ATTEMPTS)  # changes every time
    dumps = []
    monkeypatch.setattr(backups, "_client_tool", lambda *names: "mariadb-dump")
    monkeypatch.setattr(backups, "_mysql_fingerprint", lambda conn: next(fingerprints))
    monkeypatch.setattr(backups, "_mysql_snapshot_manifest", lambda conn, progress: {"migrations": {}, "tables": {}})
    monkeypatch.setattr(backups, "_run", lambda command, **kwargs: dumps.append(command))
    conn = mock.Mock(settings_dict={"NAME": "clinic", "USER": "clinic", "PASSWORD": "secret"})
    messages = []

    with pytest.raises(backups.BackupError, match="kept changing during the dump"):
        backups._mysql_dump(conn, tmp_path / "data.sql", messages.append)

    assert len(dumps) == backups.SNAPSHOT_ATTEMPTS
    assert all("secret" not in " ".join(command) for command in dumps)
    assert "--single-transaction" in dumps[0]
    assert sum("changed during the dump" in m for m in messages) == backups.SNAPSHOT_ATTEMPTS
