"""Every uploaded image passes through here: checked by content, bounded, re-encoded.

Only JPEG, PNG and WebP are accepted, judged by decoding the bytes (never by the file
name); Pillow's decompression-bomb limit is lowered to IMAGE_MAX_PIXELS and its warning
is an error; the image is turned upright, resized to at most IMAGE_MAX_SIDE pixels on its
long side, and re-encoded from its pixels, which drops EXIF (GPS position included) and any
other metadata or trailing payload.
"""

from __future__ import annotations

import io
import warnings
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def configure_pillow() -> None:
    """Called at start-up (platform_app's AppConfig.ready): applies to every decode."""
    Image.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def clean_image(upload: UploadedFile[bytes]) -> ContentFile[bytes]:
    """Return a re-encoded copy of ``upload`` or raise ValidationError with a clear message."""
    if upload.size and upload.size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The image is too large (%(size)s MB); the limit is %(limit)s MB."),
            params={
                "size": round(upload.size / 1_048_576, 1),
                "limit": settings.IMAGE_MAX_BYTES // 1_048_576,
            },
            code="too_large",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            image_format = probe.format
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as opened:
            opened.load()
            # A new Image (a plain copy when nothing needs turning); the file closes below.
            image = ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            _("The image has too many pixels; the limit is %(limit)s megapixels."),
            params={"limit": settings.IMAGE_MAX_PIXELS // 1_000_000},
            code="too_many_pixels",
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("The file is not a valid image. Upload a JPEG, PNG or WebP photo."),
            code="not_an_image",
        ) from exc
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(_("Only JPEG, PNG or WebP images are accepted."), code="format")
    # In place, keeping the proportions; a smaller image is left as it is.
    image.thumbnail((settings.IMAGE_MAX_SIDE, settings.IMAGE_MAX_SIDE), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(output, "JPEG", quality=85, optimize=True)
    else:
        image.save(output, image_format)
    stem = PurePath(upload.name or "image").stem[:80] or "image"
    return ContentFile(output.getvalue(), name=f"{stem}.{ALLOWED_FORMATS[image_format]}")
