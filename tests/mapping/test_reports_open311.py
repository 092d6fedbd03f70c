"""Open311 GeoReport v2: an existing client reads and files reports; the platform's API."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest

from mapping.models import Report, ReportSupporter
from mapping.reports_services import (
    report_acknowledge,
    report_hide,
    report_status_change,
    report_submit,
)
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_mapping import PublicSpaceFactory

pytestmark = pytest.mark.django_db

REQUESTS = "/open311/v2/requests.json"


@pytest.fixture
def space():
    return PublicSpaceFactory(name="Parque Los Ficus")


@pytest.fixture
def report(space):
    return report_submit(
        space=space,
        category="lighting",
        description="Poste apagado",
        email="privada@example.org",
        phone="987654321",
    )


def test_services_list_one_service_per_category(client):
    services = client.get("/open311/v2/services.json").json()
    assert [s["service_code"] for s in services] == [
        "lighting",
        "equipment",
        "rubbish",
        "green",
        "safety",
        "water",
        "other",
    ]
    assert services[0]["service_name"] == "Alumbrado"
    xml = ElementTree.fromstring(client.get("/open311/v2/services.xml").content)  # noqa: S314 (our own answer)
    assert xml.tag == "services"
    assert len(xml.findall("service")) == 7


def test_discovery_points_to_the_endpoint(client):
    discovery = client.get("/open311/v2/discovery.json").json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"


def test_get_requests_lists_the_report_with_its_status(client, report):
    rows = client.get(REQUESTS).json()
    assert [(r["service_request_id"], r["status"]) for r in rows] == [(str(report.pk), "open")]
    assert rows[0]["address"] == "Parque Los Ficus"
    coordinator = UserFactory(role=Role.COORDINATOR)
    report_acknowledge(report=report, user=coordinator)
    report_status_change(report=report, user=coordinator, status="fixed", note="Foco cambiado")
    row = client.get(f"/open311/v2/requests/{report.pk}.json").json()[0]
    assert (row["status"], row["status_notes"]) == ("closed", "Foco cambiado")
    assert client.get(REQUESTS, {"status": "open"}).json() == []
    assert len(client.get(REQUESTS, {"status": "closed"}).json()) == 1
    xml = ElementTree.fromstring(  # noqa: S314 (our own answer)
        client.get(f"/open311/v2/requests/{report.pk}.xml").content
    )
    assert xml.find("request/status").text == "closed"


def test_no_contact_in_any_open311_or_api_answer(client, report):
    for url in (
        REQUESTS,
        f"/open311/v2/requests/{report.pk}.json",
        f"/open311/v2/requests/{report.pk}.xml",
        "/api/reports/",
        f"/api/reports/{report.pk}/",
    ):
        body = client.get(url).content.decode()
        assert "privada@example.org" not in body
        assert "987654321" not in body


def test_hidden_reports_are_not_listed(client, report):
    report_hide(report=report, user=UserFactory(role=Role.COORDINATOR), reason="Insultos")
    assert client.get(REQUESTS).json() == []
    missing = client.get(f"/open311/v2/requests/{report.pk}.json")
    assert missing.status_code == 404
    assert missing.json()[0]["code"] == 404
    assert client.get("/api/reports/").json()["results"] == []


def test_post_requests_files_a_report(client, space):
    response = client.post(
        REQUESTS,
        {
            "service_code": "rubbish",
            "lat": str(space.centroid_lat),
            "long": str(space.centroid_lon),
            "description": "Basura acumulada en la esquina",
            "email": "cliente311@example.org",
            "device_id": "app-123",
            "api_key": "cualquiera",
        },
    )
    assert response.status_code == 201
    created = response.json()[0]
    report = Report.objects.get(pk=created["service_request_id"])
    assert (report.space, report.category) == (space, "rubbish")
    assert ReportSupporter.objects.get(report=report).email == "cliente311@example.org"
    assert "cliente311" not in response.content.decode()
    listed = client.get(REQUESTS, {"service_request_id": created["service_request_id"]}).json()
    assert listed[0]["status"] == "open"


def test_post_json_with_address_id(client, space):
    response = client.post(
        REQUESTS,
        json.dumps({"service_code": "lighting", "address_id": space.pk, "description": "Sin luz"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Report.objects.get().space == space


@pytest.mark.parametrize(
    ("payload", "status", "spanish"),
    [
        ({"lat": "-12.04", "long": "-76.97", "description": "x"}, 400, "service_code"),
        (
            {"service_code": "nope", "lat": "-12", "long": "-76", "description": "x"},
            400,
            "service_code",
        ),
        ({"service_code": "rubbish", "description": "x"}, 400, "address_id"),
        (
            {"service_code": "rubbish", "lat": "abc", "long": "-76.9", "description": "x"},
            400,
            "números decimales",
        ),
        (
            {"service_code": "rubbish", "lat": "95", "long": "-76.9", "description": "x"},
            400,
            "fuera del mapa",
        ),
        (
            {"service_code": "rubbish", "lat": "-12.3", "long": "-76.5", "description": "x"},
            400,
            "ningún espacio",
        ),
        ({"service_code": "rubbish", "address_id": "99999", "description": "x"}, 404, "address_id"),
        ({"service_code": "rubbish", "address_id": "uno", "description": "x"}, 400, "address_id"),
        (
            {"service_code": "rubbish", "address_id": "{space}", "description": "x" * 100_000},
            400,
            "como máximo",
        ),
        (
            {"service_code": "rubbish", "address_id": "{space}", "description": "a\x07b"},
            400,
            "control",
        ),
        (
            {
                "service_code": "rubbish",
                "address_id": "{space}",
                "description": "<img src=x onerror=alert(1)>",
            },
            400,
            "HTML",
        ),
        (
            {"service_code": "rubbish", "address_id": "{space}", "description": "ok", "email": "x"},
            400,
            "correo",
        ),
    ],
)
def test_post_bad_input_is_refused_and_nothing_is_written(client, space, payload, status, spanish):
    payload = {k: (str(space.pk) if v == "{space}" else v) for k, v in payload.items()}
    response = client.post(REQUESTS, payload)
    assert response.status_code == status
    error = response.json()[0]
    assert error["code"] == status
    assert spanish in error["description"]
    assert Report.objects.count() == 0


def test_post_json_with_wrong_types_is_refused(client, space):
    response = client.post(
        REQUESTS,
        json.dumps({"service_code": ["rubbish"], "address_id": space.pk, "description": 5}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_post_is_rate_limited_per_device(client, space, settings):
    settings.REPORT_RATE_LIMITS = {**settings.REPORT_RATE_LIMITS, "report_device": "1/1h/key"}
    data = {"service_code": "other", "address_id": space.pk, "description": "x", "device_id": "d1"}
    assert client.post(REQUESTS, data).status_code == 201
    assert client.post(REQUESTS, data).status_code == 429
    assert Report.objects.count() == 1


def test_open311_is_in_the_api_schema(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/open311/v2/requests.{fmt}" in schema
    assert "/api/reports/" in schema


def test_unknown_jurisdiction_and_format(client):
    assert client.get(REQUESTS, {"jurisdiction_id": "000000"}).status_code == 404
    assert client.get("/open311/v2/requests.csv").status_code == 404


def test_platform_api_is_paginated(client, space):
    for n in range(3):
        report_submit(space=space, category="other", description=f"Problema {n}")
    page = client.get("/api/reports/").json()
    assert page["count"] == 3
    assert {"id", "status", "category", "space_name"} <= set(page["results"][0])
