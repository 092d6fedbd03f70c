"""Problem report pages on the ladder (anonymous, wrong role, right role, other district),
bad input on the phone form, and no reporter's contact on any public page or layer."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mapping.models import Report, ReportSupporter
from mapping.reports_services import (
    report_acknowledge,
    report_hide,
    report_status_change,
    report_submit,
)
from platform_app.permissions import Role
from tests.factories import UserFactory, signed_in
from tests.factories_mapping import PublicSpaceFactory
from tests.factories_registry import OrganizationFactory
from tests.imagefiles import jpeg_with_gps

pytestmark = pytest.mark.django_db

EMAIL = "vecina.privada@example.org"
PHONE = "987654321"


@pytest.fixture
def space():
    return PublicSpaceFactory(name="Parque Los Ficus")


@pytest.fixture
def report(space):
    return report_submit(
        space=space,
        category="lighting",
        description="Poste apagado junto a los juegos",
        email=EMAIL,
        phone=PHONE,
        photos=[SimpleUploadedFile("a.jpg", jpeg_with_gps(), content_type="image/jpeg")],
    )


def form_data(where, **overrides):
    data = {
        "space": where.pk,
        "category": "lighting",
        "description": "El poste no enciende",
        "client_uuid": "0b7e4d1e-7c55-4f7a-9d0e-1d4b3c2a1f00",
        "email": "",
        "phone": "",
    }
    data.update(overrides)
    return data


# --- Reporting on a phone -----------------------------------------------------------------


def test_anonymous_resident_reports_with_a_photo(client, space):
    page = client.get(reverse("mapping:report-create") + f"?space={space.pk}")
    assert page.status_code == 200
    assert "Reportar un problema" in page.content.decode()
    data = form_data(space)
    data["photo_1"] = SimpleUploadedFile("luz.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(reverse("mapping:report-create"), data)
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.photos.count() == 1
    followed = client.get(response["Location"])
    assert f"#{report.pk}" in followed.content.decode()


def test_a_point_is_snapped_to_the_nearest_space(client, space):
    data = form_data(
        space, space="", latitude=str(space.centroid_lat), longitude=str(space.centroid_lon)
    )
    client.post(reverse("mapping:report-create"), data)
    assert Report.objects.get().space == space


@pytest.mark.parametrize(
    ("overrides", "spanish"),
    [
        ({"description": "x" * 100_000}, "como máximo 1000 caracteres"),
        ({"description": "luz\x07apagada"}, "caracteres de control"),
        ({"description": "<script>alert(1)</script>"}, "sin etiquetas HTML"),
        ({"category": ""}, "Este campo es obligatorio"),
        ({"category": "no-existe"}, "Escoja una opción válida"),
        ({"space": "abc"}, "Escoja una opción válida"),
        ({"space": "", "latitude": "12,5°S", "longitude": "x"}, "números decimales"),
        ({"space": "", "latitude": "999", "longitude": "-76.9"}, "fuera del mapa"),
        ({"space": "", "latitude": "NaN", "longitude": "NaN"}, "fuera del mapa"),
        ({"email": "no-es-correo"}, "correo electrónico válido"),
        ({"phone": "12"}, "celular"),
    ],
)
def test_bad_input_keeps_what_was_typed_and_writes_nothing(client, space, overrides, spanish):
    data = form_data(space, description="Texto escrito por la vecina")
    data.update(overrides)
    response = client.post(reverse("mapping:report-create"), data)
    assert Report.objects.count() == 0
    assert ReportSupporter.objects.count() == 0
    assert response.status_code == 400
    body = response.content.decode()
    assert spanish in body
    typed = overrides.get("description", "Texto escrito por la vecina")
    if len(typed) < 1000 and "<" not in typed:
        assert typed.replace("\x07", "") in body.replace("\x07", "")


def test_the_form_shows_open_reports_of_the_space_for_a_me_too(client, space, report):
    page = client.get(
        reverse("mapping:report-similar"), {"space": space.pk, "category": "lighting"}
    )
    assert f"#{report.pk}" in page.content.decode()
    assert "Yo también" in page.content.decode()
    client.post(reverse("mapping:report-me-too", args=[report.pk]), {"email": ""})
    client.post(reverse("mapping:report-me-too", args=[report.pk]), {"email": ""})
    # One device, one "me too".
    assert report.supporters.count() == 2


def test_reports_are_rate_limited_per_address(client, space, settings):
    settings.REPORT_RATE_LIMITS = {**settings.REPORT_RATE_LIMITS, "report_ip": "2/1h/ip"}
    for n in range(3):
        client.post(
            reverse("mapping:report-create"),
            form_data(space, client_uuid=f"0b7e4d1e-7c55-4f7a-9d0e-1d4b3c2a1f0{n}"),
        )
    assert Report.objects.count() == 2


def test_rate_limit_counts_the_client_behind_trusted_proxies(client, space, settings):
    settings.REPORT_RATE_LIMITS = {**settings.REPORT_RATE_LIMITS, "report_ip": "1/1h/ip"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n, address in enumerate(["200.1.1.1", "200.2.2.2"]):
        client.post(
            reverse("mapping:report-create"),
            form_data(space, client_uuid=f"0b7e4d1e-7c55-4f7a-9d0e-1d4b3c2a1f1{n}"),
            HTTP_X_FORWARDED_FOR=address,
        )
    assert Report.objects.count() == 2


def test_reports_are_rate_limited_per_contact_whatever_the_address(client, space, settings):
    settings.REPORT_RATE_LIMITS = {**settings.REPORT_RATE_LIMITS, "report_contact": "1/1d/key"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n, address in enumerate(["200.1.1.1", "200.2.2.2"]):
        response = client.post(
            reverse("mapping:report-create"),
            form_data(
                space,
                email="misma@example.org",
                client_uuid=f"0b7e4d1e-7c55-4f7a-9d0e-1d4b3c2a1f2{n}",
            ),
            HTTP_X_FORWARDED_FOR=address,
        )
    assert Report.objects.count() == 1
    assert "Demasiados reportes" in response.content.decode()


# --- The ladder ---------------------------------------------------------------------------


@pytest.mark.ladder("mapping:report-acknowledge")
def test_acknowledge_on_the_ladder(client, report, other_district):
    url = reverse("mapping:report-acknowledge", args=[report.pk])
    assert client.post(url).status_code == 302  # anonymous: to the sign-in page
    assert "/cuentas/login/" in client.post(url)["Location"]
    signed_in(client, Role.SURVEYOR)
    assert client.post(url).status_code == 403
    signed_in(client, Role.COORDINATOR, district=other_district)
    assert client.post(url).status_code == 403
    signed_in(client, Role.COORDINATOR)
    assert client.post(url, {"note": "Recibido"}).status_code == 302
    assert Report.objects.get().status == "acknowledged"


@pytest.mark.ladder("mapping:report-status")
def test_status_on_the_ladder(client, space, report, other_district):
    coordinator = UserFactory(role=Role.COORDINATOR)
    organization = OrganizationFactory()
    space.organizations.add(organization)
    report_acknowledge(report=report, user=coordinator, organization=organization)
    url = reverse("mapping:report-status", args=[report.pk])
    assert "/cuentas/login/" in client.post(url, {"status": "fixed"})["Location"]
    stranger = signed_in(client, Role.REPRESENTATIVE)
    OrganizationFactory().representatives.add(stranger)
    assert client.post(url, {"status": "fixed"}).status_code == 403
    signed_in(client, Role.COORDINATOR, district=other_district)
    assert client.post(url, {"status": "fixed"}).status_code == 403
    representative = signed_in(client, Role.REPRESENTATIVE)
    organization.representatives.add(representative)
    response = client.post(url, {"status": "fixed", "note": "Foco cambiado"})
    assert response.status_code == 302
    assert Report.objects.get().status == "fixed"
    assert "Foco cambiado" in client.get(report.get_absolute_url()).content.decode()


def test_hidden_report_is_gone_for_the_public_and_other_districts(client, report, other_district):
    coordinator = UserFactory(role=Role.COORDINATOR)
    report_hide(report=report, user=coordinator, reason="Insultos")
    url = report.get_absolute_url()
    photo_url = report.photos.get().get_absolute_url()
    assert client.get(url).status_code == 404
    assert client.get(photo_url).status_code == 404
    signed_in(client, Role.COORDINATOR, district=other_district)
    assert client.get(url).status_code == 404
    client.force_login(coordinator)
    page = client.get(url)
    assert page.status_code == 200
    assert "Insultos" in page.content.decode()


@pytest.mark.ladder("mapping:report-hide")
def test_hide_on_the_ladder(client, report, other_district):
    url = reverse("mapping:report-hide", args=[report.pk])
    assert "/cuentas/login/" in client.post(url, {"reason": "x"})["Location"]
    signed_in(client, Role.REPRESENTATIVE)
    assert client.post(url, {"reason": "x"}).status_code == 403
    signed_in(client, Role.COORDINATOR, district=other_district)
    assert client.post(url, {"reason": "x"}).status_code == 403
    signed_in(client, Role.COORDINATOR)
    assert client.post(url, {"reason": "Datos personales"}).status_code == 302
    assert Report.objects.get().hidden


@pytest.mark.ladder("mapping:report-photo")
def test_photo_on_the_ladder(client, report, other_district):
    coordinator = UserFactory(role=Role.COORDINATOR)
    photo = report.photos.get()
    report_hide(report=report, user=coordinator, reason="Rostro", photo=photo)
    url = photo.get_absolute_url()
    assert client.get(url).status_code == 404
    signed_in(client, Role.REPRESENTATIVE)
    assert client.get(url).status_code == 404
    signed_in(client, Role.COORDINATOR, district=other_district)
    assert client.get(url).status_code == 404
    client.force_login(coordinator)
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "private" in answer["Cache-Control"]
    assert photo.image.name.startswith("private/reports/")


def test_a_photo_that_is_also_a_web_page_is_refused_on_its_field(client, space):
    data = form_data(space)
    data["photo_1"] = SimpleUploadedFile(
        "foto.jpg", jpeg_with_gps() + b"<script>alert(1)</script>", content_type="image/jpeg"
    )
    response = client.post(reverse("mapping:report-create"), data)
    assert response.status_code == 400
    assert Report.objects.count() == 0
    assert "El poste no enciende" in response.content.decode()


def test_hidden_photo_and_note_leave_the_public_page(client, report):
    coordinator = UserFactory(role=Role.COORDINATOR)
    report_acknowledge(report=report, user=coordinator, note="Nota con un insulto")
    photo = report.photos.get()
    report_hide(report=report, user=coordinator, reason="Rostro", photo=photo)
    report_hide(
        report=report,
        user=coordinator,
        reason="Insulto",
        update=report.updates.get(note__contains="insulto"),
    )
    assert client.get(photo.get_absolute_url()).status_code == 404
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Nota con un insulto" not in page
    assert photo.get_absolute_url() not in page
    client.force_login(coordinator)
    assert client.get(photo.get_absolute_url()).status_code == 200


@pytest.mark.ladder("mapping:report-queue")
def test_queue_on_the_ladder(client, report, other_district, space):
    url = reverse("mapping:report-queue")
    assert "/cuentas/login/" in client.get(url)["Location"]
    signed_in(client, Role.RESIDENT)
    assert client.get(url).status_code == 403
    signed_in(client, Role.COORDINATOR, district=other_district)
    assert f"#{report.pk}" not in client.get(url).content.decode()
    signed_in(client, Role.COORDINATOR)
    assert f"#{report.pk}" in client.get(url).content.decode()
    # A representative sees the reports routed to their organization.
    organization = OrganizationFactory()
    report_acknowledge(
        report=report, user=UserFactory(role=Role.COORDINATOR), organization=organization
    )
    representative = signed_in(client, Role.REPRESENTATIVE)
    organization.representatives.add(representative)
    assert f"#{report.pk}" in client.get(url).content.decode()


@pytest.mark.ladder("mapping:report-areas", "mapping:report-measures")
def test_areas_and_measures_on_the_ladder(client, other_district):
    for name in ("mapping:report-areas", "mapping:report-measures"):
        url = reverse(name)
        assert "/cuentas/login/" in client.get(url)["Location"]
        signed_in(client, Role.REPRESENTATIVE)
        assert client.get(url).status_code == 403
        signed_in(client, Role.COORDINATOR)
        assert client.get(url).status_code == 200
        client.logout()
    signed_in(client, Role.COORDINATOR)
    data = {
        f"name_{c}": ""
        for c in ("lighting", "equipment", "rubbish", "green", "safety", "water", "other")
    }
    data.update(
        {
            f"email_{c}": ""
            for c in ("lighting", "equipment", "rubbish", "green", "safety", "water", "other")
        }
    )
    data["name_lighting"] = "Alumbrado"
    data["email_lighting"] = "<b>"
    response = client.post(reverse("mapping:report-areas"), data)
    assert response.status_code == 400
    assert "Alumbrado" in response.content.decode()


def test_followup_link_confirms_or_reopens(client, report):
    coordinator = UserFactory(role=Role.COORDINATOR)
    report_acknowledge(report=report, user=coordinator)
    report_status_change(report=report, user=coordinator, status="fixed")
    token = report.supporters.get(is_reporter=True).token
    url = reverse("mapping:report-followup", args=[token])
    assert client.get(url).status_code == 200
    assert client.post(url, {"fixed": "maybe"}).status_code == 400
    client.post(url, {"fixed": "no"})
    assert Report.objects.get().status == "in_progress"
    missing = reverse("mapping:report-followup", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(missing).status_code == 404


# --- No contact in public ------------------------------------------------------------------


def test_no_public_page_or_layer_shows_the_reporters_contact(client, space, report):
    pages = [
        report.get_absolute_url(),
        space.get_absolute_url(),
        reverse("mapping:report-similar") + f"?space={space.pk}",
        reverse("mapping:space-map"),
        reverse("mapping:export-geojson"),
        reverse("mapping:export-csv"),
        reverse("interventions:results"),
        reverse("mapping:report-layer")
        + f"?bbox={space.centroid_lon - 0.01},{space.centroid_lat - 0.01},"
        f"{space.centroid_lon + 0.01},{space.centroid_lat + 0.01}",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert EMAIL not in body
        assert "987654321" not in body
        assert "+51987654321" not in body
    # The representative who fixes it does not see it either; the coordinator does.
    signed_in(client, Role.REPRESENTATIVE)
    assert EMAIL not in client.get(report.get_absolute_url()).content.decode()
    signed_in(client, Role.COORDINATOR)
    assert EMAIL in client.get(report.get_absolute_url()).content.decode()


def test_a_phone_gets_304_for_the_layer_until_a_report_changes(
    client, space, report, django_capture_on_commit_callbacks
):
    url = reverse("mapping:report-layer")
    bbox = {
        "bbox": f"{space.centroid_lon - 0.01},{space.centroid_lat - 0.01},"
        f"{space.centroid_lon + 0.01},{space.centroid_lat + 0.01}"
    }
    first = client.get(url, bbox)
    assert first["Cache-Control"] == "public, no-cache"
    again = client.get(url, bbox, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    with django_capture_on_commit_callbacks(execute=True):
        report_hide(report=report, user=UserFactory(role=Role.COORDINATOR), reason="x")
    changed = client.get(url, bbox, headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200
    assert json.loads(changed.content)["features"] == []


def test_the_layer_lists_open_public_reports(
    client, space, report, django_capture_on_commit_callbacks
):
    bbox = (
        f"{space.centroid_lon - 0.01},{space.centroid_lat - 0.01},"
        f"{space.centroid_lon + 0.01},{space.centroid_lat + 0.01}"
    )
    layer = json.loads(client.get(reverse("mapping:report-layer"), {"bbox": bbox}).content)
    assert [f["id"] for f in layer["features"]] == [report.pk]
    assert set(layer["features"][0]["properties"]) == {
        "category",
        "category_label",
        "status",
        "status_label",
        "space",
        "url",
    }
    coordinator = UserFactory(role=Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        report_hide(report=report, user=coordinator, reason="x")
    layer = json.loads(client.get(reverse("mapping:report-layer"), {"bbox": bbox}).content)
    assert layer["features"] == []
    assert client.get(reverse("mapping:report-layer"), {"bbox": "a,b,c"}).status_code == 400
    assert (
        client.get(reverse("mapping:report-layer"), {"bbox": "-80,-15,-70,-10"}).status_code == 400
    )


def test_the_space_page_lists_open_reports_and_offers_to_report(client, space, report):
    page = client.get(space.get_absolute_url()).content.decode()
    assert f"#{report.pk}" in page
    assert reverse("mapping:report-create") + f"?space={space.pk}" in page


# --- Query counts ------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_layer_space_page_and_queue_keep_their_query_counts_flat(client, space):
    from tests.factories_mapping import ReportFactory

    signed_in(client, Role.COORDINATOR)
    bbox = (
        f"{space.centroid_lon - 0.01},{space.centroid_lat - 0.01},"
        f"{space.centroid_lon + 0.01},{space.centroid_lat + 0.01}"
    )
    urls = [
        reverse("mapping:report-layer") + f"?bbox={bbox}",
        space.get_absolute_url(),
        reverse("mapping:report-queue"),
        reverse("api-root") + "reports/",
        "/open311/v2/requests.json",
    ]
    ReportFactory.create_batch(3, space=space)
    few = [_queries(client, url) for url in urls]
    ReportFactory.create_batch(30, space=space)
    assert [_queries(client, url) for url in urls] == few
