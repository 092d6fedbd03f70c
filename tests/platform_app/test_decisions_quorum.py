"""The quorum rule of each district's platform: a share of the active members and,
optionally, a minimum number of stakeholder sectors present; the meeting page says why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from platform_app.decisions.quorum import Quorum
from platform_app.models import PlatformSettings
from platform_app.services.meetings import attendance_set, attendance_sheet_open
from tests.factories_platform import MeetingFactory, MemberFactory, platform_admin


def test_quorum_needs_more_than_the_share_and_the_sectors_required():
    rule = {"expected": 20, "percent_required": 50, "sectors_required": 4}
    assert Quorum(present=12, sectors_present=5, **rule).reached
    assert not Quorum(present=10, sectors_present=5, **rule).reached  # half is not more
    assert not Quorum(present=12, sectors_present=3, **rule).reached
    assert not Quorum(
        present=0, expected=0, sectors_present=0, percent_required=0, sectors_required=0
    ).reached


@pytest.mark.django_db
def test_the_meeting_page_says_whether_quorum_was_reached_and_why(client, santa_anita):
    sectors = ["municipality", "business", "community", "youth", "youth", "culture"]
    members = [MemberFactory(sector=s) for s in sectors]
    MemberFactory(sector="academia")
    meeting = MeetingFactory()
    attendance_sheet_open(meeting=meeting)
    for member in members[:4]:
        attendance_set(meeting=meeting, member=member, present=True, actor=platform_admin())
    PlatformSettings.objects.update_or_create(
        district=santa_anita, defaults={"quorum_percent": 50, "quorum_min_sectors": 4}
    )
    client.force_login(members[0].user)
    url = reverse("platform_app:meeting-detail", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert (
        "Quórum alcanzado: 4 de 7 miembros (57 %), más del 50 % requerido, "
        "4 sectores de 4 requeridos." in page
    )
    attendance_set(
        meeting=meeting, member=members[3], present=False, actor=platform_admin()
    )  # the youth leave
    attendance_set(meeting=meeting, member=members[4], present=True, actor=platform_admin())
    attendance_set(meeting=meeting, member=members[5], present=True, actor=platform_admin())
    page = client.get(url).content.decode()
    assert "Quórum alcanzado: 5 de 7" in page
    attendance_set(meeting=meeting, member=members[5], present=False, actor=platform_admin())
    attendance_set(meeting=meeting, member=members[2], present=False, actor=platform_admin())
    page = client.get(url).content.decode()
    assert (
        "Sin quórum: 3 de 7 miembros (43 %), más del 50 % requerido, "
        "3 sectores de 4 requeridos." in page
    )
