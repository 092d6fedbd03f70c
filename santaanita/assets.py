"""Versions of static files for service workers: a worker whose text changes is installed
again by the browser, so embedding a digest of the files it caches refreshes the copies
phones and tablets keep offline."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


def static_digest(*names: str) -> str:
    """A short digest of files of the project's ``static/`` folder (paths relative to it)."""
    digest = hashlib.sha256()
    for name in names:
        digest.update((settings.BASE_DIR / "static" / name).read_bytes())
    return digest.hexdigest()[:12]


def service_worker_response(template: str, context: dict[str, object]) -> HttpResponse:
    """A worker script, never cached by HTTP so that a new version is seen at once."""
    response = HttpResponse(render_to_string(template, context), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response
