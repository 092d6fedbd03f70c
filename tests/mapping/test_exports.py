"""GIS exports (RFC 7946 GeoJSON, KML, CSV with lat/lon) and the import with its dry run."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.urls import reverse
from shapely.geometry import LinearRing, shape

from mapping.models import PublicSpace
from mapping.services import spaces_import
from tests.factories_mapping import PublicSpaceFactory, SurveyFactory

pytestmark = pytest.mark.django_db

KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture
def spaces(santa_anita):
    lon, lat = santa_anita.centre_lon, santa_anita.centre_lat
    clockwise = [
        [lon, lat],
        [lon, lat + 0.001],
        [lon + 0.001, lat + 0.001],
        [lon + 0.001, lat],
        [lon, lat],
    ]
    polygon = PublicSpaceFactory(
        name="Parque Polígono", geometry={"type": "Polygon", "coordinates": [clockwise]}
    )
    point = PublicSpaceFactory(name="Losa Punto")
    survey = SurveyFactory(space=point, status="verified", condition_score=35)
    point.latest_verified_survey, point.condition_score = survey, 35
    point.save()
    return [polygon, point]


def _assert_rfc7946(collection: dict) -> None:
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        geometry = feature["geometry"]
        assert "crs" not in geometry
        polygons = []
        if geometry["type"] == "Point":
            lon, lat = geometry["coordinates"]
            assert -77.2 < lon < -76.6
            assert -12.3 < lat < -11.7
        elif geometry["type"] == "Polygon":
            polygons = [geometry["coordinates"]]
        else:
            polygons = geometry["coordinates"]
        for rings in polygons:
            for lon, lat in rings[0]:
                assert -77.2 < lon < -76.6
                assert -12.3 < lat < -11.7
            assert rings[0][0] == rings[0][-1]
            assert LinearRing(rings[0]).is_ccw  # right-hand rule: exterior counter-clockwise
            for hole in rings[1:]:
                assert not LinearRing(hole).is_ccw


def test_geojson_export_follows_rfc_7946_and_gives_every_space(client, spaces):
    response = client.get(reverse("mapping:export-geojson"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    collection = json.loads(response.content)
    _assert_rfc7946(collection)
    by_name = {f["properties"]["name"]: f for f in collection["features"]}
    assert set(by_name) == {"Parque Polígono", "Losa Punto"}
    point = spaces[1]
    assert by_name["Losa Punto"]["geometry"]["coordinates"] == [
        point.centroid_lon,
        point.centroid_lat,
    ]
    assert by_name["Losa Punto"]["properties"]["condition_score"] == 35
    assert by_name["Losa Punto"]["properties"]["last_verified_survey"]


def test_kml_export_has_every_space_with_lon_lat_coordinates(client, spaces):
    response = client.get(reverse("mapping:export-kml"))
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own export
    placemarks = root.findall(f".//{KML}Placemark")
    assert len(placemarks) == 2
    point = next(p for p in placemarks if p.find(f"{KML}name").text == "Losa Punto")
    lon, lat = (float(v) for v in point.find(f".//{KML}coordinates").text.split(","))
    assert (lon, lat) == (spaces[1].centroid_lon, spaces[1].centroid_lat)
    polygon = next(p for p in placemarks if p.find(f"{KML}name").text == "Parque Polígono")
    ring = [
        tuple(float(v) for v in pair.split(","))
        for pair in polygon.find(f".//{KML}outerBoundaryIs//{KML}coordinates").text.split()
    ]
    assert shape(spaces[0].geometry).exterior.coords[:] == ring


def test_csv_export_has_lat_lon_and_wkt(client, spaces):
    response = client.get(reverse("mapping:export-csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    row = next(r for r in rows if r["name"] == "Losa Punto")
    assert float(row["lat"]) == spaces[1].centroid_lat
    assert float(row["lon"]) == spaces[1].centroid_lon
    assert row["wkt"].startswith("POINT")
    assert row["condition"] == "bad"


@pytest.mark.parametrize("name", ["export-geojson", "export-kml", "export-csv"])
def test_exports_open_with_ogrinfo(client, spaces, tmp_path, name):
    if not shutil.which("ogrinfo"):
        if os.environ.get("CI") == "true":
            pytest.fail("GDAL's ogrinfo is required under CI=true (make test installs gdal-bin)")
        pytest.skip("GDAL's ogrinfo is not installed (make test installs gdal-bin as root)")
    suffix = name.split("-")[1]
    path = tmp_path / f"espacios.{suffix}"
    path.write_bytes(client.get(reverse(f"mapping:{name}")).content)
    args = ["ogrinfo", "-ro", "-al", str(path)]
    if suffix == "csv":
        args[1:1] = ["-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat"]
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    summary = subprocess.run(
        [*args[:-1], "-so", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Feature Count: 2" in summary
    point = spaces[1]
    # ogrinfo prints WKT: longitude first, then latitude.
    assert re.search(rf"POINT (Z )?\({point.centroid_lon} {point.centroid_lat}( 0)?\)", output), (
        output
    )


def test_exports_never_carry_personal_data(client, spaces):
    for name in ("export-geojson", "export-kml", "export-csv"):
        content = client.get(reverse(f"mapping:{name}")).content.decode()
        assert "@example.org" not in content


def _import_text(district) -> str:
    lon, lat = district.centre_lon, district.centre_lat
    features = [
        ("Parque Nuevo", {"type": "Point", "coordinates": [lon, lat]}),
        ("Parque Roto", {"type": "Polygon", "coordinates": [[[lon, lat]]]}),
        ("Parque en Miraflores", {"type": "Point", "coordinates": [-77.03, -12.12]}),
        ("Parque Nuevo", {"type": "Point", "coordinates": [lon + 0.001, lat]}),
        ("Losa Existente", {"type": "Point", "coordinates": [lon, lat + 0.001]}),
    ]
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"name": n, "category": "park"}, "geometry": g}
                for n, g in features
            ],
        }
    )


def test_import_dry_run_reports_rejected_rows_and_writes_nothing(santa_anita):
    PublicSpaceFactory(name="Losa Existente")
    report = spaces_import(district=santa_anita, text=_import_text(santa_anita), fmt="geojson")
    assert report.created == ["Parque Nuevo"]
    reasons = {row: reason for row, _name, reason in report.rejected}
    assert set(reasons) == {2, 3, 4, 5}
    assert "geometr" in reasons[2].lower()
    assert "distrito" in reasons[3] or "district" in reasons[3]
    assert "duplic" in reasons[4].lower()
    assert "duplic" in reasons[5].lower()
    assert PublicSpace.objects.count() == 1


def test_import_commit_creates_the_valid_rows_with_a_sector(santa_anita):
    spaces_import(
        district=santa_anita, text=_import_text(santa_anita), fmt="geojson", dry_run=False
    )
    created = PublicSpace.objects.get(name="Parque Nuevo")
    assert created.sector is not None


def test_import_csv_through_the_command(santa_anita, tmp_path):
    lon, lat = santa_anita.centre_lon, santa_anita.centre_lat
    path = tmp_path / "inventario.csv"
    path.write_text(
        "name,category,address,lat,lon\n"
        f"Plaza Central,plaza,Av. Los Ruiseñores,{lat},{lon}\n"
        "Sin Coordenadas,park,,,\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_spaces", str(path), stdout=out)
    assert "would create 1" in out.getvalue()
    assert "rejected row 2" in out.getvalue()
    assert not PublicSpace.objects.exists()
    call_command("import_spaces", str(path), "--commit", stdout=io.StringIO())
    assert PublicSpace.objects.get().category == "plaza"
