"""The mapping API: spaces as GeoJSON with a bbox window, surveys scoped per user, photos."""

from __future__ import annotations

import io
import uuid

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openapi_spec_validator import validate
from PIL import Image

from mapping.models import Observation, PublicSpace, Survey
from tests.factories import UserFactory
from tests.factories_mapping import AssignmentFactory, PublicSpaceFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def _spaces(n: int, district) -> None:
    for i in range(n):
        PublicSpaceFactory(
            geometry={
                "type": "Point",
                "coordinates": [district.centre_lon + i * 1e-5, district.centre_lat],
            }
        )


def _window(district, pad=0.01) -> str:
    return ",".join(
        str(v)
        for v in (
            district.centre_lon - pad,
            district.centre_lat - pad,
            district.centre_lon + pad,
            district.centre_lat + pad,
        )
    )


def test_spaces_endpoint_is_a_geojson_feature_collection_of_the_window(client, santa_anita):
    inside = PublicSpaceFactory(name="Dentro")
    far = PublicSpaceFactory.build(
        name="Lejos", geometry={"type": "Point", "coordinates": [-77.1, -11.9]}
    )
    far.save()
    response = client.get("/api/spaces/", {"bbox": _window(santa_anita)})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in body["features"]] == [inside.name]
    feature = body["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["condition"] == "unknown"


@pytest.mark.parametrize("params", [{"bbox": "a,b"}, {"bbox": "10,10,0,0"}])
def test_a_bad_bbox_is_a_400(client, params):
    assert client.get("/api/spaces/", params).status_code == 400


def test_map_endpoint_query_count_does_not_grow_with_spaces(client, santa_anita):
    _spaces(3, santa_anita)
    with CaptureQueriesContext(connection) as small:
        first = client.get("/api/spaces/", {"bbox": _window(santa_anita), "geometry": "centroid"})
    _spaces(30, santa_anita)
    with CaptureQueriesContext(connection) as large:
        second = client.get("/api/spaces/", {"bbox": _window(santa_anita), "geometry": "centroid"})
    assert len(first.json()["features"]) == 3
    assert len(second.json()["features"]) == 33
    assert len(small) == len(large) == 1


def test_district_layer_is_cached_and_refreshed_after_a_change(
    client, santa_anita, django_capture_on_commit_callbacks
):
    _spaces(2, santa_anita)
    params = {"district": "150137"}
    assert len(client.get("/api/spaces/", params).json()["features"]) == 2
    with CaptureQueriesContext(connection) as cached:
        client.get("/api/spaces/", params)
    assert len(cached) == 0  # served from the cache without touching the database
    space = PublicSpace.objects.first()
    space.name = "Renombrado"
    with django_capture_on_commit_callbacks(execute=True):
        space.save()
    names = [f["properties"]["name"] for f in client.get("/api/spaces/", params).json()["features"]]
    assert "Renombrado" in names


def test_filters_sector_category_condition_organization(client, santa_anita):
    from tests.factories_registry import OrganizationFactory

    good = PublicSpaceFactory(category="plaza")
    good.condition_score = 90
    good.save()
    cared = PublicSpaceFactory(category="park")
    cared.organizations.add(OrganizationFactory())
    window = _window(santa_anita)

    def names(**params):
        body = client.get("/api/spaces/", {"bbox": window, **params}).json()
        return {f["properties"]["name"] for f in body["features"]}

    assert names(category="plaza") == {good.name}
    assert names(condition="good") == {good.name}
    assert names(condition="unknown") == {cared.name}
    assert names(has_organization="true") == {cared.name}
    assert names(has_organization="false") == {good.name}
    sector = good.sector.number
    assert good.name in names(sector=sector)


def test_bbox_query_filters_on_the_indexed_columns_and_uses_the_index(santa_anita):
    _spaces(50, santa_anita)
    w, s, e, n = (float(v) for v in _window(santa_anita).split(","))
    queryset = PublicSpace.objects.in_bbox(w, s, e, n).values_list("pk")
    sql = str(queryset.query)
    for column in ("min_lon", "max_lon", "min_lat", "max_lat"):
        assert column in sql
    plan = queryset.explain()
    if connection.vendor == "sqlite":
        assert "publicspace_bbox_idx" in plan
    else:
        # PostgreSQL prefers a sequential scan on a tiny table; forbid it to prove that the
        # index serves the predicate.
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
        try:
            plan = queryset.explain()
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET enable_seqscan = on")
        assert "publicspace_bbox_idx" in plan


def test_space_detail_feature_has_public_properties_only(client):
    from tests.factories_registry import OrganizationFactory

    space = PublicSpaceFactory()
    space.organizations.add(OrganizationFactory(name="Vecinos del Parque"))
    body = client.get(f"/api/spaces/{space.pk}/").json()
    assert body["type"] == "Feature"
    assert body["properties"]["organizations"] == ["Vecinos del Parque"]
    assert "@" not in str(body)


def test_surveys_are_scoped_per_user(client, other_district):
    assignment = AssignmentFactory()
    mine = SurveyFactory(space=assignment.space, surveyor=assignment.surveyor)
    verified = SurveyFactory(status=Survey.Status.VERIFIED)
    others_draft = SurveyFactory(status=Survey.Status.DRAFT)

    def ids():
        return {s["id"] for s in client.get("/api/surveys/").json()["results"]}

    assert ids() == {verified.pk}
    client.force_login(assignment.surveyor)
    assert ids() == {verified.pk, mine.pk}
    client.force_login(UserFactory(role="coordinator"))
    assert ids() == {verified.pk, mine.pk, others_draft.pk}
    client.force_login(UserFactory(role="coordinator", district=other_district))
    assert ids() == {verified.pk}
    assert "surveyor" not in client.get(f"/api/surveys/{verified.pk}/").json()


def _verified_with_details(n: int) -> list[Survey]:
    surveys = []
    for _ in range(n):
        survey = SurveyFactory(status=Survey.Status.VERIFIED)
        Observation.objects.create(
            survey=survey,
            observed_at=survey.observed_at,
            age_group=Observation.AgeGroup.ADULTS,
            sex=Observation.Sex.FEMALE,
            activity=Observation.Activity.SEDENTARY,
            count=3,
        )
        surveys.append(survey)
    return surveys


def test_survey_list_is_light_and_the_detail_has_the_counts(client):
    (survey,) = _verified_with_details(1)
    row = client.get("/api/surveys/").json()["results"][0]
    assert row["id"] == survey.pk
    assert row["status"] == "verified"
    assert not {"equipment", "quality_items", "observations", "needs"} & set(row)
    detail = client.get(f"/api/surveys/{survey.pk}/").json()
    assert [o["count"] for o in detail["observations"]] == [3]


def test_survey_list_query_count_does_not_grow_with_surveys(client):
    _verified_with_details(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/api/surveys/").json()["count"] == 2
    _verified_with_details(20)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/api/surveys/").json()["count"] == 22
    assert len(small) == len(large)


def test_survey_create_via_api_is_idempotent(client):
    assignment = AssignmentFactory()
    client.force_login(assignment.surveyor)
    payload = {
        "space": assignment.space.pk,
        "client_uuid": str(uuid.uuid4()),
        "observed_at": "2026-11-20T10:30:00-05:00",
        "equipment": [{"feature": "bench", "count": 3, "condition": "fair"}],
        "quality_items": [{"item": "litter", "rating": 3}],
        "observations": [
            {"zone": "A", "age_group": "teens", "sex": "male", "activity": "vigorous", "count": 7}
        ],
        "needs": [{"description": "Más tachos", "priority": "low"}],
    }
    first = client.post("/api/surveys/", payload, content_type="application/json")
    second = client.post("/api/surveys/", payload, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert Survey.objects.count() == 1
    assert first.json()["condition_score"] == 80  # (0.6 + 1.0) / 2


def _observation(zone: str, count: int) -> dict:
    return {
        "zone": zone,
        "age_group": "teens",
        "sex": "male",
        "activity": "vigorous",
        "count": count,
    }


def test_survey_api_keeps_the_counts_of_each_zone_apart(client):
    assignment = AssignmentFactory()
    client.force_login(assignment.surveyor)
    payload = {
        "space": assignment.space.pk,
        "client_uuid": str(uuid.uuid4()),
        "observed_at": "2026-11-20T10:30:00-05:00",
        # SOPARC counts each target zone apart: the same group and activity in two zones
        "observations": [_observation("Losa deportiva", 7), _observation("Zona de juegos", 3)],
    }
    response = client.post("/api/surveys/", payload, content_type="application/json")
    assert response.status_code == 201
    expected = {("Losa deportiva", 7), ("Zona de juegos", 3)}
    assert {(o["zone"], o["count"]) for o in response.json()["observations"]} == expected
    again = client.get(f"/api/surveys/{response.json()['id']}/").json()
    assert {(o["zone"], o["count"]) for o in again["observations"]} == expected
    assert Observation.objects.filter(survey_id=again["id"]).count() == 2


def test_survey_api_refuses_a_cell_counted_twice_in_one_zone(client):
    assignment = AssignmentFactory()
    client.force_login(assignment.surveyor)
    payload = {
        "space": assignment.space.pk,
        "client_uuid": str(uuid.uuid4()),
        "observed_at": "2026-11-20T10:30:00-05:00",
        "observations": [_observation("Losa deportiva", 7), _observation("Losa deportiva", 3)],
    }
    response = client.post("/api/surveys/", payload, content_type="application/json")
    assert response.status_code == 400
    assert "observations" in response.json()
    assert not Survey.objects.exists()


def test_survey_create_refused_for_unassigned_space_and_anonymous(client):
    space = PublicSpaceFactory()
    payload = {
        "space": space.pk,
        "client_uuid": str(uuid.uuid4()),
        "observed_at": "2026-11-20T10:30",
    }
    assert client.post("/api/surveys/", payload, content_type="application/json").status_code in {
        401,
        403,
    }
    client.force_login(UserFactory(role="surveyor"))
    response = client.post("/api/surveys/", payload, content_type="application/json")
    assert response.status_code == 403


def test_review_through_the_api(client):
    survey = SurveyFactory()
    client.force_login(survey.surveyor)
    url = f"/api/surveys/{survey.pk}/review/"
    assert client.post(url, {"decision": "approve"}).status_code == 403
    client.force_login(UserFactory(role="coordinator"))
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 200
    assert response.json()["status"] == "verified"


def test_photo_upload_through_the_api_is_cleaned(client):
    survey = SurveyFactory()
    client.force_login(survey.surveyor)
    refused = client.post(
        "/api/survey-photos/",
        {"survey": survey.pk, "image": io.BytesIO(b"not an image")},
    )
    assert refused.status_code == 400
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(out, "PNG")
    out.name = "foto.png"
    out.seek(0)
    response = client.post("/api/survey-photos/", {"survey": survey.pk, "image": out})
    assert response.status_code == 201
    client.logout()
    # photos of a survey not yet verified stay private
    assert client.get("/api/survey-photos/").json()["results"] == []


def test_openapi_schema_stays_valid_and_documents_the_mapping_endpoints(client):
    spec = yaml.safe_load(client.get("/api/schema/").content)
    validate(spec)
    for path in ("/api/spaces/", "/api/surveys/", "/api/survey-photos/"):
        assert path in spec["paths"]
    names = {p["name"] for p in spec["paths"]["/api/spaces/"]["get"]["parameters"]}
    assert {"bbox", "sector", "category", "condition", "has_organization"} <= names


def test_district_layer_comes_compressed_and_unchanged_as_a_304(client, santa_anita):
    import brotli

    _spaces(2, santa_anita)
    params = {"district": "150137", "geometry": "centroid"}
    plain = client.get("/api/spaces/", params)
    compressed = client.get("/api/spaces/", params, HTTP_ACCEPT_ENCODING="gzip, br")
    assert compressed["Content-Encoding"] == "br"
    assert brotli.decompress(compressed.content) == plain.content
    again = client.get("/api/spaces/", params, HTTP_IF_NONE_MATCH=plain["ETag"])
    assert again.status_code == 304
    PublicSpaceFactory(name="Parque Nuevo")
    changed = client.get("/api/spaces/", params, HTTP_IF_NONE_MATCH=plain["ETag"])
    assert changed.status_code == 200
    assert len(changed.json()["features"]) == 3
