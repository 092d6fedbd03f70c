"""In the embedded mode the app compresses pages, JSON and static files itself: Brotli for
an anonymous browser that accepts it, Django's padded gzip otherwise, nothing for a client
that asks for none; downloads, small and already-encoded bodies leave as they are."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli
import pytest
from django.contrib.staticfiles import finders
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.urls import reverse

from santaanita.compression import CompressionMiddleware
from tests.santaanita.test_settings import STRONG_KEY, run_manage

pytestmark = pytest.mark.django_db

PAGE = "<p>" + "Parque zonal Santa Rosa " * 200 + "</p>"


def through(response, **headers):
    request = RequestFactory().get("/", headers=headers)
    return CompressionMiddleware(lambda _request: response)(request)


def test_the_embedded_mode_compresses_and_production_leaves_it_to_nginx():
    show = "from django.conf import settings; print(settings.COMPRESS_RESPONSES)"
    embedded = run_manage("shell", "-c", show)
    production = run_manage(
        "shell",
        "-c",
        show,
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="espacios.example.org",
    )
    # The last line: the shell may first say what it imported.
    assert embedded.stdout.splitlines()[-1] == "True", embedded.stderr
    assert production.stdout.splitlines()[-1] == "False", production.stderr


@pytest.mark.parametrize(
    ("accepted", "encoding"),
    [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("identity", None), ("", None)],
)
def test_a_public_page_is_sent_as_the_browser_accepts(client, accepted, encoding):
    response = client.get(reverse("home"), headers={"accept-encoding": accepted})
    assert response.status_code == 200
    assert response.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response["Vary"] or encoding is None
    body = response.content
    if encoding == "br":
        body = brotli.decompress(body)
    elif encoding == "gzip":
        body = gzip.decompress(body)
    assert b"</html>" in body


def test_json_is_compressed_too(client):
    response = client.get("/api/districts/", headers={"accept-encoding": "br"})
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Encoding"] == "br"
    assert brotli.decompress(response.content).startswith(b"{")


def test_a_signed_in_page_gets_padded_gzip_never_brotli(client, coordinator):
    # Personal data beside attacker-chosen text: only Django's gzip, whose random padding
    # hides the length differences BREACH reads.
    response = client.get(reverse("home"), headers={"accept-encoding": "br, gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert coordinator.email in gzip.decompress(response.content).decode()


def test_downloads_and_already_encoded_or_small_bodies_pass_untouched(tmp_path):
    download = tmp_path / "acta.txt"
    download.write_text(PAGE)
    file_response = through(FileResponse(download.open("rb")), accept_encoding="br, gzip")
    assert not file_response.has_header("Content-Encoding")
    assert file_response["Content-Length"] == str(len(PAGE))

    encoded = HttpResponse(gzip.compress(PAGE.encode()))
    encoded["Content-Encoding"] = "gzip"
    assert through(encoded, accept_encoding="br").content == encoded.content

    pdf = HttpResponse(b"%PDF-1.7 " * 100, content_type="application/pdf")
    assert not through(pdf, accept_encoding="br, gzip").has_header("Content-Encoding")

    small = through(HttpResponse("<p>hola</p>"), accept_encoding="br")
    assert small.content == b"<p>hola</p>"

    # A private file handed to nginx has no body of its own to compress.
    accel = HttpResponse(content_type="text/plain")
    accel["X-Accel-Redirect"] = "/_protected_media/private/acta.txt"
    assert not through(accel, accept_encoding="br, gzip").has_header("Content-Encoding")


def test_a_streamed_export_is_gzipped_as_it_streams():
    streamed = StreamingHttpResponse((PAGE for _ in range(3)), content_type="text/csv")
    response = through(streamed, accept_encoding="br, gzip")
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(response.streaming_content)) == (PAGE * 3).encode()


def test_a_304_stays_empty(client):
    url = reverse("home")
    first = client.get(url, headers={"accept-encoding": "br"})
    again = client.get(url, headers={"accept-encoding": "br", "if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert not again.has_header("Content-Encoding")


def test_behind_nginx_the_app_gzips_signed_in_pages_only(client, settings):
    settings.COMPRESS_RESPONSES = False
    url = reverse("home")
    anonymous = client.get(url, headers={"accept-encoding": "br, gzip"})
    assert not anonymous.has_header("Content-Encoding")  # left to nginx
    from platform_app.permissions import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.COORDINATOR))
    signed_in = client.get(url, headers={"accept-encoding": "br, gzip"})
    assert signed_in["Content-Encoding"] == "gzip"


HTMX = "vendor/htmx/htmx.min.js"


@pytest.fixture
def embedded_static(settings):
    # As `make run` serves them: from the apps' folders, nothing collected.
    settings.WHITENOISE_USE_FINDERS = True
    return Path(finders.find(HTMX)).read_bytes()


@pytest.mark.parametrize(
    ("accepted", "encoding"),
    [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("identity", None)],
)
def test_the_embedded_mode_sends_static_files_compressed(
    client, embedded_static, accepted, encoding
):
    response = client.get(f"/static/{HTMX}", headers={"accept-encoding": accepted})
    assert response.status_code == 200
    assert response.get("Content-Encoding") == encoding
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"].startswith("max-age=")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert int(response["Content-Length"]) == len(body)
    if encoding == "br":
        body = brotli.decompress(body)
    elif encoding == "gzip":
        body = gzip.decompress(body)
    assert body == embedded_static
    if encoding:
        assert len(response.content) < len(embedded_static) / 2
        assert "Accept-Encoding" in response["Vary"]


def test_a_compressed_static_file_is_revalidated_and_ranges_stay_whole(client, embedded_static):
    url = f"/static/{HTMX}"
    first = client.get(url, headers={"accept-encoding": "br"})
    again = client.get(url, headers={"accept-encoding": "br", "if-none-match": first["ETag"]})
    assert again.status_code == 304
    part = client.get(url, headers={"accept-encoding": "br", "range": "bytes=0-99"})
    assert part.status_code == 206
    assert not part.has_header("Content-Encoding")
    assert b"".join(part.streaming_content) == embedded_static[:100]


def test_collected_static_files_are_left_to_their_precompressed_copies(client, settings):
    # Production: collectstatic's copies (or nginx) compress; the app adds nothing.
    settings.COMPRESS_RESPONSES = False
    settings.WHITENOISE_USE_FINDERS = True
    response = client.get(f"/static/{HTMX}", headers={"accept-encoding": "br, gzip"})
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert response.streaming
