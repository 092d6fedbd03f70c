"""The desk prints the call list of a typology meeting, phones the organizations no message
reaches and records how each call went; the coordinator sees the counts on the meeting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from platform_app.models import Call, Organization
from platform_app.permissions import Role
from platform_app.services.meetings import meeting_organizations_invite
from tests.conftest import TRANSACTIONAL
from tests.factories import UserFactory
from tests.factories_platform import MeetingFactory
from tests.factories_registry import ContactFactory, OrganizationFactory

pytestmark = TRANSACTIONAL


@pytest.fixture
def browser_context_args() -> dict[str, object]:
    return {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_the_desk_prints_a_call_list_and_records_outcomes(page, live_server, santa_anita):
    coordinator = UserFactory(role=Role.COORDINATOR)
    meeting = MeetingFactory(
        title="Encuentro de clubes deportivos",
        starts_at=timezone.now() + timedelta(days=7),
        ends_at=timezone.now() + timedelta(days=7, hours=2),
    )
    for name, phone, email in (
        ("Club Los Halcones", "+5113621234", ""),
        ("Club San Carlos", "+5113625678", ""),
        ("Club Con Correo", "", "club@example.org"),
    ):
        organization = OrganizationFactory(
            name=name, typology=Organization.Typology.SPORTS, messages_consent=True
        )
        ContactFactory(organization=organization, name=f"Delegado {name}", phone=phone, email=email)
    meeting_organizations_invite(
        meeting=meeting, actor=coordinator, typology=Organization.Typology.SPORTS
    )

    _sign_in(page, live_server, UserFactory(role=Role.DESK))
    page.goto(f"/plataforma/reuniones/{meeting.pk}/llamadas/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lista de llamadas")
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(3)  # the header and two organizations
    expect(table.get_by_role("link", name="+5113621234")).to_be_visible()
    expect(table).not_to_contain_text("Club Con Correo")

    # On paper the recording buttons are gone and the list stays.
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Contactada, vendrá").first).to_be_hidden()
    expect(table.get_by_role("cell", name="Club Los Halcones", exact=True)).to_be_visible()
    page.emulate_media(media="screen")

    halcones = page.get_by_role("form", name="Llamada a Club Los Halcones")
    halcones.get_by_role("button", name="No contesta").click()
    expect(page.get_by_text("Club Los Halcones: No contesta.")).to_be_visible()
    page.get_by_role("form", name="Llamada a Club Los Halcones").get_by_role(
        "button", name="Contactada, vendrá"
    ).click()
    page.get_by_role("form", name="Llamada a Club San Carlos").get_by_role(
        "button", name="Número equivocado"
    ).click()
    expect(page.get_by_text("Club San Carlos: Número equivocado.")).to_be_visible()
    assert Call.objects.count() == 3

    _sign_in(page, live_server, coordinator)
    page.goto(f"/plataforma/reuniones/{meeting.pk}/")
    counts = page.get_by_test_id("call-counts")
    expect(counts).to_contain_text("Contactada, vendrá 1")
    expect(counts).to_contain_text("No contesta 0")
    expect(counts).to_contain_text("Número equivocado 1")
