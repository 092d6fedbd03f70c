"""Benchmark: a 100,000-row sheet of organizations, checked (dry run) and imported.

    .venv/bin/python bench/registry_import.py [--rows 100000] [--bad-every 100]

Builds a fresh PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/sa_registry_bench, dropped and created each run) and
goes the way a coordinator's upload goes: the form reads and checks the CSV
(``RegistryImportForm``), then the import runs as a background job the way the embedded
loop runs it (``registry_import_start`` queues it, ``registry_imports_scan`` runs it), once
as a dry run and once for real. One row in ``--bad-every`` has a bad phone, so the report
has rejected rows. Prints the time of each step, rows per second and the counts; checks
that every valid row became one organization with its contact and history entry.
Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from platform_app.services.registry_imports import registry_import_start, registry_imports_scan

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sa_registry_bench"
)


def _fresh_database() -> None:
    import psycopg

    server, name = DATABASE_URL.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def _sheet(rows: int, bad_every: int) -> bytes:
    lines = ["nombre;tipología;sector;contacto;teléfono;correo;directorio"]
    for i in range(rows):
        phone = "12345" if bad_every and i % bad_every == bad_every - 1 else "987111222"
        lines.append(
            f"Club Número {i} del Parque;Deportiva;{i % 5 + 1};Luis Paredes;{phone};"
            f"club{i}@example.org;sí"
        )
    return ("\n".join(lines) + "\n").encode()


def _timed(label: str, results: dict[str, float], function, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = function(*args, **kwargs)
    results[label] = time.perf_counter() - started
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bad-every", type=int, default=100)
    options = parser.parse_args()

    os.environ.update(
        {"DATABASE_URL": DATABASE_URL, "DJANGO_SETTINGS_MODULE": "santaanita.settings"}
    )
    os.environ.pop("REDIS_URL", None)  # the embedded mode: the loop runs the job
    sys.path.insert(0, str(ROOT))
    _fresh_database()
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.utils import translation

    from platform_app.forms import RegistryImportForm
    from platform_app.models import (
        Contact,
        District,
        Organization,
        OrganizationEvent,
        RegistryImport,
    )
    from platform_app.permissions import Role
    from platform_app.services.places import user_grant_role

    call_command("migrate", verbosity=0)
    translation.activate("es-pe")
    district = District.objects.get(ubigeo="150137")
    coordinator = district.users.model.objects.create_user(email="coordinacion@example.org")
    user_grant_role(user=coordinator, role=Role.COORDINATOR, district=district)
    content = _sheet(options.rows, options.bad_every)
    results: dict[str, float] = {}

    def read() -> list[dict[str, str]]:
        form = RegistryImportForm({}, {"sheet": SimpleUploadedFile("padron.csv", content)})
        assert form.is_valid(), form.errors
        return form.rows

    rows = _timed("read and check the file (form)", results, read)
    jobs = {}
    for dry_run, label in ((True, "dry run"), (False, "import")):
        job = _timed(
            f"{label}: queue (store the rows)",
            results,
            registry_import_start,
            district=district,
            actor=coordinator,
            rows=rows,
            source="padron.csv",
            dry_run=dry_run,
        )
        _timed(f"{label}: run (the loop's scan)", results, registry_imports_scan)
        jobs[label] = RegistryImport.objects.get(pk=job.pk)

    rejected = options.rows // options.bad_every if options.bad_every else 0
    for job in jobs.values():
        assert job.status == RegistryImport.Status.DONE, (job.status, job.error)
        assert len(job.report["rejected"]) == rejected
        assert len(job.report["created"]) == options.rows - rejected
    created = Organization.objects.filter(channel=Organization.Channel.IMPORTED).count()
    assert created == options.rows - rejected
    assert Contact.objects.count() == created
    assert OrganizationEvent.objects.count() == created

    print(f"{options.rows:,} rows ({len(content) / 1e6:.1f} MB CSV), {rejected:,} rejected")
    for label, seconds in results.items():
        print(f"  {label:<36} {seconds:8.1f} s")
    for label in ("dry run", "import"):
        seconds = results[f"{label}: run (the loop's scan)"]
        print(f"  {label} throughput: {options.rows / seconds:,.0f} rows/s")
    print(f"  organizations created: {created:,}")


if __name__ == "__main__":
    main()
