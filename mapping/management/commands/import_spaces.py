"""Import an existing inventory of public spaces from GeoJSON or CSV (dry run by default)."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mapping.services import spaces_import
from platform_app.models import District


class _Options(TypedDict):
    path: Path
    ubigeo: str
    format: str | None
    commit: bool


class Command(BaseCommand):
    help = (
        "Import public spaces from a GeoJSON FeatureCollection (properties name, category, "
        "address) or a CSV (columns name, category, address, lat, lon). Without --commit it "
        "only reports what would be created and which rows are rejected."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--ubigeo", default=settings.DEFAULT_DISTRICT_UBIGEO)
        parser.add_argument("--format", choices=["geojson", "csv"], default=None)
        parser.add_argument("--commit", action="store_true", help="write the valid rows")

    def handle(self, *args: object, **options: object) -> None:
        # argparse parsed them as add_arguments declares.
        opts = cast(_Options, options)
        path: Path = opts["path"]
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        fmt = opts["format"] or ("csv" if path.suffix.lower() == ".csv" else "geojson")
        try:
            district = District.objects.get(ubigeo=opts["ubigeo"])
        except District.DoesNotExist as exc:
            raise CommandError(f"unknown district {opts['ubigeo']}") from exc
        report = spaces_import(
            district=district,
            text=path.read_text(encoding="utf-8-sig"),
            fmt=fmt,
            dry_run=not opts["commit"],
        )
        verb = "would create" if report.dry_run else "created"
        self.stdout.write(f"{verb} {len(report.created)} spaces in {district.name}")
        for row, name, reason in report.rejected:
            self.stdout.write(f"rejected row {row} ({name or '-'}): {reason}")
