"""The board of agreements and the member home cost the same queries at N and 10N rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from platform_app.models.workplan import Activity
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_platform import (
    AgendaItemFactory,
    AgreementFactory,
    MeetingFactory,
    MemberFactory,
    ObjectiveFactory,
)


def _grow(member, n: int) -> None:
    for _ in range(n):
        item = AgendaItemFactory(meeting=MeetingFactory())
        others = [MemberFactory()]
        AgreementFactory(agenda_item=item, responsible=[member, *others])
        AgreementFactory(agenda_item=item, responsible=others, due_date=date(2020, 1, 1))
        objective = ObjectiveFactory()
        for progress in (10, 90):
            activity = Activity.objects.create(
                objective=objective,
                title="a",
                starts_on=date(2030, 1, 1),
                due_on=date(2030, 2, 1),
                progress=progress,
            )
            activity.responsible.set(others)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    [
        "platform_app:agreement-board",
        "platform_app:platform-home",
        "platform_app:agreement-mine",
        "platform_app:work-plan",
        "platform_app:meeting-list",
    ],
)
def test_platform_pages_query_count_does_not_grow_with_rows(client, url_name):
    member = MemberFactory()
    client.force_login(member.user)
    url = reverse(url_name)
    _grow(member, 3)
    small = _count(client, url)
    _grow(member, 27)
    assert _count(client, url) == small


@pytest.mark.django_db
def test_board_filters_by_status_responsible_meeting_and_axis(client):
    coordinator = UserFactory(role=Role.COORDINATOR)
    member = MemberFactory()
    item = AgendaItemFactory()
    wanted = AgreementFactory(agenda_item=item, responsible=[member], axis="festival")
    AgreementFactory(agenda_item=item, axis="festival")
    AgreementFactory(responsible=[member], axis="festival")
    AgreementFactory(agenda_item=item, responsible=[member], axis="platform")
    client.force_login(coordinator)
    response = client.get(
        reverse("platform_app:agreement-board"),
        {
            "status": "pending",
            "responsible": member.pk,
            "meeting": item.meeting.pk,
            "axis": "festival",
        },
    )
    assert [a.pk for a in response.context["page"].object_list] == [wanted.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["work-plan", "activity-edit", "objective-edit"])
def test_work_plan_pages_of_a_coordinator_cost_the_same_at_n_and_10n_rows(client, page):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    member = MemberFactory()
    objective = ObjectiveFactory()
    activity = Activity.objects.create(
        objective=objective, title="a", starts_on=date(2030, 1, 1), due_on=date(2030, 2, 1)
    )
    args = {"activity-edit": [activity.pk], "objective-edit": [objective.pk]}.get(page, [])
    url = reverse(f"platform_app:{page}", args=args)
    _grow(member, 3)
    activity.responsible.set(MemberFactory.create_batch(2))
    small = _count(client, url)
    _grow(member, 27)
    activity.responsible.set(MemberFactory.create_batch(20))
    assert _count(client, url) == small
