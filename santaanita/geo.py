"""GeoJSON geometry without GDAL: validation and normalisation with shapely.

Geometry is stored as RFC 7946 GeoJSON (WGS84, lon/lat) in JSON fields. This module makes
it valid, orients rings by the right-hand rule (exterior counter-clockwise), rounds to ~1 m
and computes what the map queries need: bounding box, centroid and area.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely import make_valid
from shapely.geometry import GeometryCollection, MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import orient

ALLOWED_TYPES = {"Point", "Polygon", "MultiPolygon"}
COORDINATE_DECIMALS = 6
# Metres per degree of latitude; good to 0.5 % anywhere in Lima, which is all the
# area figures (hectares of a park) need.
METRES_PER_DEGREE = 111_320.0


# A GeoJSON object as parsed from JSON (a geometry, a feature): its members are checked
# where they are read.
GeoJSON: TypeAlias = dict[str, object]
# A position's number, or a position, ring, polygon or list of polygons (nested sequences).
Coordinates: TypeAlias = float | Sequence["Coordinates"]


@dataclass(frozen=True)
class NormalizedGeometry:
    geojson: GeoJSON
    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
    centroid: tuple[float, float]  # lon, lat
    area_m2: float


def _round(coords: Coordinates) -> Coordinates:
    if isinstance(coords, (int, float)):
        return round(float(coords), COORDINATE_DECIMALS)
    return [_round(c) for c in coords]


def _oriented(geom: BaseGeometry) -> BaseGeometry:
    if isinstance(geom, Polygon):
        return orient(geom, sign=1.0)
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])
    return geom


def _polygonal_part(geom: BaseGeometry) -> BaseGeometry:
    """make_valid may return a collection with stray lines; keep the polygons."""
    if isinstance(geom, GeometryCollection):
        polygons = [g for g in geom.geoms if isinstance(g, (Polygon, MultiPolygon))]
        parts: list[Polygon] = []
        for p in polygons:
            parts.extend(p.geoms if isinstance(p, MultiPolygon) else [p])
        return MultiPolygon(parts) if len(parts) > 1 else (parts[0] if parts else geom)
    return geom


def area_m2(geom: BaseGeometry) -> float:
    if geom.is_empty or isinstance(geom, Point):
        return 0.0
    # shapely ships no type information: name the floats its properties return.
    lat: float = geom.centroid.y
    area: float = geom.area
    return area * METRES_PER_DEGREE**2 * math.cos(math.radians(lat))


def normalize_geometry(value: Mapping[str, object]) -> NormalizedGeometry:
    """Validate a GeoJSON geometry and return it normalised, or raise ValidationError."""
    if not isinstance(value, dict) or value.get("type") not in ALLOWED_TYPES:
        raise ValidationError(
            _("The geometry must be a GeoJSON Point, Polygon or MultiPolygon."), code="type"
        )
    if "crs" in value:
        raise ValidationError(_("GeoJSON must not carry a 'crs': it is always WGS84."))
    try:
        geom = shape(value)
    except (ValueError, TypeError, IndexError, AttributeError) as exc:
        raise ValidationError(
            _("The geometry could not be read: %(error)s"), params={"error": exc}
        ) from exc
    if geom.is_empty:
        raise ValidationError(_("The geometry is empty."), code="empty")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationError(
            _("Coordinates must be longitude, latitude in degrees (WGS84)."), code="range"
        )
    if not geom.is_valid:
        geom = _polygonal_part(make_valid(geom))
        if geom.is_empty or not isinstance(geom, (Polygon, MultiPolygon)):
            raise ValidationError(_("The polygon is not valid and could not be repaired."))
    geom = _oriented(geom)
    geojson = mapping(geom)
    normalized = {"type": geojson["type"], "coordinates": _round(geojson["coordinates"])}
    centroid = geom.representative_point() if not geom.centroid.within(geom) else geom.centroid
    if isinstance(geom, Point):
        centroid = geom
    return NormalizedGeometry(
        geojson=normalized,
        bbox=(minx, miny, maxx, maxy),
        centroid=(round(centroid.x, COORDINATE_DECIMALS), round(centroid.y, COORDINATE_DECIMALS)),
        area_m2=area_m2(geom),
    )


def length_m(value: Mapping[str, object]) -> float:
    """The length of a long, narrow area (a berm, a canal bank): the longer side of the
    smallest rectangle around it, in metres. 0 for a point."""
    geom = shape(value)
    if geom.is_empty or isinstance(geom, Point):
        return 0.0
    corners = list(geom.minimum_rotated_rectangle.exterior.coords)[:3]
    lat = math.radians(geom.centroid.y)

    def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
        dx = (b[0] - a[0]) * METRES_PER_DEGREE * math.cos(lat)
        dy = (b[1] - a[1]) * METRES_PER_DEGREE
        return math.hypot(dx, dy)

    return max(metres(corners[0], corners[1]), metres(corners[1], corners[2]))
