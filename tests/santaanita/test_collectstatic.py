"""Production's static files: collectstatic with the manifest storage must succeed, or every
page answers 500 (no manifest, no URL for any static file)."""

from __future__ import annotations

import json

from tests.santaanita.test_settings import STRONG_KEY, run_manage


def test_production_collectstatic_writes_a_manifest_for_every_file(tmp_path):
    # WhiteNoise's manifest storage rewrites the references inside CSS and JS files and stops
    # at one that names a missing file (a vendored script's source map, an image a CSS names).
    result = run_manage(
        "collectstatic",
        "--noinput",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="espacios.example.org",
        STATIC_ROOT=str(tmp_path / "static"),
        DATA_DIR=str(tmp_path / "data"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    names = manifest["paths"]
    assert "vendor/leaflet.markercluster/leaflet.markercluster.js" in names
    assert "css/site.css" in names
    hashed = tmp_path / "static" / names["css/site.css"]
    assert hashed.exists()
    assert hashed.with_name(hashed.name + ".gz").exists(), "compressed copies for the server"
    # Source maps, for developers' browser tools only, are collected but not compressed.
    source_map = tmp_path / "static" / names["leaflet/leaflet.js.map"]
    assert source_map.exists()
    assert not source_map.with_name(source_map.name + ".gz").exists()
    # What no page loads is not collected: drf-spectacular's ReDoc (the API docs are Swagger).
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in names
    assert not [name for name in names if "/redoc/" in name]
