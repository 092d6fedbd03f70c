"""Which static files the platform collects."""

from __future__ import annotations

from django.contrib.staticfiles.apps import StaticFilesConfig


class PlatformStaticFilesConfig(StaticFilesConfig):
    # The API's documentation is Swagger UI. drf-spectacular's sidecar also ships ReDoc
    # (5 MB with its source map), which no page loads: collecting and compressing it cost
    # every deployment about a fifth of collectstatic's time.
    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "drf_spectacular_sidecar/redoc/*"]
