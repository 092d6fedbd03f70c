"""The platform API: members read, coordinators write, responsible members post follow-ups."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_platform import (
    AgendaItemFactory,
    AgreementFactory,
    MeetingFactory,
    MemberFactory,
)


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
@pytest.mark.ladder("platform-meeting-list", "platform-meeting-detail", "platform-agreement-list")
def test_members_read_meetings_and_agreements_of_their_district_only(api, other_district):
    member = MemberFactory()
    mine = MeetingFactory()
    AgreementFactory(agenda_item=AgendaItemFactory(meeting=mine), responsible=[member])
    MeetingFactory(district=other_district)
    assert api.get("/api/platform/meetings/").status_code in (401, 403)
    api.force_authenticate(UserFactory(role=Role.RESIDENT))
    assert api.get("/api/platform/meetings/").json()["count"] == 0
    api.force_authenticate(member.user)
    meetings = api.get("/api/platform/meetings/").json()
    assert [m["id"] for m in meetings["results"]] == [mine.pk]
    # The list leaves each agenda to the detail: carried agreements make agendas long.
    assert "agenda_items" not in meetings["results"][0]
    detail = api.get(f"/api/platform/meetings/{mine.pk}/").json()
    assert len(detail["agenda_items"]) == 1
    assert api.get("/api/platform/agreements/").json()["count"] == 1
    assert api.get("/api/platform/members/").json()["count"] == 1
    assert "email" not in api.get("/api/platform/members/").json()["results"][0]


@pytest.mark.django_db
@pytest.mark.ladder("POST platform-meeting-list", "PATCH platform-meeting-detail")
def test_coordinators_schedule_meetings_members_cannot(api):
    MemberFactory()
    start = timezone.now() + timedelta(days=3)
    payload = {
        "kind": "ordinary",
        "title": "Sesión por API",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "place": "Municipalidad",
        "agenda": ["Informe"],
    }
    api.force_authenticate(MemberFactory().user)
    assert api.post("/api/platform/meetings/", payload, format="json").status_code == 403
    # A coordinator's account not yet placed in a district writes nowhere, as in the pages.
    api.force_authenticate(UserFactory(role=Role.COORDINATOR, district=None))
    assert api.post("/api/platform/meetings/", payload, format="json").status_code == 403
    api.force_authenticate(UserFactory(role=Role.COORDINATOR))
    response = api.post("/api/platform/meetings/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["agenda_items"][0]["title"] == "Informe"
    bad = api.post("/api/platform/meetings/", {**payload, "place": ""}, format="json")
    assert bad.status_code == 400
    moved = api.patch(
        f"/api/platform/meetings/{response.json()['id']}/",
        {"place": "Parque"},
        format="json",
    )
    assert moved.json()["sequence"] == 1


@pytest.mark.django_db
@pytest.mark.ladder("POST platform-followup-list")
def test_follow_ups_by_responsible_members_only(api, other_district):
    member = MemberFactory()
    agreement = AgreementFactory(responsible=[member])
    payload = {"agreement": agreement.pk, "new_status": "done", "comment": "Terminado"}
    api.force_authenticate(MemberFactory().user)
    assert api.post("/api/platform/followups/", payload).status_code == 403
    api.force_authenticate(MemberFactory(district=other_district).user)
    assert api.post("/api/platform/followups/", payload).status_code == 400
    api.force_authenticate(member.user)
    response = api.post("/api/platform/followups/", payload)
    assert response.status_code == 201, response.content
    agreement.refresh_from_db()
    assert (agreement.status, agreement.progress) == ("done", 100)


@pytest.mark.django_db
def test_a_coordinator_without_a_district_cannot_post_a_follow_up(api):
    # can() given no district checks none: the account must be refused, not let through.
    agreement = AgreementFactory(responsible=[MemberFactory()])
    payload = {"agreement": agreement.pk, "new_status": "done", "comment": "Terminado"}
    api.force_authenticate(UserFactory(role=Role.COORDINATOR, district=None))
    assert api.post("/api/platform/followups/", payload).status_code == 403
    agreement.refresh_from_db()
    assert (agreement.status, agreement.followups.count()) == ("pending", 0)


@pytest.mark.django_db
@pytest.mark.ladder("POST platform-agreement-list")
def test_coordinators_record_agreements_through_the_api(api):
    member = MemberFactory()
    item = AgendaItemFactory()
    payload = {
        "agenda_item": item.pk,
        "description": "Organizar faena",
        "responsible": [member.pk],
        "due_date": "2030-01-10",
    }
    api.force_authenticate(member.user)
    assert api.post("/api/platform/agreements/", payload, format="json").status_code == 403
    api.force_authenticate(UserFactory(role=Role.COORDINATOR))
    response = api.post("/api/platform/agreements/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["responsible"] == [member.pk]


@pytest.mark.django_db
def test_the_meeting_list_costs_the_same_however_long_the_agendas(api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = MemberFactory()
    api.force_authenticate(member.user)
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting)
    api.get("/api/platform/meetings/")  # the caller's permissions, read once
    with CaptureQueriesContext(connection) as short:
        api.get("/api/platform/meetings/")
    for _ in range(30):
        AgendaItemFactory(meeting=MeetingFactory())
    with CaptureQueriesContext(connection) as long:
        assert api.get("/api/platform/meetings/").json()["count"] == 31
    assert len(short) == len(long), [q["sql"][:80] for q in long]
