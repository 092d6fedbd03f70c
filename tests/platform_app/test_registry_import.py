"""Importing paper lists: a dry run reports every rejected row and writes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from platform_app.models import Organization
from tests.factories_registry import OrganizationFactory

SHEET = (
    "nombre;tipología;sector;contacto;teléfono;directorio\n"
    "Club de Box Santa Anita;Deportiva;2;Luis Paredes;987111222;sí\n"
    "Asoc. Vecinal Los Ficus;neighbourhood;1;Ana Ruiz;987333444;no\n"
    ";Cultural;3;Eva Soto;987555666;sí\n"
    "Taller de Títeres;Cultural;3;Eva Soto;12345;sí\n"
    "Club de Box Santa Anita;Deportiva;2;Otro;987999000;sí\n"
)


@pytest.fixture
def sheet(tmp_path, santa_anita):
    OrganizationFactory(name="Asociación vecinal los Ficus", registration_code="SA-2026-0001")
    path = tmp_path / "lista.csv"
    path.write_text(SHEET, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_dry_run_reports_every_rejected_row_and_writes_nothing(sheet):
    out = io.StringIO()
    call_command("organizations_import", str(sheet), "--dry-run", stdout=out)
    report = out.getvalue()
    assert "1 organizations would be created" in report
    assert "Row 3 rejected" in report
    assert "SA-2026-0001" in report
    assert "Row 4 rejected" in report
    assert "Row 5 rejected" in report
    assert "Row 6 rejected" in report
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_import_creates_valid_rows_once_even_when_run_twice(sheet):
    call_command("organizations_import", str(sheet), stdout=io.StringIO())
    call_command("organizations_import", str(sheet), stdout=io.StringIO())
    imported = Organization.objects.get(channel=Organization.Channel.IMPORTED)
    assert imported.name == "Club de Box Santa Anita"
    assert imported.sector.number == 2
    assert imported.directory_consent
    assert imported.contacts.get().phone == "+51987111222"


@pytest.mark.django_db
def test_xlsx_sheets_are_read_too(tmp_path, santa_anita):
    workbook = Workbook()
    workbook.active.append(["Nombre", "Tipología", "Sector", "Contacto", "Teléfono"])
    workbook.active.append(["Huerto Los Girasoles", "Ambiental", "Sector 5", "Pía", "987000111"])
    path = tmp_path / "lista.xlsx"
    workbook.save(path)
    call_command("organizations_import", str(path), stdout=io.StringIO())
    assert Organization.objects.get().typology == Organization.Typology.ENVIRONMENTAL


@pytest.mark.django_db
def test_coordinator_page_dry_run_lists_rejected_rows_then_imports(client, santa_anita):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.factories import UserFactory

    url = reverse("platform_app:registry-import")
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(role="desk"))
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(role="coordinator"))

    def upload(action):
        sheet = SimpleUploadedFile("lista.csv", SHEET.encode(), content_type="text/csv")
        return client.post(url, {"sheet": sheet, "action": action})

    report = upload("dry_run").content.decode()
    assert "Club de Box Santa Anita" not in Organization.objects.values_list("name", flat=True)
    for row in ("<td>4</td>", "<td>5</td>", "<td>6</td>"):
        assert row in report
    upload("import")
    assert Organization.objects.filter(channel="imported").count() == 2


@pytest.mark.django_db
def test_a_web_page_named_like_a_sheet_is_refused_before_it_is_read(client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.bad_files import PAGE
    from tests.factories import UserFactory

    client.force_login(UserFactory(role="coordinator"))
    sheet = SimpleUploadedFile("lista.csv", PAGE, content_type="text/csv")
    response = client.post(reverse("platform_app:registry-import"), {"sheet": sheet})
    assert "contiene código de página web" in response.content.decode()
    assert not Organization.objects.filter(channel="imported").exists()
