"""Errors answer with the platform's own pages, in Spanish, never a traceback."""

from __future__ import annotations

import pytest
from django.urls import reverse

from platform_app.permissions import Role
from tests.factories import UserFactory


@pytest.mark.django_db
def test_an_unknown_address_gets_the_spanish_not_found_page(client):
    response = client.get("/no-existe/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Página no encontrada" in page
    assert "Volver a la página de inicio" in page


@pytest.mark.django_db
def test_a_page_of_another_role_gets_the_spanish_access_denied_page(client):
    client.force_login(UserFactory(role=Role.RESIDENT))
    response = client.get(reverse("platform_app:verification-list"))
    assert response.status_code == 403
    assert "Acceso denegado" in response.content.decode()


@pytest.mark.django_db
def test_a_request_for_an_unknown_host_gets_the_spanish_bad_request_page(client):
    response = client.get("/", HTTP_HOST="suplantado.example")
    assert response.status_code == 400
    assert "Solicitud incorrecta" in response.content.decode()
