"""Bad requests to the platform's API are a 400 naming the field, and change nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from platform_app.models import Meeting
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_platform import MemberFactory

pytestmark = pytest.mark.django_db

LIMA = ZoneInfo("America/Lima")


@pytest.fixture
def api(santa_anita) -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.COORDINATOR, district=santa_anita))
    return client


def _meeting(**changes):
    start = datetime.now(tz=LIMA) + timedelta(days=3)
    return {
        "kind": "extraordinary",
        "title": "Sesión extraordinaria",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "video_url": "https://meet.example.org/sa",
        **changes,
    }


def test_a_meeting_sent_without_its_kind_is_a_400_naming_the_field(api):
    payload = _meeting()
    del payload["kind"]
    response = api.post("/api/platform/meetings/", payload, format="json")
    assert response.status_code == 400
    assert "kind" in response.json()
    assert not Meeting.objects.exists()
    assert api.post("/api/platform/meetings/", _meeting(), format="json").status_code == 201


@pytest.mark.parametrize(
    "ends_at", ["9999-12-31T23:00:00", "9999-12-31T23:59:59-05:00", "2101-01-01T10:00:00Z"]
)
def test_a_meeting_ending_in_year_9999_is_a_400_naming_the_field(api, ends_at):
    response = api.post("/api/platform/meetings/", _meeting(ends_at=ends_at), format="json")
    assert response.status_code == 400
    assert "ends_at" in response.json()
    assert not Meeting.objects.exists()


def test_the_meeting_form_refuses_year_9999_with_a_message(client, coordinator):
    MemberFactory()
    # The form's datetime-local fields send a Lima time without seconds.
    start = (datetime.now(tz=LIMA) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    payload = _meeting(starts_at=start, ends_at="9999-12-31T23:00")
    response = client.post(reverse("platform_app:meeting-create"), payload)
    assert response.status_code == 200
    assert "ends_at" in response.context["form"].errors
    assert "1900" in response.content.decode()
    assert not Meeting.objects.exists()


def test_nullable_fields_of_the_platform_are_declared_nullable(client, coordinator):
    # The registry's staff read (and are shown in their schema) the full organization record.
    components = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    assert components["OrganizationStaff"]["properties"]["entered_by"]["nullable"] is True
    old_status = components["FollowUp"]["properties"]["old_status"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in old_status["oneOf"]
    assert "kind" in components["Meeting"]["required"]
