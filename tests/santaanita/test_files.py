"""Uploaded images are judged by content, bounded in pixels, and stripped of metadata."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from santaanita.files import clean_image
from tests.imagefiles import GPS_IFD, jpeg_with_gps


def test_a_text_file_renamed_jpg_is_refused_with_a_clear_error():
    upload = SimpleUploadedFile("parque.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        clean_image(upload)
    assert error.value.code == "not_an_image"


def test_a_decompression_bomb_is_refused(settings):
    # 20000 × 20000 pixels compress to a small PNG but would take 1.2 GB to decode.
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")
    upload = SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png")
    with pytest.raises(ValidationError) as error:
        clean_image(upload)
    assert error.value.code == "too_many_pixels"


def test_a_photo_with_gps_exif_is_stored_without_it():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    cleaned = clean_image(SimpleUploadedFile("foto.JPG", original, content_type="image/jpeg"))
    result = Image.open(io.BytesIO(cleaned.read()))
    assert result.format == "JPEG"
    assert len(result.getexif()) == 0
    assert (cleaned.name, cleaned.original_name) == ("upload.jpg", "foto.JPG")


def test_an_oversized_file_is_refused_before_decoding(settings):
    settings.IMAGE_MAX_BYTES = 1000
    upload = SimpleUploadedFile("big.jpg", jpeg_with_gps() + b"\0" * 2000)
    with pytest.raises(ValidationError) as error:
        clean_image(upload)
    assert error.value.code == "too_large"


def test_formats_other_than_jpeg_png_webp_are_refused():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(ValidationError) as error:
        clean_image(SimpleUploadedFile("anim.gif", out.getvalue()))
    assert error.value.code == "format"


def test_a_large_photo_is_resized_on_its_long_side_keeping_its_proportions(settings):
    out = io.BytesIO()
    Image.new("RGB", (3000, 1500), "green").save(out, "JPEG")
    upload = SimpleUploadedFile("grande.jpg", out.getvalue(), content_type="image/jpeg")
    with Image.open(clean_image(upload)) as stored:
        assert stored.size == (settings.IMAGE_MAX_SIDE, settings.IMAGE_MAX_SIDE // 2)
    small = SimpleUploadedFile("chica.jpg", jpeg_with_gps(), content_type="image/jpeg")
    with Image.open(clean_image(small)) as stored:
        assert stored.size == (64, 48)
