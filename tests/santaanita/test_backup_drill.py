"""The restore drill of docs/backups.md: seed, back up, wipe, restore, find everything again.

It runs ``manage.py`` in subprocesses on a database of its own (a file in a temporary
folder, or ``<name>_drill_<pid>`` on the PostgreSQL server of DATABASE_URL when the suite
runs on PostgreSQL), so it never touches pytest-django's test database. That database starts
as a copy of the suite's migrated template (tests/migrated_template.py): the migrations
``manage.py migrate`` would run are the ones that built it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import environ
import psycopg
import pytest
from django.conf import settings

from santaanita.backup import backups_prune, manifest_differences
from tests.migrated_template import MigratedTemplate

# Two files as the platform stores them: public photos and private documents, one with a
# name a Peruvian clerk would type.
MEDIA = {
    "public/spaces/parque-los-ficus.jpg": b"\xff\xd8\xff\xe0 a photo of the park",
    "private/agreements/acta-reunión-año-2026.pdf": b"%PDF-1.4 signed minutes",
}

STATE = "import json; from santaanita.backup import backup_state; print(json.dumps(backup_state()))"
# Saves the files given on stdin through the default storage, then prints the state.
SAVE_MEDIA = (
    "import json, sys; from django.core.files.base import ContentFile; "
    "from django.core.files.storage import default_storage as s; "
    "[s.save(n, ContentFile(c.encode('latin-1'))) "
    "for n, c in json.loads(sys.stdin.read()).items()]; " + STATE
)


class Drill:
    def __init__(self, root: Path, database_url: str | None, template: MigratedTemplate) -> None:
        self.data = root / "data"
        self.template = template
        self.backups = root / "backups"
        self.database_url = database_url
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "MEDIA_ROOT", "BACKUP_KEEP"}
        }
        self.env.update(DATA_DIR=str(self.data), BACKUP_DIR=str(self.backups))
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def manage(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def ok(self, *args: str, stdin: str | None = None) -> str:
        result = self.manage(*args, stdin=stdin)
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr}"
        return result.stdout

    def migrate(self) -> None:
        """A freshly migrated database: a copy of the suite's template."""
        if self.database_url:
            self.template.clone_to(self._database_name())
        else:
            self.data.mkdir(parents=True, exist_ok=True)
            self.template.clone_to(self.data / "db.sqlite3")

    def state(self, script: str = STATE, stdin: str | None = None) -> dict[str, object]:
        return json.loads(self.ok("shell", "-v0", "-c", script, stdin=stdin))

    def media_on_disk(self) -> dict[str, str]:
        media = self.data / "media"
        return {
            path.relative_to(media).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(media.rglob("*"))
            if path.is_file()
        }

    def wipe(self, admin: psycopg.Connection | None) -> None:
        if admin is not None:
            name = self._database_name()
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        else:
            for leftover in self.data.glob("db.sqlite3*"):
                leftover.unlink()
        shutil.rmtree(self.data / "media")

    def _database_name(self) -> str:
        assert self.database_url
        return str(environ.Env.db_url_config(self.database_url)["NAME"])


@pytest.fixture
def drill(
    tmp_path: Path, migrated_template: MigratedTemplate
) -> Iterator[tuple[Drill, psycopg.Connection | None]]:
    suite_url = os.environ.get("DATABASE_URL")
    if not suite_url:
        yield Drill(tmp_path, None, migrated_template), None
        return
    parts = urlsplit(suite_url)
    name = f"{parts.path.lstrip('/')}_drill_{os.getpid()}"
    config = environ.Env.db_url_config(suite_url)
    with psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        url = parts._replace(path=f"/{name}").geturl()
        try:
            yield Drill(tmp_path, url, migrated_template), admin
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# seed_demo takes most of it; on a busy two-core machine it can near the suite's 5-minute
# limit for one test.
@pytest.mark.timeout(900)
def test_a_restored_backup_has_the_same_rows_and_files(drill):
    runner, admin = drill
    runner.migrate()
    runner.ok("seed_demo")
    before = runner.state(
        SAVE_MEDIA, stdin=json.dumps({k: v.decode("latin-1") for k, v in MEDIA.items()})
    )
    files_before = runner.media_on_disk()
    assert {hashlib.sha256(c).hexdigest() for c in MEDIA.values()} <= set(files_before.values())

    output = runner.ok("backup", "--keep", "3")
    archives = sorted(runner.backups.glob("santaanita-*.tar.gz"))
    assert len(archives) == 1
    assert "Backup written" in output
    assert oct(archives[0].stat().st_mode & 0o777) == "0o600"  # residents' personal data

    runner.wipe(admin)
    assert runner.media_on_disk() == {}
    output = runner.ok("restore", str(archives[0]))
    assert "OK:" in output

    assert runner.state() == before
    assert runner.media_on_disk() == files_before
    # Restoring again would mix two states of the platform: refused, nothing changed.
    again = runner.manage("restore", str(archives[0]))
    assert again.returncode != 0
    assert "Nothing was changed" in again.stderr
    assert runner.media_on_disk() == files_before


def test_the_differences_name_each_table_and_file_that_does_not_match():
    expected = {
        "tables": {"platform_app_organization": 12, "platform_app_contact": 20},
        "media": {"public/a.jpg": {"sha256": "1"}, "private/b.pdf": {"sha256": "2"}},
    }
    actual = {
        "tables": {"platform_app_organization": 11, "platform_app_contact": 20, "extra": 0},
        "media": {"public/a.jpg": {"sha256": "9"}, "public/c.jpg": {"sha256": "3"}},
    }
    assert manifest_differences(expected, actual) == [
        "table extra: absent rows in the backup, 0 restored",
        "table platform_app_organization: 12 rows in the backup, 11 restored",
        "media private/b.pdf: missing",
        "media public/a.jpg: checksum differs",
        "media public/c.jpg: not in the backup",
    ]
    assert manifest_differences(expected, expected) == []


def test_retention_keeps_the_newest_archives(tmp_path):
    names = [f"santaanita-2026120{day}-030000.tar.gz" for day in range(1, 6)]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "notes.txt").write_text("not a backup")
    removed = backups_prune(directory=tmp_path, keep=2)
    assert [path.name for path in removed] == names[:3]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt", *names[3:]]
    assert backups_prune(directory=tmp_path, keep=0) == []  # 0 keeps everything
