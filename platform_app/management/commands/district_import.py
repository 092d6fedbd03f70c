from pathlib import Path
from typing import TypedDict, cast

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_app.gazetteer import read_districts, read_sectors
from platform_app.models import District
from platform_app.services.places import districts_import, sectors_import


class _Options(TypedDict):
    districts: Path | None
    sectors: Path | None
    ubigeo: str | None


class Command(BaseCommand):
    help = (
        "Add or update districts from a GeoJSON file (properties: ubigeo, name) and/or a "
        "district's sectors (properties: number, name). Adding a district is data, not code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--districts", type=Path, help="GeoJSON FeatureCollection of districts")
        parser.add_argument("--sectors", type=Path, help="GeoJSON FeatureCollection of sectors")
        parser.add_argument("--ubigeo", help="the district the --sectors file belongs to")

    def handle(self, *args: object, **options: object) -> None:
        # argparse parsed them as add_arguments declares.
        opts = cast(_Options, options)
        if not opts["districts"] and not opts["sectors"]:
            raise CommandError("Give --districts FILE, or --sectors FILE with --ubigeo CODE.")
        try:
            if opts["districts"]:
                created, updated = districts_import(records=read_districts(opts["districts"]))
                self.stdout.write(f"Districts: {created} created, {updated} updated.")
            if opts["sectors"]:
                if not opts["ubigeo"]:
                    raise CommandError("--sectors needs --ubigeo, the district they belong to.")
                try:
                    district = District.objects.get(ubigeo=opts["ubigeo"])
                except District.DoesNotExist as exc:
                    raise CommandError(f"No district with UBIGEO {opts['ubigeo']}.") from exc
                created, updated = sectors_import(
                    district=district, records=read_sectors(opts["sectors"])
                )
                self.stdout.write(
                    f"Sectors of {district.name}: {created} created, {updated} updated."
                )
        except (OSError, ValueError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
