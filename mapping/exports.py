"""Public exports of public spaces: GeoJSON (RFC 7946), KML and CSV with lat/lon.

Only public facts leave through here: no surveyor, no contact of any organization (the
caring organizations appear by name). Readable by QGIS and ``ogr2ogr``: GeoJSON is WGS84
lon/lat with counter-clockwise exterior rings and no ``crs`` member; KML 2.2 puts the
same geometry in ``<coordinates>lon,lat</coordinates>``; the CSV has ``lat`` and ``lon``
columns (the centroid) and the geometry as WKT, which ogr2ogr reads with
``-oo GEOM_POSSIBLE_NAMES=wkt`` or ``-oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypedDict, cast
from xml.sax.saxutils import escape

from django.db.models import QuerySet
from shapely.geometry import shape

from mapping.models import ConditionBand, PublicSpace
from santaanita import writers
from santaanita.geo import GeoJSON

CSV_COLUMNS = (
    "id",
    "name",
    "category",
    "sector",
    "address",
    "lat",
    "lon",
    "area_m2",
    "condition_score",
    "condition",
    "last_verified_survey",
    "needs",
    "organizations",
    "wkt",
)


# A position (lon, lat) and a ring of positions, as a stored geometry holds them.
Position = Sequence[float]
Ring = Sequence[Position]


class SpaceProperties(TypedDict):
    """What the exports (and the API's GeoJSON feature) tell of a space."""

    id: int
    name: str
    slug: str
    category: str
    sector: int | None
    sector_name: str
    address: str
    area_m2: float
    centroid_lat: float
    centroid_lon: float
    ownership: str
    administrator: str
    condition_score: int | None
    condition: str
    condition_summary: str
    needs: str
    last_verified_survey: str | None
    organizations: list[str]


def export_queryset(queryset: QuerySet[PublicSpace]) -> QuerySet[PublicSpace]:
    """The spaces with what the exports read, in a constant number of queries."""
    return queryset.select_related("sector", "latest_verified_survey").prefetch_related(
        "organizations"
    )


def space_properties(space: PublicSpace) -> SpaceProperties:
    survey = space.latest_verified_survey
    return {
        "id": space.pk,
        "name": space.name,
        "slug": space.slug,
        "category": space.category,
        "sector": space.sector.number if space.sector else None,
        "sector_name": space.sector.name if space.sector else "",
        "address": space.address,
        "area_m2": space.area_m2,
        "centroid_lat": space.centroid_lat,
        "centroid_lon": space.centroid_lon,
        "ownership": space.ownership,
        "administrator": space.administrator,
        "condition_score": space.condition_score,
        "condition": ConditionBand.for_score(space.condition_score).value,
        "condition_summary": space.condition_summary,
        "needs": space.needs,
        "last_verified_survey": survey.observed_at.date().isoformat() if survey else None,
        "organizations": [o.name for o in space.organizations.all()],
    }


def to_geojson(spaces: Iterable[PublicSpace]) -> GeoJSON:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": space.pk,
                "geometry": space.geometry,
                "properties": space_properties(space),
            }
            for space in spaces
        ],
    }


def _kml_coords(ring: Iterable[Iterable[float]]) -> str:
    return " ".join(f"{lon},{lat}" for lon, lat, *_rest in ring)


def _kml_ring(tag: str, ring: Iterable[Iterable[float]]) -> str:
    coords = _kml_coords(ring)
    return f"<{tag}><LinearRing><coordinates>{coords}</coordinates></LinearRing></{tag}>"


def _kml_polygon(rings: Sequence[Ring]) -> str:
    outer = _kml_ring("outerBoundaryIs", rings[0])
    inner = "".join(_kml_ring("innerBoundaryIs", r) for r in rings[1:])
    return f"<Polygon>{outer}{inner}</Polygon>"


def _kml_geometry(geometry: GeoJSON) -> str:
    # A stored geometry was normalised on save (santaanita.geo): a Point, a Polygon or a
    # MultiPolygon, its coordinates nested as its type says.
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        point = cast(Position, coords)
        return f"<Point><coordinates>{point[0]},{point[1]}</coordinates></Point>"
    if kind == "Polygon":
        return _kml_polygon(cast(Sequence[Ring], coords))
    polygons = cast(Sequence[Sequence[Ring]], coords)
    return "<MultiGeometry>" + "".join(_kml_polygon(p) for p in polygons) + "</MultiGeometry>"


def _xml(value: str) -> str:
    return escape(writers.xml_text(value))


def to_kml(spaces: Iterable[PublicSpace], *, title: str) -> str:
    fields = ("category", "sector", "address", "area_m2", "condition_score", "condition")
    placemarks = []
    for space in spaces:
        props: Mapping[str, object] = space_properties(space)
        values = {name: "" if props[name] is None else str(props[name]) for name in fields}
        data = "".join(
            f'<Data name="{name}"><value>{_xml(value)}</value></Data>'
            for name, value in values.items()
        )
        placemarks.append(
            f'<Placemark id="space-{space.pk}"><name>{_xml(space.name)}</name>'
            f"<ExtendedData>{data}</ExtendedData>{_kml_geometry(space.geometry)}</Placemark>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<name>{_xml(title)}</name>" + "".join(placemarks) + "</Document></kml>\n"
    )


def to_csv(spaces: Iterable[PublicSpace]) -> str:
    return writers.csv_text([CSV_COLUMNS, *(_csv_row(space) for space in spaces)])


def _csv_row(space: PublicSpace) -> list[object]:
    props = space_properties(space)
    return [
        space.pk,
        space.name,
        space.category,
        props["sector"] or "",
        space.address,
        space.centroid_lat,
        space.centroid_lon,
        space.area_m2,
        "" if space.condition_score is None else space.condition_score,
        props["condition"],
        props["last_verified_survey"] or "",
        space.needs.replace("\n", "; "),
        "; ".join(props["organizations"]),
        shape(space.geometry).wkt,
    ]
