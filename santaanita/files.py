"""Every stored file of the platform: checked by content, named at random, public or private.

An upload is judged by its bytes, never by its name or the browser's content type: images are
decoded with Pillow (bounded to IMAGE_MAX_PIXELS, its decompression-bomb warning an error),
turned upright and re-encoded from their pixels, which drops EXIF and any trailing payload;
PDFs must start with their header and parse with pypdf; office documents must be the zip
package their format defines; CSV and plain text must decode as text. Each field names the
kinds it accepts (``Kind``), so no field can take HTML, SVG or script, and a file carrying
markup a browser would run (a polyglot) is refused whatever it claims to be.

A stored name is ``<visibility>/<folder>/<random><extension of the checked kind>``: nothing of
the uploader's file name reaches the storage (models keep it in their own column for display
and download). ``public/`` is served as it is (by nginx, or ``public_file`` below in the
embedded mode, or the object store's public URL); ``private/`` leaves only through a view that
first checks who is asking, then calls ``serve_private``.
"""

from __future__ import annotations

import enum
import io
import re
import secrets
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, TypeGuard, TypeVar, Unpack, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import DictionaryObject
from rest_framework import serializers

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile
    from django.http import HttpRequest
    from django_stubs_ext import StrOrPromise

    from santaanita.api_contract import FieldOptions


class Visibility(models.TextChoices):
    PUBLIC = "public", gettext_lazy("Public")
    PRIVATE = "private", gettext_lazy("Private")


class Kind(enum.Enum):
    """A kind of file a field may accept: (extension stored, content type served)."""

    JPEG = ("jpg", "image/jpeg")
    PNG = ("png", "image/png")
    WEBP = ("webp", "image/webp")
    PDF = ("pdf", "application/pdf")
    DOCX = ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    XLSX = ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    PPTX = ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation")
    ODT = ("odt", "application/vnd.oasis.opendocument.text")
    ODS = ("ods", "application/vnd.oasis.opendocument.spreadsheet")
    ODP = ("odp", "application/vnd.oasis.opendocument.presentation")
    CSV = ("csv", "text/csv")
    TXT = ("txt", "text/plain")

    @property
    def extension(self) -> str:
        return self.value[0]

    @property
    def content_type(self) -> str:
        return self.value[1]


IMAGES = frozenset({Kind.JPEG, Kind.PNG, Kind.WEBP})
PDF = frozenset({Kind.PDF})
PDF_OR_IMAGE = frozenset({Kind.PDF, *IMAGES})
OFFICE = frozenset({Kind.DOCX, Kind.XLSX, Kind.PPTX, Kind.ODT, Kind.ODS, Kind.ODP})
DOCUMENTS = frozenset({*PDF_OR_IMAGE, *OFFICE, Kind.CSV, Kind.TXT})
SHEETS = frozenset({Kind.CSV, Kind.XLSX})

_BY_EXTENSION = {kind.extension: kind for kind in Kind}
_PILLOW_FORMATS = {"JPEG": Kind.JPEG, "PNG": Kind.PNG, "WEBP": Kind.WEBP}
# The part each office package must contain, after its zip signature.
_OOXML_PARTS = {
    Kind.DOCX: "word/document.xml",
    Kind.XLSX: "xl/workbook.xml",
    Kind.PPTX: "ppt/presentation.xml",
}
_ODF_KINDS = {kind.content_type: kind for kind in (Kind.ODT, Kind.ODS, Kind.ODP)}
# A zip that inflates past this, or holds more members, is a zip bomb, not a document.
_ZIP_MAX_INFLATED = 200 * 1024 * 1024
_ZIP_MAX_MEMBERS = 5000
# Markup a browser would run if it ever rendered the bytes: refused inside any kind, so a file
# that is a valid image or PDF *and* an HTML page (a polyglot) never gets stored.
_ACTIVE_MARKUP = re.compile(
    rb"<\s*(?:script|html|svg|iframe|object|embed|body|meta)[\s>/]|<!doctype\s+html|javascript:",
    re.IGNORECASE,
)
# Compressed pixels are random bytes, where a short tag turns up by chance about once in 20 GB:
# in an image only the head and the tail are read, where a polyglot must put its page for a
# browser to find it. Other kinds are read whole.
_IMAGE_MARKUP_WINDOW = 64 * 1024
# Plain text is told apart from CSV by its name; any other name (.js, .html) is refused.
_TEXT_KINDS = {"csv": Kind.CSV, "txt": Kind.TXT}


