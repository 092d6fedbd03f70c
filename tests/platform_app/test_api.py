from __future__ import annotations

import pytest
import yaml
from openapi_spec_validator import validate
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_openapi_schema_validates_as_openapi_3(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    spec = yaml.safe_load(response.content)
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert "/api/districts/" in spec["paths"]


def test_api_docs_page_loads_its_assets_from_this_server(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "swagger-ui" in content
    assert "cdn" not in content.lower()


def test_districts_are_listed_paginated_and_filterable(client):
    response = client.get("/api/districts/", {"ubigeo": "150137"})
    body = response.json()
    assert body["count"] == 1
    santa_anita = body["results"][0]
    assert santa_anita["name"] == "Santa Anita"
    assert [s["number"] for s in santa_anita["sectors"]] == [1, 2, 3, 4, 5]
    assert "boundary" not in santa_anita


def test_district_detail_carries_its_boundary_as_geojson(client):
    body = client.get("/api/districts/150137/").json()
    assert body["boundary"]["type"] == "Polygon"
    assert "crs" not in body["boundary"]


def test_sectors_filter_by_district(client):
    body = client.get("/api/sectors/", {"district__ubigeo": "150137"}).json()
    assert body["count"] == 5
    assert body["results"][0]["district"] == "150137"


def test_the_api_is_read_only_even_with_a_token(client):
    user = UserFactory(is_staff=True)
    token = Token.objects.create(user=user)
    response = client.post(
        "/api/districts/", {"name": "Nuevo"}, HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert response.status_code == 405
    assert client.get("/api/districts/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
