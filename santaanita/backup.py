"""Backups of the whole platform and their restore: the database, the media and a manifest.

One archive, ``santaanita-YYYYmmdd-HHMMSS.tar.gz`` (UTC), holds:

- ``database.sqlite3`` (the embedded mode, copied with SQLite's online backup API, so the
  platform may keep running) or ``database.pgdump`` (``pg_dump --format=custom``);
- ``media/…``: every file of the default storage, read through Django's Storage API, so a
  local folder and an S3-compatible store are backed up the same way;
- ``manifest.json``: the row count of every table and the sha256 of every media file and of
  the database dump, which a restore checks against what it restored.

The row counts are taken inside the very snapshot that was dumped (the SQLite copy itself;
on PostgreSQL a repeatable-read transaction whose snapshot ``pg_dump --snapshot`` shares),
so a backup taken while residents register still matches its own manifest.

A restore only goes into an empty database and an empty media store: restoring over live
data would mix two states of the platform, and nobody should lose today's records by typing
the wrong archive name. See docs/backups.md for the drill.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Protocol, TypedDict

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection, connections, transaction
from django.db.backends.postgresql.client import DatabaseClient

FORMAT = 1
PREFIX = "santaanita-"
SUFFIX = ".tar.gz"
MANIFEST = "manifest.json"
MEDIA = "media/"
DUMP_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024
PROGRESS_SECONDS = 5.0

Progress = Callable[[str], None]


class MediaEntry(TypedDict):
    bytes: int
    sha256: str


class DatabaseEntry(TypedDict):
    file: str
    bytes: int
    sha256: str


class BackupState(TypedDict):
    """What a restore is checked against: each table's row count, each media file's size
    and checksum (by name in the store)."""

    tables: dict[str, int]
    media: dict[str, MediaEntry]


class Manifest(BackupState):
    """The archive's ``manifest.json``: the state it was taken in, and its database dump."""

    format: int
    created_at: str
    engine: str
    database: DatabaseEntry


class _CountingCursor(Protocol):
    """The cursor the tables are counted with: Django's, or sqlite3's own on the dump's copy.
    Its queries select one column: the tables' names, then one table's row count."""

    def execute(self, sql: str, /) -> object: ...
    def fetchall(self) -> list[tuple[str]]: ...
    def fetchone(self) -> tuple[int]: ...


class BackupError(Exception):
    """A backup or restore that cannot go on; the message tells the operator what to do."""


# --- Shared pieces -----------------------------------------------------------------------


