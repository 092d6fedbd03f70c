"""Every address of the platform, found from the URL configuration rather than listed by hand,
visited anonymously over the demo data: only the public pages answer, and none of them shows
a person's contact data. A new view that forgets its login check fails here the day it is
added, whichever app it lives in."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from interventions.models import Company
from mapping.reports_models import ReportSupporter
from platform_app.models import Contact, District, User

# Pages and API lists anyone may read. Each was checked to show public data only; a route
# added to this list is a decision that its page is public.
PUBLIC = {
    "home",
    "healthz",
    # platform_app: the registry's public side and the districts
    "platform_app:district-list",
    "platform_app:district-detail",
    "platform_app:organization-register",
    "platform_app:organization-register-print",
    "platform_app:organization-directory",
    "platform_app:organization-directory-export",
    "platform_app:organization-map-layer",
    "platform_app:organization-public",
    "platform_app:organization-confirm",
    "platform_app:agreement-public",
    "platform_app:data-request-create",
    "platform_app:data-request-confirm",
    # news and residents' polls
    "platform_app:announcement-list",
    "platform_app:poll-index",
    "platform_app:poll-list",
    "platform_app:poll-detail",
    # mapping: the map, spaces, approved surveys, exports and residents' reports
    "mapping:space-map",
    "mapping:space-detail",
    "mapping:survey-detail",
    "mapping:export-geojson",
    "mapping:export-kml",
    "mapping:export-csv",
    "mapping:report-create",
    "mapping:report-similar",
    "mapping:report-detail",
    # festival: the programme, live boards and results
    "festival:home",
    "festival:results",
    "festival:board",
    "festival:board-fragment",
    # interventions: sponsors, interventions and the results promised in the seed
    "interventions:company-list",
    "interventions:company-public",
    "interventions:intervention-list",
    "interventions:intervention-detail",
    "interventions:results",
    "interventions:results-compare",
    "interventions:results-district",
    "interventions:perception-results",
    "interventions:open-data",
    # the district's public events for calendar apps
    "interventions:public-calendar",
    "interventions:public-calendar-district",
}

# Addresses that are not pages of the platform: the admin and allauth have their own tests,
# static files and the API's schema are public by nature.
SKIPPED_PREFIXES = ("admin/", "cuentas/", "static/", "media/", "i18n/", "__")

# Values for each kind of path parameter: existing demo objects where a number is asked for
# (the first of each table), the demo district's slug where a slug is.
SAMPLE = {"int": "1", "str": "x", "slug": "santa-anita", "path": "x", "uuid": "0" * 32}


def _patterns() -> list[tuple[str, str, URLPattern]]:
    """Every named pattern of the project: its full route, its namespaced name, the pattern."""
    found: list[tuple[str, str, URLPattern]] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, inner)
            elif pattern.name:
                found.append((route, f"{namespace}{pattern.name}", pattern))

    walk(get_resolver().url_patterns, "", "")
    return found


def _routes() -> list[tuple[str, str]]:
    return [(route, name) for route, name, _pattern in _patterns()]


def _path(route: str) -> str | None:
    if "format" in route or route.startswith(SKIPPED_PREFIXES):
        return None
    path = re.sub(r"<(\w+):\w+>", lambda m: SAMPLE[m.group(1)], route)
    path = re.sub(r"<\w+>", "x", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + path


@pytest.mark.django_db
def test_anonymous_visitors_reach_only_public_pages_and_never_contact_data(client):
    call_command("seed_demo", "--password", "demo-pass-123", stdout=io.StringIO())
    personal = {
        value
        for value in [
            *Contact.objects.values_list("email", flat=True),
            *Contact.objects.values_list("phone", flat=True),
            *User.objects.values_list("email", flat=True),
            *Company.objects.values_list("contact_email", flat=True),
            *Company.objects.values_list("contact_phone", flat=True),
            *ReportSupporter.objects.values_list("email", flat=True),
            *ReportSupporter.objects.values_list("phone", flat=True),
        ]
        if value and len(value) >= 6
    }
    assert len(personal) > 20  # the demo's contacts, members and companies are all there
    assert District.objects.filter(slug="santa-anita").exists()
    answered: dict[str, int] = {}
    for route, name in _routes():
        path = _path(route)
        if path is None or path.startswith("/api/"):
            continue
        response = client.get(path)
        answered[name] = response.status_code
        if response.status_code != 200:
            assert response.status_code in (301, 302, 400, 401, 403, 404, 405, 410), (name, path)
            if response.status_code == 302:
                assert "/cuentas/login/" in response["Location"] or name in PUBLIC, (name, path)
            continue
        assert name in PUBLIC or path.endswith("sw.js"), (
            f"{name} ({path}) answers an anonymous visitor; add it to PUBLIC only if it is public"
        )
        if not response.get("Content-Type", "").startswith("image/"):
            body = b"".join(response) if response.streaming else response.content
            text = body.decode(errors="replace")
            leaked = sorted(value for value in personal if value in text)
            assert not leaked, (name, path, leaked[:3])
    # The walk itself must have found the apps' pages, or it would pass by finding nothing.
    assert {"home", "mapping:space-map", "platform_app:meeting-list"} <= answered.keys()
    assert answered["platform_app:meeting-list"] == 302
