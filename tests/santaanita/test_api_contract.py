"""The API's contract as a client meets it, walked over the generated schema: ids that are
no numbers are a JSON 404, every list comes in bounded pages, errors are documented."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from platform_app.permissions import Role
from santaanita.api_contract import exception_handler
from santaanita.pagination import MAX_PAGE_SIZE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(santa_anita) -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.COORDINATOR, district=santa_anita))
    return client


@pytest.fixture
def schema(client) -> dict:
    return client.get("/api/schema/", {"format": "json"}).json()


def _get_paths(schema: dict, *, detail: bool) -> list[str]:
    return [
        path
        for path, operations in schema["paths"].items()
        if "get" in operations and ("{" in path) == detail
    ]


def test_an_id_that_is_no_number_is_a_json_404_on_every_detail_route(api, schema):
    paths = _get_paths(schema, detail=True)
    assert "/api/spaces/{id}/" in paths
    for path in paths:
        for bad in ("not-a-number", "null", "99999999999999999999999"):
            response = api.get(re.sub(r"\{[^}]+\}", bad, path))
            assert response.status_code == 404, (path, bad)
            assert response.json()["detail"], path
            assert "404" in schema["paths"][path]["get"]["responses"], path


def test_an_address_under_the_api_that_matches_no_route_is_json_too(client, settings):
    settings.DEBUG = False
    response = client.get("/api/spaces/1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")


def test_every_list_is_paginated_and_never_longer_than_its_maximum_page(api, schema):
    lists = [p for p in _get_paths(schema, detail=False) if p not in ("/api/schema/",)]
    assert "/api/results/" in lists
    for path in lists:
        if path == "/api/spaces/":
            continue  # the map's window: see the next test
        parameters = {p["name"]: p for p in schema["paths"][path]["get"].get("parameters", [])}
        assert parameters["page_size"]["schema"]["maximum"] == MAX_PAGE_SIZE, path
        body = api.get(path, {"page_size": MAX_PAGE_SIZE}).json()
        assert set(body) >= {"count", "next", "previous", "results"}, path
        assert len(body["results"]) <= MAX_PAGE_SIZE, path
        too_many = api.get(path, {"page_size": MAX_PAGE_SIZE + 1})
        assert too_many.status_code == 400, path
        assert "page_size" in too_many.json(), path


def test_a_list_longer_than_a_page_is_cut_into_pages(client):
    first = client.get("/api/districts/", {"page_size": 10}).json()
    assert first["count"] == 43
    assert len(first["results"]) == 10
    assert "page=2" in first["next"]
    assert len(client.get("/api/results/", {"page_size": 10}).json()["results"]) == 10


def test_the_map_endpoint_needs_a_window_or_a_district_and_documents_it(client, schema):
    response = client.get("/api/spaces/")
    assert response.status_code == 400
    assert "bbox" in response.json()
    operation = schema["paths"]["/api/spaces/"]["get"]
    assert "400" in operation["responses"]
    bbox = next(p for p in operation["parameters"] if p["name"] == "bbox")
    assert "district" in bbox["description"]
    assert client.get("/api/spaces/", {"district": "150137"}).status_code == 200


def test_operations_that_need_a_role_document_401_and_403(schema):
    create = schema["paths"]["/api/platform/meetings/"]["post"]["responses"]
    assert {"201", "400", "401", "403"} <= set(create)
    public = schema["paths"]["/api/districts/"]["get"]["responses"]
    assert "403" not in public


def test_an_anonymous_api_client_is_told_to_authenticate_with_a_token(client):
    response = client.get("/api/platform/meetings/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_errors_that_escape_a_view_are_a_400_with_an_object_body():
    refused = exception_handler(DjangoValidationError({"place": ["Needs a place."]}), {})
    assert (refused.status_code, refused.data) == (400, {"place": ["Needs a place."]})
    overflow = exception_handler(OverflowError("date value out of range"), {})
    assert overflow.status_code == 400
    assert overflow.data["detail"]
    listed = exception_handler(ValidationError(["Report or plan, not both."]), {})
    assert listed.data == {"non_field_errors": ["Report or plan, not both."]}
