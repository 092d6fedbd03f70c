"""Reading an uploaded CSV or XLSX sheet, with limits, before anything trusts it.

An XLSX file is a zip archive of XML: a small upload can expand to gigabytes (a "zip
bomb") or be no zip at all. Its table of contents is read first, and the sizes it
declares checked, before openpyxl parses anything. Every refusal is a ``SheetError``
(a ValidationError) with a message for the person who uploaded the file.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# What a sheet of a few hundred thousand rows needs, and far less than a zip bomb's.
XLSX_MAX_EXPANDED_BYTES = 200 * 1024 * 1024
XLSX_MAX_RATIO = 100  # XML compresses about 10 to 20 times; bombs a thousand times
XLSX_MAX_MEMBERS = 1000


class SheetError(ValidationError):
    """The file is not a sheet we can read, or is larger than allowed."""


def _unreadable() -> SheetError:
    return SheetError(_("This file could not be read as a CSV or XLSX sheet."), code="unreadable")


def _check_zip(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SheetError(
            _("This file is not a valid XLSX workbook (it may be damaged)."), code="bad_zip"
        ) from None
    members = archive.infolist()
    expanded = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members) or 1
    if (
        len(members) > XLSX_MAX_MEMBERS
        or expanded > XLSX_MAX_EXPANDED_BYTES
        or expanded / compressed > XLSX_MAX_RATIO
    ):
        raise SheetError(
            _("This workbook expands to more data than a sheet of organizations can hold."),
            code="too_large",
        )


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    _check_zip(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises a dozen kinds for a damaged workbook
        raise _unreadable() from None
    sheet = workbook.active
    if sheet is None or not hasattr(sheet, "iter_rows"):
        raise SheetError(_("This workbook has no sheet to read."), code="no_sheet")
    try:
        for row in sheet.iter_rows(values_only=True):
            yield ["" if cell is None else str(cell).strip() for cell in row]
    except Exception:
        raise _unreadable() from None


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    if b"\x00" in content:  # a binary file renamed .csv, or UTF-16: no text sheet
        raise _unreadable()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetError(
            _("Save the sheet as CSV UTF-8 (the file has characters in another encoding)."),
            code="encoding",
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # one column, or nothing to guess from: commas
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            yield [cell.strip() for cell in row]
    except csv.Error:
        raise _unreadable() from None


def read_sheet(name: str, content: bytes, *, max_rows: int) -> list[dict[str, str]]:
    """The rows of a CSV or XLSX sheet as dicts keyed by lower-case header; at most
    ``max_rows`` rows after the header."""
    rows = _xlsx_rows(content) if name.lower().endswith(".xlsx") else _csv_rows(content)
    header: list[str] | None = None
    records: list[dict[str, str]] = []
    for row in rows:
        if not any(row):
            continue
        if header is None:
            header = [cell.lower() for cell in row]
            continue
        if len(records) == max_rows:
            raise SheetError(
                _("The sheet has more than %(max)s rows: split it.") % {"max": max_rows},
                code="too_many_rows",
            )
        records.append(dict(zip(header, row, strict=False)))
    if header is None:
        raise SheetError(_("The sheet is empty."), code="empty")
    return records
