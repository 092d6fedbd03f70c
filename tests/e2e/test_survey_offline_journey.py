"""A volunteer surveys an assigned park on a phone without a connection; the survey arrives
once when the connection returns (even when the phone sends it again after a reload); the
university reviewer approves it and the public map shows the park in its new condition colour."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from mapping.models import Assignment, PublicSpace, Survey, SurveyPhoto
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import (
    cut_connection,
    restore_connection,
    sign_in,
    wait_for_service_worker,
)
from tests.factories import UserFactory
from tests.factories_mapping import PublicSpaceFactory
from tests.imagefiles import GPS_IFD, jpeg_with_gps

pytestmark = TRANSACTIONAL

QUEUE = "santaanita:survey-queue"


@pytest.fixture
def browser_context_args() -> dict[str, object]:
    return {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _sign_in(page, email: str) -> None:
    page.context.clear_cookies()  # the next person on the same phone
    sign_in(page, email)


def test_offline_survey_arrives_once_and_approval_recolours_the_public_map(
    page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    surveyor = UserFactory(email="voluntaria@example.org", role="surveyor")
    coordinator = UserFactory(email="coordinadora@example.org", role="coordinator")
    space = PublicSpaceFactory(name="Parque Los Ficus")
    Assignment.objects.create(space=space, surveyor=surveyor, assigned_by=coordinator)

    _sign_in(page, surveyor.email)
    page.goto("/mapa/mis-asignaciones/")
    page.get_by_role("link", name="Parque Los Ficus").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Parque Los Ficus")
    wait_for_service_worker(page, keeps_this_page=True)

    cut_connection(page.context)
    page.locator("select[name=eq_bench_condition]").select_option("good")
    page.locator("input[name=eq_bench_count]").fill("6")
    page.locator("select[name=eq_lighting_condition]").select_option("good")
    page.locator("input[name=eq_lighting_count]").fill("4")
    for item in ("maintenance", "litter", "perceived_safety"):
        page.locator(f"select[name=q_{item}]").select_option("3")
    page.locator("input[name=obs_children_female_vigorous]").fill("5")
    page.locator("input[name=need_1]").fill("Bebedero de agua")
    page.get_by_label(re.compile("Fotos del espacio|Photos of the space")).set_input_files(
        files=[{"name": "parque.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
    )
    page.get_by_role("button", name=re.compile("Enviar ficha|Send survey")).click()

    status = page.locator("#survey-queue-status")
    expect(status).to_have_attribute("data-pending", "1")
    expect(status).to_have_attribute("data-pending-photos", "1")
    queued = page.evaluate(f"localStorage.getItem('{QUEUE}')")
    assert Survey.objects.count() == 0

    # Still without a connection, the volunteer reopens the page: the service worker serves
    # it and the survey and its photo are still waiting on the phone.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Parque Los Ficus")
    status = page.locator("#survey-queue-status")
    expect(status).to_have_attribute("data-pending", "1")
    expect(status).to_have_attribute("data-pending-photos", "1")
    assert Survey.objects.count() == 0

    restore_connection(page.context)
    status = page.locator("#survey-queue-status")
    expect(status).to_have_attribute("data-pending", "0")
    expect(status).to_have_attribute("data-pending-photos", "0")
    expect(status.get_by_role("link")).to_be_visible()
    assert Survey.objects.count() == 1
    photo = SurveyPhoto.objects.get()
    assert photo.survey == Survey.objects.get()
    assert not Image.open(photo.image.path).getexif().get_ifd(GPS_IFD)

    # The phone sends the same survey again (its answer was "lost"): the queue is put back
    # and the page reloaded; the queue is sent on load and the server records nothing new.
    # This time the queue goes out from "Mis asignaciones", which says so in words.
    page.goto("/mapa/mis-asignaciones/")
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [QUEUE, queued])
    page.reload()
    status = page.locator("#survey-queue-status")
    expect(status).to_have_attribute("data-pending", "0")
    expect(status).to_contain_text("Ficha enviada.")
    expect(status.get_by_role("link", name="Ver la ficha")).to_be_visible()
    assert page.evaluate(f"JSON.parse(localStorage.getItem('{QUEUE}')).length") == 0
    survey = Survey.objects.get()
    assert survey.status == Survey.Status.SUBMITTED
    assert survey.condition_score == 100
    assert survey.equipment.count() == 2

    reviewer = UserFactory(email="revisora@example.org", role="reviewer")
    _sign_in(page, reviewer.email)
    page.goto("/mapa/revision/")
    page.get_by_role("link", name="Parque Los Ficus").click()
    # The decision is where the reviewer lands, without scrolling past the survey.
    approve = page.get_by_role("button", name="Aprobar", exact=True)
    expect(approve).to_be_in_viewport(ratio=1)
    approve.click()
    expect(page.locator(".messages")).to_be_visible()
    survey.refresh_from_db()
    assert survey.status == Survey.Status.VERIFIED
    assert survey.reviewer == reviewer
    assert PublicSpace.objects.get(pk=space.pk).condition_score == 100

    page.context.clear_cookies()
    page.goto("/mapa/")
    expect(page.locator("#space-map path.space-marker.space-good")).to_have_count(1)
    expect(page.locator("#space-map path.space-marker.space-unknown")).to_have_count(0)


def test_a_survey_form_opened_before_the_worker_took_control_reopens_offline(page):
    """The link to a survey form is the volunteer's first page under /mapa/ (from an email,
    say): the page loads before the service worker exists, asks the worker to keep it, and
    reopens without a connection."""
    surveyor = UserFactory(email="voluntario@example.org", role="surveyor")
    space = PublicSpaceFactory(name="Parque Santa Rosa")
    Assignment.objects.create(space=space, surveyor=surveyor, assigned_by=surveyor)
    _sign_in(page, surveyor.email)
    page.goto(f"/mapa/espacios/{space.pk}/ficha/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Parque Santa Rosa")
    wait_for_service_worker(page, keeps_this_page=True)

    cut_connection(page.context)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Parque Santa Rosa")
    expect(page.locator("select[name=eq_bench_condition]")).to_be_visible()
