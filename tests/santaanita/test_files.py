"""Uploads are judged by content: images bounded in pixels and stripped of metadata, no
markup or script under any name, stored under random names."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from santaanita.files import (
    DOCUMENTS,
    IMAGES,
    PDF,
    PDF_OR_IMAGE,
    Kind,
    RandomName,
    check_upload,
)
from tests.bad_files import BAD_FILES, pdf_with_an_open_action
from tests.imagefiles import GPS_IFD, jpeg_with_gps, pdf_bytes


def test_a_text_file_renamed_jpg_is_refused_with_a_clear_error():
    upload = SimpleUploadedFile("parque.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        check_upload(upload, accept=IMAGES)
    assert error.value.code == "not_an_image"


def test_a_decompression_bomb_is_refused(settings):
    # 20000 × 20000 pixels compress to a small PNG but would take 1.2 GB to decode.
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")
    upload = SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png")
    with pytest.raises(ValidationError) as error:
        check_upload(upload, accept=IMAGES)
    assert error.value.code == "too_many_pixels"


def test_a_photo_with_gps_exif_is_stored_without_it():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    upload = SimpleUploadedFile("foto.JPG", original, content_type="image/jpeg")
    cleaned = check_upload(upload, accept=IMAGES)
    result = Image.open(io.BytesIO(cleaned.read()))
    assert result.format == "JPEG"
    assert len(result.getexif()) == 0
    assert (cleaned.name, cleaned.original_name) == ("upload.jpg", "foto.JPG")


def test_an_oversized_file_is_refused_before_decoding(settings):
    settings.IMAGE_MAX_BYTES = 1000
    upload = SimpleUploadedFile("big.jpg", jpeg_with_gps() + b"\0" * 2000)
    with pytest.raises(ValidationError) as error:
        check_upload(upload, accept=IMAGES)
    assert error.value.code == "too_large"


def test_formats_other_than_jpeg_png_webp_are_refused():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("anim.gif", out.getvalue()), accept=IMAGES)
    assert error.value.code == "format"


def test_a_large_photo_is_resized_on_its_long_side_keeping_its_proportions(settings):
    out = io.BytesIO()
    Image.new("RGB", (3000, 1500), "green").save(out, "JPEG")
    upload = SimpleUploadedFile("grande.jpg", out.getvalue(), content_type="image/jpeg")
    with Image.open(check_upload(upload, accept=IMAGES)) as stored:
        assert stored.size == (settings.IMAGE_MAX_SIDE, settings.IMAGE_MAX_SIDE // 2)
    small = SimpleUploadedFile("chica.jpg", jpeg_with_gps(), content_type="image/jpeg")
    with Image.open(check_upload(small, accept=IMAGES)) as stored:
        assert stored.size == (64, 48)


@pytest.mark.parametrize("which", sorted(BAD_FILES))
@pytest.mark.parametrize("accept", [IMAGES, PDF_OR_IMAGE, DOCUMENTS], ids=["img", "pdf", "docs"])
def test_markup_scripts_bombs_and_polyglots_are_refused_by_every_kind_of_field(which, accept):
    name, content = BAD_FILES[which]
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile(name, content), accept=accept)


def test_a_pdf_that_runs_a_script_when_opened_is_refused():
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("acta.pdf", pdf_with_an_open_action()), accept=PDF)
    assert error.value.code == "pdf_script"


def test_a_real_pdf_and_a_real_spreadsheet_are_kept_byte_for_byte():
    from openpyxl import Workbook

    pdf = check_upload(SimpleUploadedFile("Acta 3.PDF", pdf_bytes()), accept=DOCUMENTS)
    assert (pdf.kind, pdf.read(), pdf.original_name) == (Kind.PDF, pdf_bytes(), "Acta 3.PDF")
    book = io.BytesIO()
    Workbook().save(book)
    sheet = check_upload(SimpleUploadedFile("lista.xlsx", book.getvalue()), accept=DOCUMENTS)
    assert sheet.kind == Kind.XLSX
    csv = check_upload(
        SimpleUploadedFile("lista.csv", "nombre;sector\nÑaña;2\n".encode()), accept=DOCUMENTS
    )
    assert csv.kind == Kind.CSV


def test_a_pdf_is_refused_where_only_images_are_taken():
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("foto.pdf", pdf_bytes()), accept=IMAGES)
    assert error.value.code == "not_an_image"


def test_stored_names_are_random_and_keep_nothing_of_the_uploaders_name():
    upload_to = RandomName("private", "pledges")
    first = upload_to(None, "upload.pdf")
    second = upload_to(None, "upload.pdf")
    assert first.startswith("private/pledges/")
    assert first.endswith(".pdf")
    assert first != second
    # Whatever reaches a field unchecked is never served under a page's extension.
    assert upload_to(None, "carta-de-acuerdo.html").endswith(".bin")
