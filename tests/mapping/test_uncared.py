"""Coordinators' list of the district's public spaces that no organization cares
for: permissions, what it lists, its sector filter, pages, query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory
from tests.factories_mapping import PublicSpaceFactory
from tests.factories_registry import OrganizationFactory

pytestmark = pytest.mark.django_db

URL = reverse("mapping:space-uncared")


def _names(response) -> list[str]:
    return [space.name for space in response.context["page"].object_list]


@pytest.mark.ladder("mapping:space-uncared")
def test_uncared_spaces_permission_ladder(client, santa_anita, other_district):
    PublicSpaceFactory(name="Parque Huérfano")
    response = client.get(URL)
    assert response.status_code == 302
    assert "/cuentas/" in response["Location"]
    client.force_login(UserFactory(role="resident"))
    assert client.get(URL).status_code == 403
    client.force_login(UserFactory(role="surveyor"))
    assert client.get(URL).status_code == 403
    client.force_login(UserFactory(role="coordinator"))
    response = client.get(URL)
    assert response.status_code == 200
    assert "Parque Huérfano" in response.content.decode()
    # A coordinator of another district sees their own district's list, never this one's.
    client.force_login(UserFactory(role="coordinator", district=other_district))
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["district"] == other_district
    assert "Parque Huérfano" not in response.content.decode()


def test_lists_only_spaces_without_an_organization_and_filters_by_sector(client, santa_anita):
    cared = PublicSpaceFactory(name="Parque Cuidado")
    cared.organizations.add(OrganizationFactory())
    alone = PublicSpaceFactory(name="Parque Solo")
    sector = alone.sector
    assert sector is not None
    client.force_login(UserFactory(role="coordinator"))
    response = client.get(URL)
    assert _names(response) == ["Parque Solo"]
    content = response.content.decode()
    assert "Parque Cuidado" not in content
    assert "sin ninguna organización que los cuide: 1." in content
    assert _names(client.get(URL, {"sector": sector.number})) == ["Parque Solo"]
    other = santa_anita.sectors.exclude(pk=sector.pk).first()
    assert _names(client.get(URL, {"sector": other.number})) == []
    # An unknown sector is ignored by the form instead of failing the page.
    assert client.get(URL, {"sector": "norte"}).status_code == 200


def test_pages_keep_the_filter(client, santa_anita):
    first = PublicSpaceFactory(name="Parque 000")
    for i in range(1, 27):
        PublicSpaceFactory(name=f"Parque {i:03d}", geometry=first.geometry, sector=first.sector)
    client.force_login(UserFactory(role="coordinator"))
    params = {"sector": first.sector.number}
    page_one = client.get(URL, params)
    assert len(page_one.context["page"].object_list) == 25
    assert f"sector={first.sector.number}&amp;page=2" in page_one.content.decode()
    page_two = client.get(URL, {**params, "page": 2})
    assert len(page_two.context["page"].object_list) == 2


def test_coverage_page_links_to_the_list(client, santa_anita):
    client.force_login(UserFactory(role="coordinator"))
    assert URL in client.get(reverse("mapping:coverage")).content.decode()


def test_query_count_does_not_grow_with_spaces(client, santa_anita):
    client.force_login(UserFactory(role="coordinator"))

    def spaces(n: int) -> None:
        for _ in range(n):
            PublicSpaceFactory()

    spaces(2)
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(URL).context["page"].object_list) == 2
    spaces(20)
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(URL).context["page"].object_list) == 22
    assert len(small) == len(large)
