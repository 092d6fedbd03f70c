"""Public pages: Spanish first, English on request, query counts independent of the data."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from santaanita import page_cache
from tests.factories import DistrictFactory, SectorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_page_is_in_spanish_by_default_even_for_an_english_browser(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "es-pe"
    content = response.content.decode()
    assert '<html lang="es-pe">' in content
    assert "Plataforma Colaborativa" in content
    for number in range(1, 6):
        assert f"Sector {number}" in content


def test_choosing_english_switches_the_interface(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "Collaborative Citizen Platform" in content


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_pages_have_no_inline_script(client):
    content = client.get("/").content.decode()
    for chunk in content.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_district_list_searches_by_name_and_ubigeo(client):
    response = client.get(reverse("platform_app:district-list"), {"q": "anita"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list.values_list("ubigeo", flat=True)) == ["150137"]
    response = client.get(reverse("platform_app:district-list"), {"q": "150135"})
    assert "San Martín de Porres" in response.content.decode()


def test_district_list_says_so_when_nothing_matches(client):
    response = client.get(reverse("platform_app:district-list"), {"q": "Narnia"})
    assert "Ningún distrito coincide" in response.content.decode()


def test_district_list_is_paginated(client):
    first = client.get(reverse("platform_app:district-list"))
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("platform_app:district-list"), {"page": 2})
    assert len(second.context["page"].object_list) == 18


def test_unknown_district_is_404(client):
    assert client.get(reverse("platform_app:district-detail", args=["narnia"])).status_code == 404


def _count_queries(client, url):
    # The queries of a rendering: factories write around the services, so a kept copy of a
    # public page would otherwise answer with none.
    cache.clear()
    page_cache.forget()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    ["/", "/distritos/", "/distritos/santa-anita/", "/api/districts/", "/api/sectors/"],
)
def test_query_count_does_not_grow_with_the_data(client, url, santa_anita):
    small = _count_queries(client, url)
    for _ in range(10):
        district = DistrictFactory()
        SectorFactory(district=district)
    SectorFactory.create_batch(10, district=santa_anita, number=factory_number())
    assert _count_queries(client, url) == small


def factory_number():
    import factory

    return factory.Sequence(lambda n: 100 + n)


def test_navigation_shows_the_administration_only_to_staff(client):
    assert "/admin/" not in client.get("/").content.decode()
    client.force_login(UserFactory(is_staff=True))
    assert "/admin/" in client.get("/").content.decode()


def test_admin_is_in_spanish_and_closed_to_anonymous_users(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    login = client.get(response["Location"])
    assert "Iniciar sesión" in login.content.decode()
