"""HTML and JSON compressed on their way out: Brotli where the client accepts it, else gzip.

Only text the browser renders or a script reads is compressed (``COMPRESSIBLE``): file
downloads (``FileResponse``, private files, X-Accel-Redirect answers with no body), images,
PDFs and anything already encoded pass untouched, so their length and ranges still hold.

Static files. In production collectstatic leaves a Brotli and a gzip copy of each, which
WhiteNoise or nginx send as they are. The embedded mode collects nothing: WhiteNoise reads
the files from the apps' folders and has no compressed copy, so a phone on the office
network would be sent Leaflet and htmx whole (213 KiB of script on the home page instead of
58). Each such file is compressed here once per process, as collectstatic would
(``static_response``); static files are the same for everyone and hold no secret.

BREACH. An attacker who can make a victim's browser send requests that reflect the
attacker's text into a compressed page beside a secret can guess the secret from the sizes.
The secrets on our pages are of two kinds:

- the CSRF token, which Django masks with a fresh random value on every response, so no two
  responses carry the same bytes to compare;
- what a signed-in person sees about themselves and others. A request with a session
  cookie is compressed only here, with Django's own gzip, which adds a random number of
  bytes to every response (its "Heal the Breach" mitigation), so the length no longer tells.
  This runs in production too: nginx leaves a response that is already encoded alone.

Brotli, which has no such padding, is used only for requests without a session cookie:
anonymous pages, which hold no secret but the masked token. In production
(``COMPRESS_RESPONSES`` off) those are left to nginx.
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

import brotli
from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile

COMPRESSIBLE = (
    "text/html",
    "text/plain",
    "text/css",
    "text/csv",
    "text/calendar",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/geo+json",
    "application/vnd.geo+json",
    "application/xml",
    "application/vnd.google-earth.kml+xml",
    "image/svg+xml",
)
# Fast enough to run on every response (a 60 KB page in about a millisecond) and still
# smaller than gzip's default level.
BROTLI_QUALITY = 4
ACCEPTS_BROTLI = _lazy_re_compile(r"\bbr\b")
ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")
# Below this, the headers cost more than what compression saves.
MIN_LENGTH = 200


class CompressionMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if settings.COMPRESS_RESPONSES and _uncompressed_static_file(request, response):
            return static_response(request, response)  # type: ignore[arg-type]
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES
        if not self._compressible(response) or not (signed_in or settings.COMPRESS_RESPONSES):
            return response
        if (
            not response.streaming
            and ACCEPTS_BROTLI.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
            and not signed_in
        ):
            return self._brotli(response)
        return super().process_response(request, response)

    @staticmethod
    def _compressible(response: HttpResponseBase) -> bool:
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        return (
            response.status_code == 200
            and content_type in COMPRESSIBLE
            and not isinstance(response, FileResponse)
            and not response.has_header("Content-Encoding")
        )

    @staticmethod
    def _brotli(response: HttpResponseBase) -> HttpResponseBase:
        content: bytes = response.content  # type: ignore[attr-defined]
        if len(content) < MIN_LENGTH:
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        compressed = brotli.compress(content, quality=BROTLI_QUALITY)
        if len(compressed) >= len(content):
            return response
        response.content = compressed  # type: ignore[attr-defined]
        response["Content-Length"] = str(len(compressed))
        # The body is no longer byte for byte the one a strong validator named.
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response["ETag"] = "W/" + etag
        response["Content-Encoding"] = "br"
        return response


def encoded_variants(body: bytes) -> dict[str, bytes]:
    """A body that holds no secret and no per-visitor value (a public map layer), in each
    encoding, compressed once when it is built: every request then sends the bytes as they
    are (``encoded_response``). Compressed harder than a per-response body can afford."""
    return {
        "": body,
        "br": brotli.compress(body, quality=9),
        "gzip": gzip.compress(body, compresslevel=9, mtime=0),
    }


def encoded_response(
    request: HttpRequest, variants: dict[str, bytes], content_type: str, *, etag: str = ""
) -> HttpResponse:
    """The variant of ``encoded_variants`` the client accepts (Brotli, else gzip, else
    none), with ``etag`` if given. The middleware leaves a response that already has a
    Content-Encoding alone. Its headers are written at once: this answers the busiest
    reads."""
    accepted = request.META.get("HTTP_ACCEPT_ENCODING", "")
    encoding = (
        "br" if ACCEPTS_BROTLI.search(accepted) else "gzip" if ACCEPTS_GZIP.search(accepted) else ""
    )
    body = variants[encoding]
    if len(body) >= len(variants[""]):
        encoding, body = "", variants[""]
    headers = {"Vary": "Accept-Encoding"}
    if encoding:
        headers["Content-Encoding"] = encoding
    if etag:
        headers["ETag"] = etag
    return HttpResponse(body, content_type=content_type, headers=headers)


def _uncompressed_static_file(request: HttpRequest, response: HttpResponseBase) -> bool:
    """A whole static file of a text type that WhiteNoise sends from the apps' folders,
    with no compressed copy beside it. Ranges (206), HEAD and 304 answers pass as they are;
    so do the types collectstatic does not compress either (source maps)."""
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    skipped = tuple(f".{extension}" for extension in settings.WHITENOISE_SKIP_COMPRESS_EXTENSIONS)
    return (
        isinstance(response, FileResponse)
        and request.method == "GET"
        and response.status_code == 200
        and request.path.startswith(settings.STATIC_URL)
        and content_type in COMPRESSIBLE
        and not response.has_header("Content-Encoding")
        and isinstance(getattr(response.file_to_stream, "name", None), str)
        and not request.path.endswith(skipped)
    )


# Keyed by WhiteNoise's ETag too (the file's mtime and size), so a file edited while the
# server runs with DEBUG is compressed again. All the platform's static text is about
# 2.5 MB: every worker can keep it all.
@functools.lru_cache(maxsize=512)
def _static_variants(filename: str, etag: str) -> dict[str, bytes]:
    return encoded_variants(Path(filename).read_bytes())


def static_response(request: HttpRequest, response: FileResponse) -> HttpResponse:
    """The static file of ``response`` in the encoding the client accepts, compressed once
    per process; WhiteNoise's other headers kept."""
    etag = response.get("ETag", "")
    variants = _static_variants(response.file_to_stream.name, etag)  # type: ignore[union-attr]
    response.close()  # its file is not read: the bytes come from the variants
    # The same ETag for every encoding, as WhiteNoise gives its precompressed copies in
    # production: a browser's If-None-Match is compared as it is and still earns a 304.
    encoded = encoded_response(request, variants, response["Content-Type"], etag=etag)
    for header, value in response.items():
        if header.lower() not in {"content-length", "content-type", "etag", "vary"}:
            encoded[header] = value
    encoded["Content-Length"] = str(len(encoded.content))
    return encoded
