"""The migrated test database, built once and copied for every test process.

Running every migration takes about 20 s of CPU. Each pytest-xdist worker used to do it
before its first database test, and again on every run. Now the first process that needs
the database migrates a *template* while holding a file lock, and every worker (and the
tests that need a migrated database of their own, such as the backup drill) copies it:
the file on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL.

The template is kept between runs under a name that carries a fingerprint of everything
that decides what the migrations write: the migration files and the project modules they
import (role grants, the gazetteer and its data files, field defaults), each app's
``apps.py`` (the role grants ``sync_role_groups`` reads), the settings module, the
installed packages and their versions, the database engine and this file. An unchanged
schema is not migrated again; any change to one of those builds a new template, and the
old one is deleted. ``--create-db`` rebuilds it once for the run.
"""

from __future__ import annotations

import ast
import fcntl
import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper


def _project_file(origin: str | None) -> Path | None:
    """The file of a module of this project, or None for the standard library and packages."""
    if not origin or origin in {"built-in", "frozen"}:
        return None
    path = Path(origin).resolve()
    base = Path(settings.BASE_DIR).resolve()
    if not path.is_relative_to(base) or "site-packages" in path.parts:
        return None
    return path


def _module_file(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return _project_file(spec.origin) if spec else None


def _imported_names(path: Path) -> Iterator[str]:
    """Every module a file imports, at the top or inside a function (``from a import b``
    yields ``a`` and ``a.b``, which may be a module too)."""
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def schema_files() -> list[Path]:
    """The files whose contents decide what the migrations write into a fresh database."""
    project_apps = [config for config in apps.get_app_configs() if _project_file(config.path)]
    # Not settings.SETTINGS_MODULE: override_settings (the workers' Redis) hides it.
    settings_file = _module_file(os.environ["DJANGO_SETTINGS_MODULE"])
    seeds = {settings_file} if settings_file else set()
    for config in project_apps:
        folder = Path(config.path)
        seeds.update(folder.glob("migrations/**/*.py"))
        seeds.update(path for path in (folder / "apps.py",) if path.exists())
        seeds.update(path for path in (folder / "data").rglob("*") if path.is_file())
    # Follow the imports of the Python files among them, within the project only.
    files, pending = set(), [path.resolve() for path in seeds]
    while pending:
        path = pending.pop()
        if path in files:
            continue
        files.add(path)
        if path.suffix != ".py":
            continue
        for name in _imported_names(path):
            parts = name.split(".")
            # A package's __init__ runs before any of its modules.
            for depth in range(1, len(parts) + 1):
                found = _module_file(".".join(parts[:depth]))
                if found and found not in files:
                    pending.append(found)
    return sorted(files)


def schema_fingerprint(*, files: Iterable[Path], packages: Iterable[str], engine: str) -> str:
    digest = hashlib.sha256()
    digest.update(engine.encode())
    base = Path(settings.BASE_DIR).resolve()
    for path in sorted(files):
        name = path.relative_to(base) if path.is_relative_to(base) else path
        digest.update(f"\0{name}\0".encode())
        digest.update(path.read_bytes())
    for package in sorted(packages):
        digest.update(f"\0{package}".encode())
    return digest.hexdigest()


def installed_packages() -> list[str]:
    names = {
        f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions()
    }
    return [sys.version, *sorted(names)]


@dataclass(frozen=True)
class MigratedTemplate:
    """A migrated database that nothing connects to: ``name`` is a file path on SQLite and a
    database name on PostgreSQL."""

    connection: BaseDatabaseWrapper
    name: str
    lock_path: Path
    # pytest-django's django_db_blocker.unblock: the template is reached from tests that do
    # not use the test database themselves (the backup drill).
    access: Callable[[], AbstractContextManager[object]]

    @property
    def vendor(self) -> str:
        return self.connection.vendor

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Held while the template is built or copied: PostgreSQL refuses to copy a database
        another session is connected to, and a half-built template must not be copied."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock_path.open("a") as lock, self.access():
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def test_database_name(self) -> str:
        """The name of this process's test database (pytest-django's, with its worker suffix)."""
        return str(self.connection.creation._get_test_db_name())  # type: ignore[attr-defined]

    def exists(self, name: str | None = None) -> bool:
        name = name or self.name
        if self.vendor == "sqlite":
            return Path(name).exists()
        with self.connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None

    def clone_to(self, target: str | Path) -> None:
        """Replace the database ``target`` (a path on SQLite, a name on PostgreSQL) with a
        copy of the template."""
        with self.locked():
            if self.vendor == "sqlite":
                # The template was left in rollback-journal mode: its one file is all of it.
                # The copy switches to WAL again when the settings' init_command opens it.
                partial = Path(f"{target}.{os.getpid()}.partial")
                shutil.copyfile(self.name, partial)
                os.replace(partial, target)
                for leftover in ("-wal", "-shm"):
                    Path(f"{target}{leftover}").unlink(missing_ok=True)
                return
            quote = self.connection.ops.quote_name
            with self.connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(str(target))}")
                cursor.execute(f"CREATE DATABASE {quote(str(target))} TEMPLATE {quote(self.name)}")

    def _build(self) -> None:
        """Migrate a new database the way the test runner creates one, under a name of this
        process, then rename it: the template's name only ever holds a complete one."""
        connection = self.connection
        settings_dict = connection.settings_dict
        building = (
            f"{self.name}.{os.getpid()}.partial"
            if self.vendor == "sqlite"
            else f"{self.name}_{os.getpid()}"
        )
        original_name, original_test_name = settings_dict["NAME"], settings_dict["TEST"]["NAME"]
        settings_dict["TEST"]["NAME"] = building
        try:
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            if self.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA journal_mode=DELETE")
        finally:
            connection.close()
            settings.DATABASES[connection.alias]["NAME"] = original_name
            settings_dict["NAME"] = original_name
            settings_dict["TEST"]["NAME"] = original_test_name
        self._drop(self.name)
        if self.vendor == "sqlite":
            os.replace(building, self.name)
        else:
            quote = connection.ops.quote_name
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(self.name)}")

    def _drop(self, name: str) -> None:
        if self.vendor == "sqlite":
            Path(name).unlink(missing_ok=True)
            return
        with self.connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {self.connection.ops.quote_name(name)}")

    def _older_ones(self, prefix: str) -> list[str]:
        if self.vendor == "sqlite":
            folder = Path(self.name).parent
            return [str(path) for path in folder.glob(f"{Path(prefix).name}*.sqlite3")]
        with self.connection._nodb_cursor() as cursor:
            cursor.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]
            )
            return [name for (name,) in cursor.fetchall()]

    def ensure(self, *, prefix: str, rebuild_for_run: str | None) -> None:
        """Build the template unless it is there; ``rebuild_for_run`` (``--create-db``)
        builds it again, once for the whole run however many workers ask."""
        built_by = self.lock_path.with_suffix(".run")
        with self.locked():
            if rebuild_for_run is not None:
                if built_by.exists() and built_by.read_text() == rebuild_for_run:
                    return
            elif self.exists():
                return
            self._build()
            if rebuild_for_run is not None:
                built_by.write_text(rebuild_for_run)
            # Templates of earlier schemas are never used again.
            for older in self._older_ones(prefix):
                if older != self.name:
                    # Another run may be copying it this moment: it goes the next time.
                    with suppress(DatabaseError, OSError):
                        self._drop(older)


