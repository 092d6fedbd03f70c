"""Large imports run as a task with a progress bar (issue 3, item 10); eagerly without Redis."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from platform_app import services, tasks
from platform_app.models import Organization
from platform_app.permissions import Role
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
def test_eager_import_redirects_to_the_finished_report(client, importer):
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
    state = services.registry_import_state(import_id=response["Location"].split("=")[-1])
    assert (state["status"], state["done"], state["total"], state["rejected"]) == (
        "done",
        5,
        5,
        2,
    )


@pytest.mark.django_db
def test_dry_run_still_writes_nothing_and_starts_no_task(client, importer, monkeypatch):
    started: list[str] = []
    monkeypatch.setattr(tasks.import_organizations, "delay", started.append)
    client.force_login(importer)
    url = reverse("platform_app:registry-import")
    response = client.post(url, {"sheet": _sheet(2, bad_phones=1), "action": "dry_run"})
    assert response.status_code == 200
    assert "<td>4</td>" in response.content.decode()
    assert started == []
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_page_polls_a_progress_bar_until_the_worker_finishes(client, importer, monkeypatch):
    queued: list[str] = []
    monkeypatch.setattr(tasks.import_organizations, "delay", queued.append)  # no worker yet
    seen: list[tuple[int, int]] = []
    update = services._import_state_update

    def spy(import_id: str, **changes):
        if "done" in changes:
            seen.append((changes["done"], changes["rejected"]))
        update(import_id, **changes)

    monkeypatch.setattr(services, "_import_state_update", spy)
    client.force_login(importer)
    response = client.post(
        reverse("platform_app:registry-import"),
        {"sheet": _sheet(40, bad_phones=5), "action": "import"},
    )
    import_id = queued[0]
    page = client.get(response["Location"]).content.decode()
    assert '<progress max="45" value="0"' in page
    fragment_url = reverse("platform_app:registry-import-progress", args=[import_id])
    assert f'hx-get="{fragment_url}"' in page
    assert 'hx-trigger="every 1s"' in page

    tasks.import_organizations(import_id)  # what the worker does with the queued id

    assert seen == [(20, 0), (40, 0), (45, 5)]
    fragment = client.get(fragment_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<progress" not in fragment
    assert "hx-trigger" not in fragment  # polling stops with the report
    assert "<td>42</td>" in fragment  # the first bad phone
    assert Organization.objects.filter(channel="imported").count() == 40
    # A re-delivered task finds the import finished and does not run it again.
    assert tasks.import_organizations(import_id) == "done"
    assert len(seen) == 3


@pytest.mark.django_db
def test_progress_fragment_ladder(client, importer, other_district, monkeypatch):
    monkeypatch.setattr(tasks.import_organizations, "delay", lambda import_id: None)
    import_id = services.registry_import_start(
        district=importer.district, actor=importer, rows=[], source="x.csv"
    )
    url = reverse("platform_app:registry-import-progress", args=[import_id])
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
