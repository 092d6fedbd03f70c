"""The votes API: the district's members read the results by stakeholder sector; nobody
else learns the votes exist, and no ballot names its member."""

from __future__ import annotations

import pytest

from platform_app.decisions.models import Vote
from platform_app.decisions.services import ballot_cast, vote_open
from platform_app.permissions import Role
from platform_app.services.meetings import attendance_set
from tests.factories import UserFactory
from tests.factories_platform import AgendaItemFactory, MemberFactory, platform_admin

pytestmark = pytest.mark.django_db


@pytest.mark.ladder("platform-vote-list", "platform-vote-detail")
def test_members_read_vote_results_by_sector_and_others_see_nothing(client, other_district):
    item = AgendaItemFactory()
    voter = MemberFactory(sector="youth", user__email="joven@example.org")
    attendance_set(meeting=item.meeting, member=voter, present=True, actor=platform_admin())
    vote = vote_open(
        item=item,
        question="¿Aprobamos?",
        kind=Vote.Kind.YES_NO,
        options=[],
        opened_by=platform_admin(),
    )
    ballot_cast(vote=vote, member=voter, option=vote.options.get(label="Sí"))

    assert client.get("/api/platform/votes/").status_code == 401
    client.force_login(UserFactory(role=Role.COORDINATOR, district=other_district))
    assert client.get("/api/platform/votes/").json()["results"] == []
    assert client.get(f"/api/platform/votes/{vote.pk}/").status_code == 404

    client.force_login(voter.user)
    detail = client.get(f"/api/platform/votes/{vote.pk}/").json()
    assert [(o["label"], o["ballots"]) for o in detail["options"]] == [
        ("Sí", 1),
        ("No", 0),
        ("Abstención", 0),
    ]
    youth = next(row for row in detail["by_sector"] if row["sector"] == "Juvenil")
    assert youth == {"sector": "Juvenil", "present": 1, "counts": [1, 0, 0]}
    assert "joven@example.org" not in str(detail)
