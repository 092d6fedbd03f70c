"""The API's dashboard figures per district: counted once for everyone, counted again as
soon as a write changes what they count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from platform_app.services.places import ORGANIZATION_PAGES
from santaanita import page_cache

pytestmark = pytest.mark.django_db


def test_the_figures_are_counted_once_and_again_after_a_write(client, santa_anita):
    first = client.get("/api/results/").json()
    with CaptureQueriesContext(connection) as kept:
        again = client.get("/api/results/").json()
    assert again == first
    assert len(kept) == 2  # the page of districts (count, rows); no figure counted again
    page_cache.bump(ORGANIZATION_PAGES)  # what an organization's registration does
    with CaptureQueriesContext(connection) as counted:
        client.get("/api/results/")
    assert len(counted) > len(kept)