class _Hashing:
    """A file read through this computes its sha256 on the way (tarfile reads it once)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        return data


def _sha256(fh: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := fh.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return _sha256(fh)


def _sha256_stored(storage: Storage, name: str) -> str:
    with storage.open(name, "rb") as fh:
        return _sha256(fh)


def _media_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file of ``storage``, depth first, in a stable order."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a local media folder that was never created holds nothing
        return
    for name in sorted(files):
        yield folder + name
    for sub in sorted(folders):
        yield from _media_names(storage, f"{folder}{sub}/")


def _table_names(cursor: _CountingCursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(row[0] for row in cursor.fetchall())


def _table_counts(cursor: _CountingCursor, vendor: str) -> dict[str, int]:
    counts = {}
    for table in _table_names(cursor, vendor):
        quoted = '"' + table.replace('"', '""') + '"'
        cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 - a name the catalogue gave
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


# --- PostgreSQL tools ----------------------------------------------------------------------


def _pg_environment() -> dict[str, str]:
    """The connection of DATABASE_URL for pg_dump/pg_restore, password in the environment
    (never on a command line that ``ps`` shows)."""
    db = connection.settings_dict
    _args, extra = DatabaseClient.settings_to_cmd_args_env(db, [])
    env = {**os.environ, **(extra or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _pg_tool(name: str) -> str:
    """The path of pg_dump or pg_restore, refusing one older than the server: pg_dump
    cannot dump a newer server, and an older pg_restore cannot read a newer dump."""
    path = shutil.which(name)
    server_major = connection.pg_version // 10000  # type: ignore[attr-defined]
    package = f"postgresql-client-{server_major}"
    if path is None:
        raise BackupError(f"{name} was not found: install the Debian package {package}.")
    version = subprocess.run(  # noqa: S603 - our own tool, no shell
        [path, "--version"], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", version)
    if found is None or int(found.group(1)) < server_major:
        raise BackupError(
            f"{name} is {version.strip()!r} but the server is PostgreSQL {server_major}: "
            f"install the Debian package {package}."
        )
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


# --- Backup ---------------------------------------------------------------------------------


def _dump_sqlite(target: Path) -> dict[str, int]:
    source = sqlite3.connect(connection.settings_dict["NAME"])
    copy = sqlite3.connect(target)
    try:
        # All pages in one step: one read transaction, so the copy is a consistent snapshot
        # (in WAL mode the platform's writers go on meanwhile).
        source.backup(copy)
        return _table_counts(copy.cursor(), "sqlite")
    finally:
        copy.close()
        source.close()


def _dump_postgresql(target: Path) -> dict[str, int]:
    pg_dump = _pg_tool("pg_dump")
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _table_counts(cursor, "postgresql")
        # pg_dump joins the snapshot while this transaction holds it open: the dump and the
        # counts above see exactly the same rows.
        _run(
            [
                pg_dump,
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target}",
                str(connection.settings_dict["NAME"]),
            ],
            _pg_environment(),
        )
    return counts


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _add_media(tar: tarfile.TarFile, storage: Storage, progress: Progress) -> dict[str, MediaEntry]:
    names = list(_media_names(storage))
    progress(f"Media: {len(names)} files to copy.")
    media: dict[str, MediaEntry] = {}
    copied = 0
    last_report = time.monotonic()
    for number, name in enumerate(names, start=1):
        try:
            size = storage.size(name)
            with storage.open(name, "rb") as fh:
                reader = _Hashing(fh)
                info = tarfile.TarInfo(MEDIA + name)
                info.size = size
                info.mtime = int(time.time())
                info.mode = 0o600
                tar.addfile(info, reader)
        except FileNotFoundError:
            # Deleted since the listing (a replaced photo): the database dump, taken first,
            # may still name it, and the restore will say so.
            progress(f"Media: {name} vanished during the backup; skipped.")
            continue
        media[name] = {"bytes": size, "sha256": reader.sha256.hexdigest()}
        copied += size
        if time.monotonic() - last_report > PROGRESS_SECONDS:
            progress(f"Media: {number}/{len(names)} files, {_megabytes(copied)}.")
            last_report = time.monotonic()
    progress(f"Media: {len(media)} files, {_megabytes(copied)}.")
    return media


def backup_create(*, directory: Path, progress: Progress) -> Path:
    """Write one dated archive of the database and the media into ``directory``.

    The archive is written under a temporary name and renamed when complete, so a backup
    that failed half-way never passes for a good one (nor is counted by the retention).
    """
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor not in DUMP_FILES:
        raise BackupError(f"No backup for the {vendor} database engine.")
    created = datetime.now(tz=UTC)
    archive = directory / f"{PREFIX}{created:%Y%m%d-%H%M%S}{SUFFIX}"
    if archive.exists():
        raise BackupError(f"{archive} already exists; try again in a second.")
    partial = archive.with_name(archive.name + ".partial")
    # Personal data of residents: readable by the platform's user only.
    partial.touch(mode=0o600)
    try:
        with tempfile.TemporaryDirectory(dir=directory) as work:
            dump = Path(work) / DUMP_FILES[vendor]
            progress(f"Database ({vendor}): dumping…")
            counts = _dump_sqlite(dump) if vendor == "sqlite" else _dump_postgresql(dump)
            size = dump.stat().st_size
            progress(
                f"Database: {len(counts)} tables, {sum(counts.values())} rows, {_megabytes(size)}."
            )
            database: DatabaseEntry = {
                "file": dump.name,
                "bytes": size,
                "sha256": _sha256_file(dump),
            }
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                tar.add(dump, arcname=dump.name)
                manifest: Manifest = {
                    "format": FORMAT,
                    "created_at": created.isoformat(),
                    "engine": vendor,
                    "database": database,
                    "tables": counts,
                    "media": _add_media(tar, default_storage, progress),
                }
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
        partial.rename(archive)
    finally:
        partial.unlink(missing_ok=True)
    return archive


def backups_prune(*, directory: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest archives (their names sort by date)."""
    archives = sorted(directory.glob(f"{PREFIX}*{SUFFIX}"))
    removed = archives[:-keep] if keep > 0 else []
    for old in removed:
        old.unlink()
    return removed


# --- Restore --------------------------------------------------------------------------------


def _read_manifest(archive: Path) -> Manifest:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            # Its shape is trusted once its format is ours (checked below): we wrote it.
            manifest: Manifest = json.load(member)
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{archive} is not a readable backup archive: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} has manifest format {manifest.get('format')}, not {FORMAT}.")
    return manifest


