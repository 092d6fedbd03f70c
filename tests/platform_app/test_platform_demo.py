"""The demo platform: about 25 members in six sectors, guide, plan, six months of meetings."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from platform_app.models import (
    Agreement,
    Meeting,
    Member,
    Objective,
    OrganizationInvitation,
    Poll,
    RoleGuideVersion,
    Vote,
)


@pytest.mark.django_db
def test_seed_demo_builds_the_platform_once():
    call_command("seed_demo", "--password", "demo-pass-123")
    call_command("seed_demo", "--password", "demo-pass-123")
    assert Member.objects.count() == 25
    assert set(Member.objects.values_list("sector", flat=True)) == {
        "municipality",
        "business",
        "community",
        "academia",
        "youth",
        "culture",
    }
    assert Member.objects.filter(user__email="member@example.org").exists()
    assert set(Agreement.objects.values_list("status", flat=True)) == {
        "pending",
        "in_progress",
        "done",
        "blocked",
        "cancelled",
    }
    held = Meeting.objects.filter(status="held")
    assert held.count() >= 5
    assert all(m.agenda_items.exclude(minutes="").exists() for m in held)
    assert Meeting.objects.filter(kind="extraordinary").count() == 1
    assert RoleGuideVersion.objects.filter(status="approved").count() == 1
    assert RoleGuideVersion.objects.filter(status="superseded").count() == 1
    assert Objective.objects.count() == 3
    # A workshop for the cultural organizations that consented to messages.
    invited = OrganizationInvitation.objects.filter(meeting__title__startswith="Taller")
    assert invited.exists()
    assert set(invited.values_list("organization__typology", flat=True)) == {"cultural"}
    # Shared decisions: one closed vote of the members present, in the minutes, and a poll.
    vote = Vote.objects.get()
    assert vote.status == "closed"
    assert vote.ballots.count() == vote.agenda_item.meeting.attendances.filter(present=True).count()
    assert "Decisión: Sí." in vote.agenda_item.minutes
    assert Poll.objects.get().options.count() == 10