def template_of(
    connection: BaseDatabaseWrapper,
    *,
    worker: str | None,
    rebuild_for_run: str | None,
    access: Callable[[], AbstractContextManager[object]],
) -> MigratedTemplate:
    """The migrated template of ``connection``'s database, built now if it is missing."""
    engine = str(connection.settings_dict["ENGINE"])
    key = schema_fingerprint(
        files=[*schema_files(), Path(__file__).resolve()],
        packages=installed_packages(),
        engine=engine,
    )[:16]
    data_dir = Path(settings.DATA_DIR)
    if connection.vendor == "sqlite":
        prefix = str(data_dir / "test-template-")
        name = f"{prefix}{key}.sqlite3"
    elif connection.vendor == "postgresql":
        test_name = str(connection.creation._get_test_db_name())  # type: ignore[attr-defined]
        if worker:
            # pytest-django has already given the worker's name its _gw<n> suffix.
            test_name = test_name.removesuffix(f"_{worker}")
        prefix = f"{test_name}_template_"
        name = f"{prefix}{key}"
        if len(name) > 63:
            raise RuntimeError(f"{name} is longer than PostgreSQL's 63-character names")
    else:
        raise RuntimeError(f"No template copying for {engine}")
    template = MigratedTemplate(
        connection=connection, name=name, lock_path=data_dir / "test-template.lock", access=access
    )
    template.ensure(prefix=prefix, rebuild_for_run=rebuild_for_run)
    return template
