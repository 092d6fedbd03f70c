"""A volunteer collects three perception answers on a phone without a connection, reloads
the page still offline, goes back online, and exactly three answers arrive (even when the
phone sends them again after a lost reply)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from interventions.models import PerceptionResponse
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import (
    cut_connection,
    restore_connection,
    sign_in,
    wait_for_service_worker,
)
from tests.factories import UserFactory
from tests.interventions.perception_helpers import setup_survey

pytestmark = TRANSACTIONAL

QUEUE = "santaanita:perception-queue"


@pytest.fixture
def browser_context_args() -> dict[str, object]:
    return {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _answer(page, trust: str, sector) -> None:
    page.get_by_label(re.compile("Leí el texto de consentimiento")).check()
    page.get_by_role("group", name="Confío en mis vecinos.").get_by_label(trust, exact=True).check()
    page.get_by_role("group", name="Cuidaría el parque.").get_by_label(
        "Muy de acuerdo", exact=True
    ).check()
    page.get_by_role("group", name="Participo.").get_by_label("A veces", exact=True).check()
    page.get_by_label("Sector donde vive (opcional)").select_option(value=str(sector.pk))
    page.get_by_role("button", name="Guardar respuesta").click()


def test_three_answers_collected_offline_arrive_exactly_once(page, santa_anita):
    wave = setup_survey(santa_anita)
    volunteer = UserFactory(email="voluntaria@example.org", role="surveyor")
    sign_in(page, volunteer.email)
    page.goto("/percepcion/recoger/")
    page.get_by_role("link", name=wave.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(wave.name)
    wait_for_service_worker(page, keeps_this_page=True)

    cut_connection(page.context)
    sectors = list(santa_anita.sectors.order_by("number")[:3])
    status = page.locator("#survey-queue-status")
    for count, (trust, sector) in enumerate(
        zip(("De acuerdo", "En desacuerdo", "Muy de acuerdo"), sectors, strict=True), start=1
    ):
        _answer(page, trust, sector)
        expect(status).to_have_attribute("data-pending", str(count))
        # The form is blank again for the next respondent, under a new key.
        expect(page.get_by_label(re.compile("Leí el texto de consentimiento"))).not_to_be_checked()
    keys = page.evaluate(f"JSON.parse(localStorage.getItem('{QUEUE}')).map((i) => i.uuid)")
    assert len(set(keys)) == 3
    queued = page.evaluate(f"localStorage.getItem('{QUEUE}')")
    assert PerceptionResponse.objects.count() == 0

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text(wave.name)
    expect(page.locator("#survey-queue-status")).to_have_attribute("data-pending", "3")
    assert PerceptionResponse.objects.count() == 0

    restore_connection(page.context)
    expect(page.locator("#survey-queue-status")).to_have_attribute("data-pending", "0")
    assert PerceptionResponse.objects.count() == 3

    # The replies were "lost": the phone sends the same three again after a reload.
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [QUEUE, queued])
    page.reload()
    expect(page.locator("#survey-queue-status")).to_have_attribute("data-pending", "0")
    assert PerceptionResponse.objects.count() == 3
    answers = PerceptionResponse.objects.order_by("pk")
    assert sorted(str(a.client_uuid) for a in answers) == sorted(keys)
    assert [a.answers["confianza"] for a in answers] == [4, 2, 5]
    assert {a.sector for a in answers} == set(sectors)
    assert {a.channel for a in answers} == {"volunteer"}
