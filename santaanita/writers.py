"""The one way the platform writes tables and calendars that leave it: CSV, XLSX, iCalendar.

Each format gets only what it may carry. Text loses the characters ``santaanita.text``
forbids (XLSX files with a C0 control do not open; RFC 5545 refuses controls in iCalendar
text), whatever was stored before that rule existed. A spreadsheet program runs a cell
that starts with = + - @ (or a tab or carriage return before one) as a formula, so such a
cell is written with a leading apostrophe, the sign spreadsheets read as "this is text":
someone who registers "=HYPERLINK(…)" as an organization's name must not get a
coordinator's computer to run it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

from santaanita.text import strip_forbidden

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel's limit on the text of one cell.
XLSX_CELL_MAX = 32767

# A cell is whatever the format can write: text, a number, a date, or empty (None).
Rows = Iterable[Sequence[object]]


def cell(value: object) -> object:
    """A value safe to put in a spreadsheet cell; numbers and dates pass unchanged."""
    if not isinstance(value, str):
        return value
    text = strip_forbidden(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text


def csv_text(rows: Rows, *, bom: bool = False) -> str:
    """The rows as CSV; ``bom`` makes Excel read the UTF-8 accents correctly."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return buffer.getvalue()


def xlsx_bytes(sheets: Iterable[tuple[str, Rows]]) -> bytes:
    """A workbook with one sheet per (title, rows)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        # Sheet titles: at most 31 characters, none of []:*?/\
        sheet = workbook.create_sheet(strip_forbidden(title).translate(_TITLE_FORBIDDEN)[:31])
        for row in rows:
            sheet.append([_xlsx_cell(value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _xlsx_cell(value: object) -> object:
    value = cell(value)
    if isinstance(value, str):
        return value[:XLSX_CELL_MAX]
    return value


def attachment(content: str | bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(rows: Rows, *, filename: str, bom: bool = False) -> HttpResponse:
    return attachment(
        csv_text(rows, bom=bom), content_type="text/csv; charset=utf-8", filename=filename
    )


def xlsx_response(title: str, rows: Rows, *, filename: str) -> HttpResponse:
    return attachment(xlsx_bytes([(title, rows)]), content_type=XLSX_TYPE, filename=filename)


def ical_text(value: str) -> str:
    """Text for an iCalendar property: no controls but the line breaks the library escapes
    (RFC 5545, 3.3.11), and LF alone for a line break."""
    return strip_forbidden(value).replace("\r\n", "\n").replace("\r", "\n")


def xml_text(value: str) -> str:
    """Text for XML 1.0 (KML): tab, LF and CR are its only allowed controls."""
    return strip_forbidden(value)