def configure_pillow() -> None:
    """Called at start-up (platform_app's AppConfig.ready): applies to every decode."""
    Image.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS
    warnings.simplefilter("error", Image.DecompressionBombWarning)


class CheckedFile(ContentFile[bytes]):
    """The content to store, named ``upload.<ext>`` of its checked kind, with the uploader's
    file name kept apart (``original_name``) for the model to record."""

    def __init__(self, content: bytes, *, kind: Kind, original_name: str) -> None:
        super().__init__(content, name=f"upload.{kind.extension}")
        self.kind = kind
        self.original_name = original_name
        self.content_type = kind.content_type


def original_name_of(upload: File[bytes]) -> str:
    """The uploader's file name, without folders, as it may be shown and offered back."""
    if isinstance(upload, CheckedFile):
        return upload.original_name
    name = PurePath((upload.name or "").replace("\\", "/")).name
    return name[-200:] or "archivo"


def check_upload(
    upload: File[bytes], *, accept: frozenset[Kind], max_bytes: int | None = None
) -> CheckedFile:
    """Return what to store for ``upload`` or raise ValidationError with a clear message.

    The kind is found from the content; the name only tells CSV from plain text. Images are
    re-encoded; other kinds are stored byte for byte once they parse.
    """
    limit = max_bytes or (
        settings.IMAGE_MAX_BYTES if accept <= IMAGES else settings.PLATFORM_FILE_MAX_BYTES
    )
    if upload.size and upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB."),
            params={"size": round(upload.size / 1_048_576, 1), "limit": limit // 1_048_576},
            code="too_large",
        )
    upload.seek(0)
    raw = upload.read()
    original_name = original_name_of(upload)
    window = _IMAGE_MARKUP_WINDOW
    _refuse_markup(raw[:window] + b"\n" + raw[-window:])
    kind = _sniff(raw, original_name)
    if kind not in IMAGES:
        _refuse_markup(raw)
    if (kind is None or kind not in accept) and accept <= IMAGES:
        raise _not_an_image()
    if kind is None or kind not in accept:
        raise _not_accepted(accept)
    if kind in IMAGES:
        return _reencoded_image(raw, original_name)
    _verify(kind, raw)
    return CheckedFile(raw, kind=kind, original_name=original_name)


def _refuse_markup(raw: bytes) -> None:
    if _ACTIVE_MARKUP.search(raw):
        raise ValidationError(
            _("The file contains web page code (HTML, SVG or script) and cannot be accepted."),
            code="active_content",
        )


def ensure_checked(upload: File[bytes], *, accept: frozenset[Kind]) -> CheckedFile:
    """For services: what a form already checked passes; anything else is checked here, so a
    caller that skipped the form (a command, the API, a test) cannot store an unchecked file."""
    if isinstance(upload, CheckedFile):
        if upload.kind not in accept:
            raise _not_accepted(accept)
        return upload
    return check_upload(upload, accept=accept)


def accepted_label(accept: frozenset[Kind]) -> str:
    return ", ".join(sorted(kind.extension.upper() for kind in accept))


def _sniff(raw: bytes, name: str) -> Kind | None:
    """The kind the bytes claim by their signature (confirmed later by parsing them)."""
    if raw.startswith(b"%PDF-"):
        return Kind.PDF
    if raw.startswith(b"PK\x03\x04"):
        return _zip_kind(raw)
    if raw.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or raw[8:12] == b"WEBP":
        return _image_kind(raw)
    if _is_text(raw):
        return _TEXT_KINDS.get(PurePath(name).suffix.lower().lstrip("."))
    # Not a kind we know: an image in a format we do not take gets the image message.
    return _image_kind(raw)


def _image_kind(raw: bytes) -> Kind | None:
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            image_format = probe.format
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    kind = _PILLOW_FORMATS.get(image_format or "")
    if kind is None:
        raise ValidationError(_("Only JPEG, PNG or WebP images are accepted."), code="format")
    return kind


def _not_accepted(accept: frozenset[Kind]) -> ValidationError:
    return ValidationError(
        _("This file is not of an accepted type. Accepted: %(accepted)s."),
        params={"accepted": accepted_label(accept)},
        code="file_type",
    )


