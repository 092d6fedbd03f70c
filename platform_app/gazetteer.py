"""Reading district and sector limits from GeoJSON files into plain, validated records.

The migration that ships Lima's 43 districts and the ``district_import`` command both read
files through here, so a file that loads in one loads in the other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from santaanita.geo import GeoJSON, normalize_geometry

DATA_DIR = Path(__file__).resolve().parent / "data"
LIMA_DISTRICTS_FILE = DATA_DIR / "lima_districts_inei2023.geojson"
SANTA_ANITA_SECTORS_FILE = DATA_DIR / "santa_anita_sectors.geojson"
SANTA_ANITA_UBIGEO = "150137"


@dataclass(frozen=True)
class DistrictRecord:
    ubigeo: str
    name: str
    slug: str
    boundary: GeoJSON | None
    centre_lon: float | None
    centre_lat: float | None
    area_m2: float | None


@dataclass(frozen=True)
class SectorRecord:
    number: int
    name: str
    boundary: GeoJSON | None
    area_m2: float | None


def _features(path: Path) -> list[dict[str, Any]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("type") != "FeatureCollection":
        raise ValidationError(f"{path}: not a GeoJSON FeatureCollection")
    return list(data["features"])


def read_districts(path: Path = LIMA_DISTRICTS_FILE) -> list[DistrictRecord]:
    """Features need properties ``ubigeo`` (six digits) and ``name``."""
    records = []
    for index, feature in enumerate(_features(path), start=1):
        props = feature.get("properties") or {}
        ubigeo = str(props.get("ubigeo", "")).strip()
        name = str(props.get("name", "")).strip()
        if len(ubigeo) != 6 or not ubigeo.isdigit() or not name:
            raise ValidationError(f"{path}: feature {index} needs a six-digit ubigeo and a name")
        geometry = normalize_geometry(feature["geometry"]) if feature.get("geometry") else None
        records.append(
            DistrictRecord(
                ubigeo=ubigeo,
                name=name,
                slug=slugify(name),
                boundary=geometry.geojson if geometry else None,
                centre_lon=geometry.centroid[0] if geometry else None,
                centre_lat=geometry.centroid[1] if geometry else None,
                area_m2=geometry.area_m2 if geometry else None,
            )
        )
    return records


def read_sectors(path: Path) -> list[SectorRecord]:
    """Features need properties ``number`` (a whole number) and ``name``."""
    records = []
    for index, feature in enumerate(_features(path), start=1):
        props = feature.get("properties") or {}
        try:
            number = int(props["number"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(f"{path}: feature {index} needs a whole-number 'number'") from exc
        geometry = normalize_geometry(feature["geometry"]) if feature.get("geometry") else None
        records.append(
            SectorRecord(
                number=number,
                name=str(props.get("name") or f"Sector {number}"),
                boundary=geometry.geojson if geometry else None,
                area_m2=geometry.area_m2 if geometry else None,
            )
        )
    return records
