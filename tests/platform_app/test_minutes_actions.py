"""Each thing a coordinator does on the minutes page is its own POST view with its own
permission: members cannot write minutes, another district's meeting does not exist, and a
failed agreement keeps what was typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from platform_app.models import Agreement, Meeting
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_platform import AgendaItemFactory, MeetingFactory, MemberFactory


@pytest.fixture
def minutes(santa_anita, other_district):
    item = AgendaItemFactory(meeting=MeetingFactory(), title="Luminarias del parque")
    return {
        "item": item,
        "meeting": item.meeting,
        "member": MemberFactory(),
        "coordinator": UserFactory(role=Role.COORDINATOR),
        "other_coordinator": UserFactory(role=Role.COORDINATOR, district=other_district),
    }


def _actions(meeting, item):
    return [
        ("platform_app:minutes-item-save", [meeting.pk, item.pk], {"minutes": "Se acordó."}),
        (
            "platform_app:minutes-agreement-record",
            [meeting.pk, item.pk],
            {f"a{item.pk}-description": "Pintar bancas"},
        ),
        ("platform_app:minutes-agenda-add", [meeting.pk], {"title": "Varios"}),
        ("platform_app:minutes-previous-approve", [meeting.pk], {"previous": meeting.pk}),
        ("platform_app:meeting-held", [meeting.pk], {}),
    ]


@pytest.mark.django_db
@pytest.mark.ladder(
    "platform_app:minutes-item-save",
    "platform_app:minutes-agreement-record",
    "platform_app:minutes-agenda-add",
    "platform_app:minutes-previous-approve",
    "platform_app:meeting-held",
)
def test_each_minutes_action_refuses_members_and_hides_other_districts(client, minutes):
    meeting, item = minutes["meeting"], minutes["item"]
    for name, args, data in _actions(meeting, item):
        url = reverse(name, args=args)
        assert client.post(url, data).status_code == 302  # anonymous: to sign in
        client.force_login(minutes["member"].user)
        assert client.post(url, data).status_code == 403, name
        client.force_login(minutes["other_coordinator"])
        assert client.post(url, data).status_code == 404, name
        client.force_login(minutes["coordinator"])
        assert client.get(url).status_code == 405, name
        client.logout()
    item.refresh_from_db()
    assert item.minutes == ""
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_a_coordinator_writes_minutes_adds_an_item_and_closes_the_meeting(client, minutes):
    meeting, item = minutes["meeting"], minutes["item"]
    client.force_login(minutes["coordinator"])
    response = client.post(
        reverse("platform_app:minutes-item-save", args=[meeting.pk, item.pk]),
        {"minutes": "Se revisó el alumbrado."},
    )
    assert response["Location"].endswith(f"/acta/#item-{item.pk}")
    item.refresh_from_db()
    assert item.minutes == "Se revisó el alumbrado."
    client.post(reverse("platform_app:minutes-agenda-add", args=[meeting.pk]), {"title": "Varios"})
    assert list(meeting.agenda_items.values_list("title", flat=True)) == [
        "Luminarias del parque",
        "Varios",
    ]
    response = client.post(reverse("platform_app:meeting-held", args=[meeting.pk]))
    assert response["Location"] == reverse("platform_app:meeting-detail", args=[meeting.pk])
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


@pytest.mark.django_db
def test_an_agreement_with_errors_is_shown_again_under_its_item_with_what_was_typed(
    client, minutes
):
    meeting, item = minutes["meeting"], minutes["item"]
    client.force_login(minutes["coordinator"])
    response = client.post(
        reverse("platform_app:minutes-agreement-record", args=[meeting.pk, item.pk]),
        {f"a{item.pk}-description": "Pintar las bancas del parque"},  # no one responsible
    )
    assert response.status_code == 200
    assert "Pintar las bancas del parque" in response.content.decode()
    assert response.context["forms_by_item"][0][2].errors
    assert not Agreement.objects.exists()