def _not_an_image() -> ValidationError:
    return ValidationError(
        _("The file is not a valid image. Upload a JPEG, PNG or WebP photo."),
        code="not_an_image",
    )


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The image has too many pixels; the limit is %(limit)s megapixels."),
        params={"limit": settings.IMAGE_MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def _is_text(raw: bytes) -> bool:
    if b"\x00" in raw:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return all(char.isprintable() or char in "\t\r\n" for char in text)
    return False


def _zip_kind(raw: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as package:
            members = package.infolist()
            if len(members) > _ZIP_MAX_MEMBERS or (
                sum(member.file_size for member in members) > _ZIP_MAX_INFLATED
            ):
                return None
            names = {member.filename for member in members}
            if "mimetype" in names:
                return _ODF_KINDS.get(package.read("mimetype").decode("ascii", "replace"))
            if "[Content_Types].xml" not in names:
                return None
            for kind, part in _OOXML_PARTS.items():
                if part in names:
                    return kind
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def _verify(kind: Kind, raw: bytes) -> None:
    """Parse what the signature claimed: a PDF must open and hold no script of its own."""
    if kind is not Kind.PDF:
        return
    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = len(reader.pages)
        catalog = cast(DictionaryObject, reader.trailer["/Root"].get_object())
        names = cast(DictionaryObject | None, catalog.get("/Names"))
        scripted = "/OpenAction" in catalog or (names is not None and "/JavaScript" in names)
    except (PyPdfError, KeyError, ValueError, TypeError, OSError) as exc:
        raise ValidationError(
            _("The file is not a valid PDF document."), code="invalid_pdf"
        ) from exc
    if pages == 0:
        raise ValidationError(_("The file is not a valid PDF document."), code="invalid_pdf")
    if scripted:
        raise ValidationError(
            _("PDF documents that run actions or scripts when opened are not accepted."),
            code="pdf_script",
        )


def _reencoded_image(raw: bytes, original_name: str) -> CheckedFile:
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(raw)) as opened:
            image_format = opened.format or ""
            opened.load()
            # A new Image (a plain copy when nothing needs turning); the file closes below.
            image = ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _not_an_image() from exc
    # In place, keeping the proportions; a smaller image is left as it is.
    image.thumbnail((settings.IMAGE_MAX_SIDE, settings.IMAGE_MAX_SIDE), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    kind = _PILLOW_FORMATS[image_format]
    if kind is Kind.JPEG:
        image.convert("RGB").save(output, "JPEG", quality=85, optimize=True)
    else:
        image.save(output, image_format)
    return CheckedFile(output.getvalue(), kind=kind, original_name=original_name)


# --- Names in the storage --------------------------------------------------------------


@deconstructible
class RandomName:
    """``upload_to`` of every stored file: ``<visibility>/<folder>/<random>.<ext>``.

    The extension is the checked kind's (``CheckedFile`` is named ``upload.<ext>``); anything
    else, should a file reach a field without passing ``check_upload``, is stored as ``.bin``
    so that no served name can end in ``.html`` or ``.svg``.
    """

    def __init__(self, visibility: str, folder: str) -> None:
        self.visibility = visibility
        self.folder = folder

    def __call__(self, instance: object, filename: str) -> str:
        return random_name(self.visibility, self.folder, filename)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and (other.visibility, other.folder) == (
            self.visibility,
            self.folder,
        )

    def __hash__(self) -> int:
        return hash((self.visibility, self.folder))


def random_name(visibility: str, folder: str, filename: str) -> str:
    extension = PurePath(filename).suffix.lower().lstrip(".")
    if extension == "jpeg":
        extension = "jpg"
    if extension not in _BY_EXTENSION:
        extension = "bin"
    return f"{visibility}/{folder}/{secrets.token_urlsafe(18)}.{extension}"


def is_public(name: str) -> bool:
    return name.startswith(f"{Visibility.PUBLIC}/")


def move(field_file: FieldFile, *, visibility: str) -> str | None:
    """Copy a stored file under ``visibility`` keeping its folder and extension; return the old
    name for the caller to delete once its transaction has committed (a rollback then leaves
    the record pointing at the old file, which still exists)."""
    old = field_file.name or ""
    parts = old.split("/", 2)
    if not old or parts[0] == visibility:
        return None
    folder = parts[1] if len(parts) == 3 else "misc"
    storage = field_file.storage
    with storage.open(old, "rb") as source:
        new = storage.save(random_name(visibility, folder, old), source)
    field_file.name = new
    return old


def delete_on_commit(names: list[str]) -> None:
    """Delete stored files once the current transaction commits (files are not rolled back)."""

    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    if names:
        transaction.on_commit(delete)


def relocate(
    instance: models.Model,
    field_name: str,
    *,
    visibility: str,
    folder: str,
    name_field: str | None = None,
) -> bool:
    """For data migrations: move a file stored under its uploader's name (before this module)
    to a random name under ``visibility``, keeping that name in ``name_field`` for display.

    A file already under a prefix is left alone, so running it twice moves nothing twice; a
    record whose file is missing from the storage keeps its name (nothing there to move).
    """
    field_file = getattr(instance, field_name)
    old = field_file.name or ""
    if not old or old.split("/", 1)[0] in Visibility.values:
        return False
    storage = field_file.storage
    if not storage.exists(old):
        return False
    with storage.open(old, "rb") as source:
        new = storage.save(random_name(visibility, folder, old), source)
    updated = [field_name]
    if name_field and not getattr(instance, name_field):
        setattr(instance, name_field, PurePath(old).name[-200:])
        updated.append(name_field)
    setattr(instance, field_name, new)
    instance.save(update_fields=updated)
    storage.delete(old)
    return True


# --- Model and form fields -------------------------------------------------------------


class StoredFileOptions(TypedDict, total=False):
    """The options of Django's ``models.FileField`` that a stored file passes on (a clone,
    which the migrations make, passes back the ones it deconstructed to)."""

    name: str | None
    upload_to: str | RandomName
    max_length: int | None
    blank: bool
    null: bool
    editable: bool
    help_text: StrOrPromise
    db_comment: str | None


class StoredFileField(models.FileField):
    """A model's file: stored at random under ``visibility``/``folder``, accepting ``accept``.

    It migrates as a plain FileField (what it stores is a path); the form field it makes for
    model forms and the admin checks the content with ``check_upload``.
    """

    def __init__(
        self,
        verbose_name: StrOrPromise | None = None,
        *,
        visibility: str = Visibility.PRIVATE,
        folder: str = "misc",
        accept: frozenset[Kind] = PDF_OR_IMAGE,
        **kwargs: Unpack[StoredFileOptions],
    ) -> None:
        self.accept = accept
        # A clone (migrations make them) passes back the upload_to it deconstructed to.
        kwargs.setdefault("upload_to", RandomName(str(visibility), folder))
        super().__init__(verbose_name, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[object], dict[str, object]]:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.FileField", args, kwargs

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": UploadField, "accept": self.accept, **kwargs})


class UploadFieldOptions(TypedDict, total=False):
    """The options of Django's ``forms.FileField``, which an upload field passes on."""

    max_length: int | None
    allow_empty_file: bool
    required: bool
    widget: forms.Widget | type[forms.Widget] | None
    label: StrOrPromise | None
    initial: object
    help_text: StrOrPromise
    error_messages: Mapping[str, StrOrPromise] | None
    show_hidden_initial: bool
    validators: Iterable[Callable[[object], None]]
    localize: bool
    disabled: bool
    label_suffix: str | None


class UploadField(forms.FileField):
    """A form's file input that hands ``clean`` a ``CheckedFile`` (or the stored file, when a
    form edits a record and nothing new was sent)."""

    def __init__(
        self,
        *,
        accept: frozenset[Kind],
        max_bytes: int | None = None,
        **kwargs: Unpack[UploadFieldOptions],
    ) -> None:
        self.accept = accept
        self.max_bytes = max_bytes
        if "help_text" not in kwargs:
            kwargs["help_text"] = format_lazy(
                gettext_lazy("Accepted formats: {accepted}."), accepted=accepted_label(accept)
            )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault(
            "accept", ",".join(sorted(f".{kind.extension}" for kind in accept))
        )

    def clean(self, data: object, initial: object = None) -> object:
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            return check_upload(value, accept=self.accept, max_bytes=self.max_bytes)
        return value


class UploadSerializerField(serializers.FileField):
    """The API's file input: the same check as the forms, its message as the field's error.

    Read back, it gives ``download_url(record)``: the permission-checked view of a private
    file or a public file's own URL, never the storage path.
    """

    def __init__(
        self,
        *,
        accept: frozenset[Kind],
        download_url: Callable[[Any], str],
        **kwargs: Unpack[FieldOptions[File[bytes]]],
    ) -> None:
        self.accept = accept
        self.download_url = download_url
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str | None:
        if not value:
            return None
        url = self.download_url(value.instance)
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def to_internal_value(self, data: File[bytes]) -> CheckedFile:
        value = super().to_internal_value(data)
        try:
            return check_upload(value, accept=self.accept)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


# --- Serving ---------------------------------------------------------------------------


ResponseT = TypeVar("ResponseT", bound=HttpResponseBase)


@dataclass(frozen=True)
class _Served:
    name: str
    content_type: str
    inline: bool


def _describe(name: str) -> _Served:
    extension = PurePath(name).suffix.lower().lstrip(".")
    kind = _BY_EXTENSION.get(extension)
    content_type = kind.content_type if kind else "application/octet-stream"
    return _Served(name=name, content_type=content_type, inline=kind in IMAGES)


def _secure(response: ResponseT, *, private: bool) -> ResponseT:
    # The bytes were checked on the way in; these make sure a browser never treats them as a
    # page of ours even so: no type guessing, no script, no plugin, no same-origin access.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=86400"
    return response


def _disposition(download_name: str, inline: bool) -> str:
    return content_disposition_header(not inline, download_name) or "attachment"


class _S3Client(Protocol):
    def generate_presigned_url(
        self, ClientMethod: str, Params: Mapping[str, str], ExpiresIn: int
    ) -> str: ...


class _S3Meta(Protocol):
    client: _S3Client


class _S3Connection(Protocol):
    meta: _S3Meta


class _ObjectStore(Protocol):
    """An S3 storage of django-storages, which ships no type information: its bucket and
    its boto3 connection."""

    bucket_name: str
    connection: _S3Connection


def _presigned_url(storage: _ObjectStore, name: str, served: _Served, download_name: str) -> str:
    client = storage.connection.meta.client
    return str(
        client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": storage.bucket_name,
                "Key": name,
                "ResponseContentType": served.content_type,
                "ResponseContentDisposition": _disposition(download_name, served.inline),
            },
            ExpiresIn=settings.MEDIA_PRESIGNED_SECONDS,
        )
    )


