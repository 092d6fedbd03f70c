"""Large imports run in the background with a progress bar: a Celery task with Redis, the
run_reminders loop in the embedded mode; small ones within the request."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from platform_app import tasks
from platform_app.models import Organization, RegistryImport
from platform_app.permissions import Role
from platform_app.services import registry_imports
from platform_app.services.registry_imports import (
    _import_progress,
    registry_import_start,
    registry_imports_scan,
)
from tests.factories import UserFactory

HEADER = "nombre;tipología;sector;contacto;teléfono;directorio\n"


def _sheet(valid: int, bad_phones: int = 0) -> SimpleUploadedFile:
    lines = [
        f"Club Número {i} del Parque;Deportiva;2;Luis Paredes;987111222;sí" for i in range(valid)
    ]
    lines += [f"Taller Roto {i};Cultural;3;Eva Soto;12345;no" for i in range(bad_phones)]
    text = HEADER + "\n".join(lines) + "\n"
    return SimpleUploadedFile("padron.csv", text.encode(), content_type="text/csv")


@pytest.fixture
def importer(santa_anita):
    """A coordinator of Santa Anita, not yet signed in (conftest's ``coordinator`` is)."""
    return UserFactory(role=Role.COORDINATOR)


@pytest.mark.django_db
def test_a_small_import_redirects_to_the_finished_report(client, importer):
    client.force_login(importer)
    url = reverse("platform_app:registry-import")
    response = client.post(url, {"sheet": _sheet(3, bad_phones=2), "action": "import"})
    assert response.status_code == 302
    assert "?import=" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert Organization.objects.filter(channel="imported").count() == 3
    assert "<progress" not in page  # done already: the report, not the bar
    assert "<td>5</td>" in page  # the two bad phones
    assert "<td>6</td>" in page
    job = RegistryImport.objects.get()
    assert (job.status, job.done, job.total, job.rejected) == ("done", 5, 5, 2)
    assert job.rows == []  # the rows do not outlive the import


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_starts_no_task(client, importer, monkeypatch):
    started: list[int] = []
    monkeypatch.setattr(tasks.import_organizations, "delay", started.append)
    client.force_login(importer)
    url = reverse("platform_app:registry-import")
    response = client.post(url, {"sheet": _sheet(2, bad_phones=1), "action": "dry_run"})
    assert response.status_code == 200
    assert "<td>4</td>" in response.content.decode()
    assert started == []
    assert not Organization.objects.exists()


@pytest.fixture
def small_inline(monkeypatch):
    """Sheets above 10 rows count as large here, so the tests stay quick."""
    monkeypatch.setattr(registry_imports, "IMPORT_INLINE_ROWS", 10)
    monkeypatch.setattr(registry_imports, "IMPORT_PROGRESS_EVERY", 20)


@pytest.mark.django_db
def test_embedded_mode_the_loop_runs_a_large_import_with_live_progress(
    client, importer, monkeypatch, small_inline
):
    seen: list[tuple[int, int]] = []
    progress = _import_progress

    def spy(job_id: int, done: int, rejected: int) -> None:
        seen.append((done, rejected))
        progress(job_id, done, rejected)

    monkeypatch.setattr(registry_imports, "_import_progress", spy)
    client.force_login(importer)
    response = client.post(
        reverse("platform_app:registry-import"),
        {"sheet": _sheet(40, bad_phones=5), "action": "import"},
    )
    job = RegistryImport.objects.get()
    assert job.status == "queued"  # no worker in the embedded mode: the loop will run it
    page = client.get(response["Location"]).content.decode()
    assert '<progress max="45" value="0"' in page
    fragment_url = reverse("platform_app:registry-import-progress", args=[job.token])
    assert f'hx-get="{fragment_url}"' in page
    assert 'hx-trigger="every 1s"' in page

    call_command("run_reminders", "--once")

    assert seen == [(20, 0), (40, 0), (45, 5)]
    fragment = client.get(fragment_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<progress" not in fragment
    assert "hx-trigger" not in fragment  # polling stops with the report
    assert "<td>42</td>" in fragment  # the first bad phone
    assert Organization.objects.filter(channel="imported").count() == 40
    # Run again (a second loop, a re-delivered task): the import is finished, nothing repeats.
    assert tasks.import_organizations(job.pk) == "done"
    assert len(seen) == 3


@pytest.mark.django_db
def test_with_redis_a_worker_runs_a_large_dry_run(
    client, importer, monkeypatch, small_inline, django_capture_on_commit_callbacks
):
    from celery import current_app

    queued: list[int] = []
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(tasks.import_organizations, "delay", queued.append)
    client.force_login(importer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("platform_app:registry-import"),
            {"sheet": _sheet(12, bad_phones=1), "action": "dry_run"},
        )
    assert response.status_code == 302
    job = RegistryImport.objects.get()
    assert queued == [job.pk]
    assert registry_imports_scan() == 0  # the loop leaves it to the worker
    tasks.import_organizations(job.pk)
    page = client.get(response["Location"]).content.decode()
    assert "Organizaciones que se crearían: 12." in page
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_progress_fragment_ladder(client, importer, other_district):
    job = registry_import_start(district=importer.district, actor=importer, rows=[], source="x.csv")
    url = reverse("platform_app:registry-import-progress", args=[job.token])
    assert client.get(url).status_code == 302
    for user, status in (
        (UserFactory(role=Role.DESK), 403),
        (UserFactory(role=Role.RESIDENT), 403),
        (UserFactory(role=Role.COORDINATOR, district=other_district), 404),
        (importer, 200),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status
    missing = reverse("platform_app:registry-import-progress", args=["0" * 32])
    assert client.get(missing).status_code == 404
