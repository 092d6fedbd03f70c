from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_app.gazetteer import read_districts, read_sectors
from platform_app.models import District
from platform_app.services.places import districts_import, sectors_import


class Command(BaseCommand):
    help = (
        "Add or update districts from a GeoJSON file (properties: ubigeo, name) and/or a "
        "district's sectors (properties: number, name). Adding a district is data, not code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--districts", type=Path, help="GeoJSON FeatureCollection of districts")
        parser.add_argument("--sectors", type=Path, help="GeoJSON FeatureCollection of sectors")
        parser.add_argument("--ubigeo", help="the district the --sectors file belongs to")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["districts"] and not options["sectors"]:
            raise CommandError("Give --districts FILE, or --sectors FILE with --ubigeo CODE.")
        try:
            if options["districts"]:
                created, updated = districts_import(records=read_districts(options["districts"]))
                self.stdout.write(f"Districts: {created} created, {updated} updated.")
            if options["sectors"]:
                if not options["ubigeo"]:
                    raise CommandError("--sectors needs --ubigeo, the district they belong to.")
                try:
                    district = District.objects.get(ubigeo=options["ubigeo"])
                except District.DoesNotExist as exc:
                    raise CommandError(f"No district with UBIGEO {options['ubigeo']}.") from exc
                created, updated = sectors_import(
                    district=district, records=read_sectors(options["sectors"])
                )
                self.stdout.write(
                    f"Sectors of {district.name}: {created} created, {updated} updated."
                )
        except (OSError, ValueError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
