"""Files an attacker (or a stolen coordinator session) tries to upload, made in memory."""

from __future__ import annotations

import io

from PIL import Image

from tests.imagefiles import pdf_bytes, png_bytes

PAGE = b"<!DOCTYPE html><html><body><script src='/media/x.js'></script></body></html>"


def decompression_bomb() -> bytes:
    """30000 x 30000 pixels: about 100 kB as a PNG, 900 MB once decoded."""
    out = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(out, "PNG")
    return out.getvalue()


def pdf_with_an_open_action() -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = action
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# (file name, content): every one of them must be refused by every upload field.
BAD_FILES = {
    "html": ("pagina.html", PAGE),
    "svg": (
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
    ),
    "js": ("script.js", b"fetch('/api/pledges/').then(r => r.text()).then(alert);\n"),
    "html-as-jpg": ("foto.jpg", PAGE),
    "html-as-pdf": ("acta.pdf", PAGE),
    "bomb": ("plano.png", decompression_bomb()),
    "polyglot": ("foto.png", png_bytes() + PAGE),
}
