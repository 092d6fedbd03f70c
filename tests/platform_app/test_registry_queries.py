"""Query counts of the directory, the desk search and the API list at two sizes."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from santaanita import page_cache
from tests.factories import UserFactory
from tests.factories_registry import CampaignFactory, ContactFactory, OrganizationFactory


def _make(count: int, start: int) -> None:
    for n in range(start, start + count):
        organization = OrganizationFactory(
            name=f"Asociación Cultural Parque {n}", registration_code=f"SA-2026-{n:04d}"
        )
        ContactFactory(organization=organization)


def _queries(client, url: str) -> int:
    # The rendering is measured: rows made by factories announce no change to kept pages.
    cache.clear()
    page_cache.forget()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url"),
    [
        (None, reverse("platform_app:organization-directory") + "?q=cultural&typology=cultural"),
        (None, reverse("platform_app:organization-directory")),
        ("desk", reverse("platform_app:desk-search") + "?name=Asoc.%20cultural%20parque"),
        (None, "/api/organizations/"),
        ("coordinator", "/api/organizations/"),
        ("coordinator", reverse("platform_app:verification-list") + "?status=verified"),
    ],
)
def test_query_count_does_not_grow_with_the_registry(client, santa_anita, role, url):
    CampaignFactory()
    if role:
        client.force_login(UserFactory(role=role))
    _make(3, 1)
    small = _queries(client, url)
    _make(30, 100)
    large = _queries(client, url)
    assert small == large, (small, large)
