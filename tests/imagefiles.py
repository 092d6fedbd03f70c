"""Files the tests upload (photos, PDFs), made in memory."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    """A small JPEG as a phone writes it: camera maker and a GPS position in its EXIF."""
    image = Image.new("RGB", (64, 48), "green")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[GPS_IFD] = {1: "S", 2: (12.0, 2.0, 30.0), 3: "W", 4: (76.0, 58.0, 10.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "orange").save(out, "PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    """A one-page PDF, as a scanner or a word processor writes it."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