def _on_object_store(storage: Storage) -> TypeGuard[_ObjectStore]:
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def serve_private(
    request: HttpRequest, field_file: FieldFile, *, download_name: str
) -> HttpResponseBase:
    """Hand out a stored file the caller's view has already decided they may see.

    On an object store: a redirect to a presigned URL that lives MEDIA_PRESIGNED_SECONDS.
    Behind nginx (MEDIA_X_ACCEL_REDIRECT): an empty answer naming the file for nginx to send
    from its internal ``/_protected_media/`` location. Otherwise the app streams it. Anything
    but an image is an attachment, under the name it was uploaded with.
    """
    name = field_file.name or ""
    if not name:
        raise Http404
    storage = field_file.storage
    served = _describe(name)
    # Offered under the checked kind's extension whatever the uploader called it.
    suffix = PurePath(name).suffix
    if PurePath(download_name).suffix.lower() != suffix:
        download_name = f"{download_name}{suffix}"
    if _on_object_store(storage):
        redirect = HttpResponseRedirect(_presigned_url(storage, name, served, download_name))
        return _secure(redirect, private=True)
    if settings.MEDIA_X_ACCEL_REDIRECT:
        response = HttpResponse(b"", content_type=served.content_type)
        response["X-Accel-Redirect"] = f"/_protected_media/{name}"
        response["Content-Disposition"] = _disposition(download_name, served.inline)
        return _secure(response, private=True)
    try:
        handle = storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    streamed = FileResponse(
        handle,
        as_attachment=not served.inline,
        filename=download_name,
        content_type=served.content_type,
    )
    return _secure(streamed, private=True)


def public_url(field_file: FieldFile) -> str:
    """Where a public file is fetched from: /media/public/… locally, the store's URL on S3."""
    return str(field_file.storage.url(field_file.name or ""))


@require_safe
def public_file(request: HttpRequest, path: str) -> FileResponse:
    """``/media/public/<path>`` in the embedded mode (nginx serves it in production)."""
    name = f"{Visibility.PUBLIC}/{path}"
    if ".." in PurePath(path).parts or not re.fullmatch(r"[\w./-]+", path):
        raise Http404
    storage = default_storage
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise Http404 from exc
    served = _describe(name)
    response = FileResponse(handle, content_type=served.content_type)
    if not served.inline:
        response["Content-Disposition"] = "attachment"
    return _secure(response, private=False)