def _refuse_unless_empty(storage: Storage) -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} already has {len(tables)} "
            "tables. A restore goes only into an empty database: create a new one (or, if you "
            "are sure, drop and recreate this one; remove the file in the embedded mode) and "
            "run the restore again. Nothing was changed."
        )
    stored = next(_media_names(storage), None)
    if stored is not None:
        raise BackupError(
            f"The media store is not empty (it holds {stored}). A restore goes only into an "
            "empty media store: empty it, or point MEDIA_ROOT (or the bucket) at an empty "
            "one, and run the restore again. Nothing was changed."
        )


def _restore_sqlite(dump: Path) -> None:
    target = Path(connection.settings_dict["NAME"])
    connections.close_all()
    for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    staged = target.with_name(target.name + ".restoring")
    shutil.copyfile(dump, staged)
    staged.replace(target)


def _restore_postgresql(dump: Path) -> None:
    # No owner and no grants: the dump's roles may not exist here; the restored objects
    # belong to the user of DATABASE_URL, who is the one the platform connects as.
    _run(
        [
            _pg_tool("pg_restore"),
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        _pg_environment(),
    )


def backup_state(storage: Storage | None = None) -> BackupState:
    """What the manifest records, read from the live database and media store."""
    storage = storage or default_storage
    with connection.cursor() as cursor:
        tables = _table_counts(cursor, connection.vendor)
    media: dict[str, MediaEntry] = {
        name: {"bytes": storage.size(name), "sha256": _sha256_stored(storage, name)}
        for name in _media_names(storage)
    }
    return {"tables": tables, "media": media}


def manifest_differences(expected: BackupState, actual: BackupState) -> list[str]:
    """Every table whose count and every media file whose checksum differ, in words."""
    differences = []
    for table in sorted(expected["tables"].keys() | actual["tables"].keys()):
        rows, restored = expected["tables"].get(table), actual["tables"].get(table)
        if rows != restored:
            differences.append(
                f"table {table}: {'absent' if rows is None else rows} rows in the backup, "
                f"{'absent' if restored is None else restored} restored"
            )
    for name in sorted(expected["media"].keys() | actual["media"].keys()):
        want, got = expected["media"].get(name), actual["media"].get(name)
        if got is None:
            differences.append(f"media {name}: missing")
        elif want is None:
            differences.append(f"media {name}: not in the backup")
        elif want["sha256"] != got["sha256"]:
            differences.append(f"media {name}: checksum differs")
    return differences


def backup_restore(*, archive: Path, progress: Progress) -> tuple[Manifest, list[str]]:
    """Restore ``archive`` into the empty database and media store, then compare them with
    its manifest. Returns the manifest and the differences (none when all is identical)."""
    manifest = _read_manifest(archive)
    vendor = connection.vendor
    if manifest["engine"] != vendor:
        raise BackupError(
            f"{archive} holds a {manifest['engine']} database and DATABASE_URL points to "
            f"{vendor}: restore it with the same engine."
        )
    # The dump is written under this name in a temporary folder: only our own two names.
    if manifest["database"].get("file") != DUMP_FILES[vendor]:
        raise BackupError(f"{archive}: unexpected database member {manifest['database']!r}.")
    storage = default_storage
    _refuse_unless_empty(storage)
    media_total = len(manifest["media"])
    restored = 0
    last_report = time.monotonic()
    with tarfile.open(archive, "r:gz") as tar, tempfile.TemporaryDirectory() as work:
        for member in tar:
            fh = tar.extractfile(member)
            if fh is None:
                continue
            if member.name == manifest["database"]["file"]:
                dump = Path(work) / member.name
                with dump.open("wb") as out:
                    shutil.copyfileobj(fh, out, CHUNK)
                if _sha256_file(dump) != manifest["database"]["sha256"]:
                    raise BackupError(f"{archive}: the database dump is damaged (checksum).")
                progress(f"Database ({vendor}): restoring…")
                if vendor == "sqlite":
                    _restore_sqlite(dump)
                else:
                    _restore_postgresql(dump)
            elif member.name.startswith(MEDIA):
                name = member.name.removeprefix(MEDIA)
                content = File(fh, name=name)
                content.size = member.size
                saved = storage.save(name, content)
                if saved != name:
                    progress(f"Media: {name} was stored as {saved}.")
                restored += 1
                if time.monotonic() - last_report > PROGRESS_SECONDS:
                    progress(f"Media: {restored}/{media_total} files.")
                    last_report = time.monotonic()
    progress(f"Media: {restored} files restored. Checking against the manifest…")
    return manifest, manifest_differences(manifest, backup_state(storage))
