"""The site's icon and the installable screen's icons: every page a browser opens asks for
an icon, and a 404 for it costs each visitor a request and fills the logs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from PIL import Image


def test_favicon_at_the_root_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == f"{settings.STATIC_URL}icons/favicon.ico"
    with Image.open(finders.find("icons/favicon.ico")) as image:
        assert image.format == "ICO"


@pytest.mark.django_db
def test_pages_link_the_icon_so_browsers_need_not_guess(client):
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page
    assert "icons/favicon" in page


def test_judge_manifest_offers_png_icons_of_the_sizes_phones_install():
    manifest_path = Path(finders.find("festival/manifest.webmanifest"))
    manifest = json.loads(manifest_path.read_text())
    sizes = {}
    for icon in manifest["icons"]:
        if icon["type"] == "image/png":
            with Image.open(manifest_path.parent / icon["src"]) as image:
                sizes[icon["sizes"]] = image.size
    assert sizes == {"192x192": (192, 192), "512x512": (512, 512)}
