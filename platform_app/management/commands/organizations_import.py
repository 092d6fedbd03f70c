"""Import organizations from a CSV or XLSX sheet (lists gathered on paper).

manage.py organizations_import lista.xlsx --dry-run
manage.py organizations_import lista.csv --district 150137
"""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_app.forms import RegistryImportForm
from platform_app.models import District
from platform_app.services.registry_imports import organizations_import
from santaanita.sheets import read_sheet


class _Options(TypedDict):
    path: str
    district: str
    dry_run: bool


class Command(BaseCommand):
    help = "Import organizations from a CSV or XLSX sheet; --dry-run reports without writing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--district", default=settings.DEFAULT_DISTRICT_UBIGEO)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        # argparse parsed them as add_arguments declares.
        opts = cast(_Options, options)
        path = Path(opts["path"])
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        district = District.objects.get(ubigeo=opts["district"])
        try:
            rows = read_sheet(path.name, path.read_bytes(), max_rows=RegistryImportForm.MAX_ROWS)
            report = organizations_import(
                district=district,
                rows=rows,
                dry_run=opts["dry_run"],
                source=path.name,
            )
        except ValidationError as error:  # SheetError is one too
            raise CommandError(" ".join(error.messages)) from None
        verb = "would be created" if opts["dry_run"] else "created"
        self.stdout.write(f"{len(report.created)} organizations {verb}.")
        for number, reason in report.rejected:
            self.stdout.write(f"Row {number} rejected: {reason}")
        if report.rejected:
            self.stdout.write(f"{len(report.rejected)} rows rejected.")
