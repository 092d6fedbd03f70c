"""A coordinator opens a vote on an agenda item, two members present vote, the results by
stakeholder sector show beside the attendance and the minutes record the decision; then a
resident answers the festival poll on a phone and sees the results by sector."""

from __future__ import annotations

from playwright.sync_api import expect

from platform_app.decisions.services import PollOptionData, poll_create
from platform_app.models import District
from platform_app.permissions import Role
from platform_app.services.meetings import attendance_set, attendance_sheet_open
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory
from tests.factories_platform import AgendaItemFactory, MemberFactory, platform_admin

pytestmark = TRANSACTIONAL

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _switch_to(page, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, email)


def test_members_vote_by_sector_and_a_resident_answers_a_poll_on_a_phone(
    page, browser, live_server
):
    UserFactory(email="coordinadora@example.org", role=Role.COORDINATOR)
    item = AgendaItemFactory(title="Plan de limpieza del parque")
    meeting = item.meeting
    youth = MemberFactory(user__email="joven@example.org", sector="youth")
    culture = MemberFactory(user__email="cultura@example.org", sector="culture")
    MemberFactory(user__email="ausente@example.org", sector="business")
    attendance_sheet_open(meeting=meeting)
    for member in (youth, culture):
        attendance_set(meeting=meeting, member=member, present=True, actor=platform_admin())

    sign_in(page, "coordinadora@example.org")
    page.goto(f"/plataforma/reuniones/{meeting.pk}/")
    expect(page.locator(".quorum")).to_contain_text("Quórum alcanzado: 2 de 3 miembros (67 %)")
    page.get_by_role("link", name="Abrir una votación sobre este punto").click()
    page.get_by_label("Pregunta que se somete a votación").fill("¿Aprobamos el plan?")
    page.get_by_role("button", name="Abrir la votación").click()
    expect(page.get_by_role("status")).to_contain_text("La votación está abierta.")
    vote_url = page.url

    for email, choice in (("joven@example.org", "Sí"), ("cultura@example.org", "No")):
        _switch_to(page, email)
        page.goto(vote_url)
        page.get_by_label(choice, exact=True).check()
        page.get_by_role("button", name="Emitir mi voto").click()
        expect(page.get_by_role("status")).to_contain_text("Tu voto ha sido registrado.")
        expect(page.get_by_text(f"Votaste: {choice}.")).to_be_visible()

    _switch_to(page, "coordinadora@example.org")
    page.goto(vote_url)
    results = page.get_by_role("table", name="Resultados por sector de actores")
    # Sector, present, Sí, No, Abstención, ballots
    for sector, cells in (
        ("Juvenil", ["1", "1", "0", "0", "1"]),
        ("Cultura", ["1", "0", "1", "0", "1"]),
        ("Empresa", ["0", "0", "0", "0", "0"]),
    ):
        row = results.get_by_role("row", name=sector)
        expect(row.get_by_role("cell")).to_have_text(cells)
    page.get_by_role("button", name="Cerrar la votación").click()
    expect(page.get_by_role("status")).to_contain_text("La votación está cerrada")
    expect(page.locator(".card")).to_contain_text("Empate entre Sí, No: sin decisión.")
    page.goto(f"/plataforma/reuniones/{meeting.pk}/")
    expect(page.get_by_text("Votación «¿Aprobamos el plan?»")).to_be_visible()

    district = District.objects.get(ubigeo="150137")
    first, second = district.sectors.get(number=1), district.sectors.get(number=2)
    poll = poll_create(
        district=district,
        title="Escenarios del festival",
        question="¿Qué espacio de tu sector recibe el escenario?",
        decision="",
        options=[
            PollOptionData(label="Parque Los Ficus", sector=first),
            PollOptionData(label="Parque Central", sector=second),
        ],
        created_by=platform_admin(),
    )
    UserFactory(email="vecina@example.org", role=Role.RESIDENT)
    phone = browser.new_context(base_url=live_server.url, **PHONE)
    try:
        mobile = phone.new_page()
        mobile.set_default_timeout(10_000)
        sign_in(mobile, "vecina@example.org")
        mobile.goto(f"/consultas/distrito/{district.slug}/")
        mobile.get_by_role("link", name="Escenarios del festival").click()
        mobile.get_by_label("Parque Central").check()
        mobile.get_by_label("El sector donde vives").select_option(label=second.name)
        mobile.get_by_role("button", name="Enviar mi respuesta").click()
        expect(mobile.get_by_role("status")).to_contain_text("Gracias, tu respuesta")
        by_sector = mobile.get_by_role("table", name="Respuestas según el sector donde viven")
        row = by_sector.get_by_role("row", name=second.name)
        expect(row.get_by_role("cell")).to_have_text(["0", "1", "1"])
        expect(mobile.get_by_role("button", name="Enviar mi respuesta")).to_have_count(0)
        # The page fits the phone: nothing wider than the screen.
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
    finally:
        phone.close()
    assert poll.answers.count() == 1
