"""Damaged, oversized and interrupted imports: a field error or a failure report, never a 500,
and never half an import."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from platform_app.forms import RegistryImportForm
from platform_app.models import Contact, Organization, OrganizationEvent, RegistryImport
from platform_app.permissions import Role
from platform_app.services.registry_imports import registry_imports_scan
from tests.factories import UserFactory

URL = reverse("platform_app:registry-import")
HEADER = "nombre;tipología;sector;contacto;teléfono\n"


def _xlsx(rows: int = 2) -> bytes:
    workbook = Workbook()
    workbook.active.append(["Nombre", "Tipología", "Sector", "Contacto", "Teléfono"])
    for i in range(rows):
        workbook.active.append([f"Huerto {i}", "Ambiental", "5", "Pía", "987000111"])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return output.getvalue()


def _csv(rows: int) -> bytes:
    lines = [f"Club {i} del Parque;Deportiva;2;Luis Paredes;987111222" for i in range(rows)]
    return (HEADER + "\n".join(lines) + "\n").encode()


# A file that is no sheet by its content is refused by the upload check itself
# (santaanita.files), before the sheet is read.
NOT_A_SHEET = "Este tipo de archivo no se acepta. Formatos aceptados: CSV, XLSX."

BAD_FILES = {
    "random bytes": ("lista.xlsx", b"\x00\x01not a zip at all" * 50, NOT_A_SHEET),
    "truncated workbook": ("lista.xlsx", _xlsx()[:1500], NOT_A_SHEET),
    "zip that is no workbook": ("lista.xlsx", _zip({"hola.txt": b"hola"}), NOT_A_SHEET),
    "zip bomb": ("lista.xlsx", _zip({"xl/worksheets/sheet1.xml": b"0" * 30_000_000}), NOT_A_SHEET),
    "latin-1 csv": ("lista.csv", HEADER.encode("latin-1") + b"Caf\xe9;x;1;y;9\n", "UTF-8"),
    "NUL bytes in a csv": ("lista.csv", HEADER.encode() + b"Club\x00;x;1;y;9\n", NOT_A_SHEET),
    "empty file": ("lista.csv", b"", "El archivo enviado está vac"),
    "blank lines only": ("lista.csv", b"\n\n\n", "está vacía"),
    "header only": ("lista.csv", HEADER.encode(), "no tiene filas"),
    "no name column": ("lista.csv", b"a;b\n1;2\n", "columna “nombre”"),
    "a cell of a million characters": (
        "lista.csv",
        HEADER.encode() + b"x" * 1_000_000 + b";a;1;b;9\n",
        "No se pudo",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
@pytest.mark.parametrize("action", ["dry_run", "import"])
def test_a_bad_file_is_a_field_error_and_writes_nothing(client, santa_anita, case, action):
    name, content, message = BAD_FILES[case]
    client.force_login(UserFactory(role=Role.COORDINATOR))
    response = client.post(URL, {"sheet": SimpleUploadedFile(name, content), "action": action})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organization.objects.exists()
    assert not RegistryImport.objects.exists()


@pytest.mark.django_db
def test_a_sheet_over_the_row_limit_is_refused(client, santa_anita, monkeypatch):
    monkeypatch.setattr(RegistryImportForm, "MAX_ROWS", 5)
    client.force_login(UserFactory(role=Role.COORDINATOR))
    sheet = SimpleUploadedFile("lista.csv", _csv(6))
    response = client.post(URL, {"sheet": sheet, "action": "import"})
    assert "La hoja tiene más de 5 filas: divídala." in response.content.decode()
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_the_command_reports_a_bad_file_without_a_traceback(tmp_path, santa_anita):
    path = tmp_path / "lista.xlsx"
    path.write_bytes(b"PK\x03\x04 damaged")
    with pytest.raises(CommandError, match="XLSX"):
        call_command("organizations_import", str(path), "--dry-run", stdout=io.StringIO())


@pytest.mark.django_db
def test_an_import_that_fails_while_writing_leaves_nothing_and_says_so(
    client, santa_anita, monkeypatch
):
    """The organizations are already inserted when the contacts fail: all of it is undone."""

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Contact.objects, "bulk_create", broken)
    client.force_login(UserFactory(role=Role.COORDINATOR))
    with pytest.raises(RuntimeError):
        client.post(URL, {"sheet": SimpleUploadedFile("lista.csv", _csv(8)), "action": "import"})
    assert not Organization.objects.exists()
    assert not OrganizationEvent.objects.exists()
    job = RegistryImport.objects.get()
    assert job.status == RegistryImport.Status.FAILED
    assert job.rows == []
    page = client.get(f"{URL}?import={job.token}").content.decode()
    assert "La importación falló" in page
    assert "No se importó ninguna organización" in page


@pytest.mark.django_db
def test_an_import_whose_process_died_is_reported_failed_by_the_scan(client, santa_anita):
    """A worker or loop killed mid-import: its transaction never committed, so nothing was
    written; the scan notices it stopped giving signs of life and reports it."""
    coordinator = UserFactory(role=Role.COORDINATOR)
    job = RegistryImport.objects.create(
        district=santa_anita,
        actor=coordinator,
        token="a" * 32,
        source="lista.csv",
        status=RegistryImport.Status.RUNNING,
        total=5000,
        done=701,
        heartbeat_at=timezone.now() - timedelta(minutes=6),
    )
    registry_imports_scan()
    job.refresh_from_db()
    assert job.status == RegistryImport.Status.FAILED
    client.force_login(coordinator)
    page = client.get(f"{URL}?import={job.token}").content.decode()
    assert "701 de 5000" in page
    assert "No se importó ninguna organización" in page
    assert not Organization.objects.exists()
