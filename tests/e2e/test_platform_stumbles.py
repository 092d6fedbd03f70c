"""Where platform coordinators stumbled: the agreement form is open on the minutes, the
responsible members are found by typing and read by stakeholder sector, and the platform
home schedules a single meeting."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from platform_app.permissions import Role
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory
from tests.factories_platform import AgendaItemFactory, MemberFactory

pytestmark = TRANSACTIONAL


def test_a_coordinator_records_an_agreement_picking_members_by_search(page):
    UserFactory(email="coordinadora@example.org", role=Role.COORDINATOR)
    for n in range(20):
        MemberFactory(user__first_name=f"Persona{n}", user__last_name="Huamán")
    MemberFactory(
        user__first_name="Ana", user__last_name="Quispe", sector="academia", user__email="a@x.pe"
    )
    MemberFactory(
        user__first_name="Beto", user__last_name="Ramos", sector="business", user__email="b@x.pe"
    )
    item = AgendaItemFactory()

    sign_in(page, "coordinadora@example.org")
    page.goto("/plataforma/")
    page.get_by_role("link", name="Programar una sesión").click()
    expect(page).to_have_url(re.compile("/plataforma/reuniones/nueva/$"))

    page.goto(f"/plataforma/reuniones/{item.meeting.pk}/acta/")
    form = page.get_by_role("form", name="Registrar un acuerdo en el punto 1")
    expect(form.get_by_label("Acuerdo:", exact=True)).to_be_visible()  # not folded away
    picker = form.locator("[data-member-picker]")
    expect(picker.get_by_text("Academia", exact=True)).to_be_visible()
    expect(picker.get_by_role("checkbox")).to_have_count(22)

    picker.get_by_label("Buscar integrantes").fill("quispe")
    expect(picker.get_by_role("checkbox", name="Ana Quispe")).to_be_visible()
    expect(picker.get_by_role("checkbox", name="Beto Ramos")).to_be_hidden()
    expect(picker.get_by_text("Empresa", exact=True)).to_be_hidden()
    picker.get_by_role("checkbox", name="Ana Quispe").check()
    picker.get_by_label("Buscar integrantes").fill("ramos")
    picker.get_by_role("checkbox", name="Beto Ramos").check()
    expect(picker.get_by_role("checkbox", name="Ana Quispe")).to_be_visible()  # kept in sight

    form.get_by_label("Acuerdo:", exact=True).fill("Pintar las bancas")
    form.get_by_label("Fecha límite").fill("2027-01-15")
    form.get_by_role("button", name="Registrar acuerdo").click()
    expect(page.get_by_role("status")).to_contain_text("Acuerdo registrado")
    from platform_app.models import Agreement

    agreement = Agreement.objects.get()
    assert sorted(str(m) for m in agreement.responsible.all()) == ["Ana Quispe", "Beto Ramos"]
