"""Public pages kept for anonymous visitors never serve another visitor's CSRF token, a kept
page costs no query, and a write that changes the figures shows to the next visitor."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interventions.perception import services
from tests.factories import UserFactory
from tests.interventions.perception_helpers import answer, setup_survey

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def test_a_kept_page_carries_each_visitors_own_working_token():
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    url = reverse("interventions:results")
    page_one = first.get(url).content.decode()
    with CaptureQueriesContext(connection) as kept:
        page_two = second.get(url).content.decode()
    assert len(kept) == 0  # answered before the session, the user or any figure is read
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


def test_a_kept_page_sets_the_csrf_cookie_and_keeps_the_pages_policies():
    url = reverse("interventions:results")
    rendered = Client().get(url)
    kept = Client().get(url)
    assert kept.cookies["csrftoken"].value  # a first visit gets its cookie, as rendered
    for header in ("X-Frame-Options", "Content-Security-Policy", "Content-Type"):
        assert kept[header] == rendered[header], header


def test_a_perception_answer_or_a_closed_wave_shows_to_the_next_visitor(santa_anita):
    wave = setup_survey(santa_anita)
    url = reverse("interventions:perception-results", args=[santa_anita.slug])
    before = Client().get(url).content.decode()
    assert "Recolección en curso" in before
    assert "data-percent" not in before
    assert Client().get(url).content.decode().count("Recolección en curso") == 1  # kept
    sector = santa_anita.sectors.order_by("number").first()
    for _ in range(5):
        answer(wave, 5, sector=sector)
    after_answers = Client().get(url).content.decode()
    assert "<td data-percent>100.0 %</td>" in after_answers
    services.wave_set_open(actor=None, wave=wave, is_open=False)
    assert "Recolección en curso" not in Client().get(url).content.decode()
