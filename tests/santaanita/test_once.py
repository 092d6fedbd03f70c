"""A form sent twice (a double tap, a retry after a timeout) creates one record."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from platform_app.models import Meeting, Objective

pytestmark = pytest.mark.django_db


def test_the_same_form_sent_twice_creates_one_record_and_both_land_on_it(client, coordinator):
    url = reverse("platform_app:objective-create")
    assert 'name="once"' in client.get(url).content.decode()
    data = {"axis": "platform", "title": "Reglamento interno", "once": uuid.uuid4().hex}
    first = client.post(url, data)
    second = client.post(url, data)
    assert Objective.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    # A new form (a new token) is a new record.
    client.post(url, {**data, "once": uuid.uuid4().hex})
    assert Objective.objects.count() == 2


def test_a_form_returned_with_errors_can_be_corrected_and_sent_with_its_token(client, coordinator):
    url = reverse("platform_app:meeting-create")
    token = uuid.uuid4().hex
    data = {"kind": "extraordinary", "title": "Sesión extraordinaria", "once": token}
    assert client.post(url, data).status_code == 200  # no dates, no link: errors
    data.update(
        starts_at="2030-05-04T19:00",
        ends_at="2030-05-04T20:00",
        video_url="https://meet.example.org/sa",
    )
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Meeting.objects.count() == 1
