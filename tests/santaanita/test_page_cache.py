"""Public pages kept for anonymous visitors never serve another visitor's CSRF token, and a
kept page costs no figure queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def test_a_kept_page_carries_each_visitors_own_working_token():
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    url = reverse("interventions:results")
    page_one = first.get(url).content.decode()
    with CaptureQueriesContext(connection) as kept:
        page_two = second.get(url).content.decode()
    assert len(kept) <= 2  # no figure is computed again
    token_one, token_two = TOKEN.search(page_one)[1], TOKEN.search(page_two)[1]
    assert token_one != token_two
    assert token_one not in page_two
    assert "__csrf_token_placeholder__" not in page_two
    # The kept page's token is valid for the second visitor's cookie: the sign-in form in
    # the header posts without a CSRF failure.
    response = second.post(
        "/cuentas/login/", {"csrfmiddlewaretoken": token_two, "login": "x@example.org"}
    )
    assert response.status_code != 403


def test_signed_in_people_get_a_fresh_page(client):
    url = reverse("interventions:results")
    client.get(url)
    user = UserFactory(role="coordinator")
    client.force_login(user)
    assert user.email in client.get(url).content.decode()
