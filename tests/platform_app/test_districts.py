from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from platform_app.models import District, Sector

pytestmark = pytest.mark.django_db


def test_the_43_districts_of_lima_ship_with_their_ubigeo_codes():
    codes = set(District.objects.values_list("ubigeo", flat=True))
    assert codes == {f"1501{n:02d}" for n in range(1, 44)}
    assert District.objects.get(ubigeo="150135").name == "San Martín de Porres"
    assert District.objects.get(ubigeo="150105").name == "Breña"


def test_santa_anita_is_the_default_district_with_five_sectors(santa_anita):
    assert santa_anita.is_default
    assert list(santa_anita.sectors.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    total = sum(s.area_m2 for s in santa_anita.sectors.all())
    assert total == pytest.approx(santa_anita.area_m2, rel=0.01)


def test_district_centre_is_computed_from_its_boundary(santa_anita):
    assert -12.06 < santa_anita.centre_lat < -12.03
    assert -76.99 < santa_anita.centre_lon < -76.94


def _feature_collection(tmp_path, name, features):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-77.0, -12.0], [-76.99, -12.0], [-76.99, -12.01], [-77.0, -12.01], [-77.0, -12.0]]
    ],
}


def test_a_new_district_and_its_sectors_are_added_with_a_command(tmp_path, capsys):
    districts = _feature_collection(
        tmp_path,
        "d.geojson",
        [
            {
                "type": "Feature",
                "properties": {"ubigeo": "150201", "name": "Barranca"},
                "geometry": SQUARE,
            }
        ],
    )
    sectors = _feature_collection(
        tmp_path,
        "s.geojson",
        [{"type": "Feature", "properties": {"number": 1, "name": "Centro"}, "geometry": SQUARE}],
    )
    call_command("district_import", "--districts", str(districts))
    call_command("district_import", "--sectors", str(sectors), "--ubigeo", "150201")
    district = District.objects.get(ubigeo="150201")
    assert district.slug == "barranca"
    assert Sector.objects.get(district=district, number=1).name == "Centro"
    assert "Sectors of Barranca: 1 created" in capsys.readouterr().out


def test_district_import_explains_a_bad_file(tmp_path):
    bad = _feature_collection(
        tmp_path,
        "bad.geojson",
        [{"type": "Feature", "properties": {"name": "Sin código"}, "geometry": SQUARE}],
    )
    with pytest.raises(CommandError, match="six-digit ubigeo"):
        call_command("district_import", "--districts", str(bad))


def test_sectors_need_an_existing_district(tmp_path):
    sectors = _feature_collection(tmp_path, "s.geojson", [])
    with pytest.raises(CommandError, match="No district with UBIGEO 999999"):
        call_command("district_import", "--sectors", str(sectors), "--ubigeo", "999999")
