"""On a phone, anonymously, a resident reports a broken light with a photo; a coordinator
routes it; the caring organization's representative marks it fixed; days later the reporter
is asked by email whether it was, follows the link and confirms."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from mapping.models import Report
from mapping.reports_services import reports_schedule_followups
from platform_app.permissions import Role
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import STUB_TILE, sign_in
from tests.factories import UserFactory
from tests.factories_mapping import PublicSpaceFactory
from tests.factories_registry import OrganizationFactory
from tests.imagefiles import jpeg_with_gps

pytestmark = TRANSACTIONAL

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def phone(browser, live_server, errors: list[str]):
    """A phone-sized browser of its own (one per person of the journey)."""
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.route(
        "**/*tile.openstreetmap.org/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=STUB_TILE),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page


def test_resident_reports_coordinator_routes_representative_fixes_reporter_confirms(
    browser, live_server
):
    space = PublicSpaceFactory(name="Parque Los Ficus")
    organization = OrganizationFactory(name="Junta Vecinal Los Ficus")
    space.organizations.add(organization)
    UserFactory(email="coordinadora@example.org", role=Role.COORDINATOR)
    representative = UserFactory(email="junta@example.org", role=Role.REPRESENTATIVE)
    organization.representatives.add(representative)

    errors: list[str] = []
    # The resident, on a phone, without an account.
    resident = phone(browser, live_server, errors)
    started = time.monotonic()
    resident.goto(space.get_absolute_url())
    resident.get_by_role("main").get_by_role("link", name="Reportar un problema").click()
    expect(resident.get_by_label("Espacio público")).to_have_value(str(space.pk))
    resident.get_by_label("Alumbrado").check()
    resident.get_by_label("Descríbelo brevemente").fill("El poste junto a los juegos no enciende")
    resident.get_by_label("Foto (opcional)", exact=True).set_input_files(
        files=[{"name": "poste.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
    )
    resident.get_by_label("Correo (opcional, nunca público)").fill("vecina@example.org")
    resident.get_by_role("button", name="Enviar el reporte").click()
    expect(resident.get_by_role("heading", level=1)).to_contain_text("Reporte n.º")
    assert time.monotonic() - started < 60
    report = Report.objects.get()
    expect(resident.get_by_role("img", name=f"Foto del reporte n.º {report.pk}")).to_be_visible()
    expect(resident.get_by_text("Recibido").first).to_be_visible()
    # The open report is on the public map's layer.
    resident.goto("/mapa/")
    expect(resident.locator("#space-map")).to_have_attribute("data-reports", "1")

    # The coordinator routes it to the organization that cares for the space.
    coordinator = phone(browser, live_server, errors)
    sign_in(coordinator, "coordinadora@example.org")
    coordinator.goto("/mapa/reportes/")
    coordinator.get_by_role("link", name=f"#{report.pk} · Alumbrado").first.click()
    coordinator.get_by_label("Organización que lo cuida").select_option(str(organization.pk))
    coordinator.get_by_label("Nota pública").fill("Lo revisa la junta esta semana")
    coordinator.get_by_role("button", name="Dar por recibido y encaminar").click()
    expect(coordinator.get_by_role("status")).to_contain_text("encaminó")

    # The caring organization's representative marks it fixed.
    worker = phone(browser, live_server, errors)
    sign_in(worker, "junta@example.org")
    worker.goto("/mapa/reportes/")
    worker.get_by_role("link", name=f"#{report.pk} · Alumbrado").click()
    worker.get_by_label("Nuevo estado").select_option("fixed")
    worker.get_by_label("Nota pública").fill("Foco cambiado")
    worker.get_by_role("button", name="Guardar el estado").click()
    expect(worker.get_by_role("status")).to_contain_text("Se cambió el estado")
    assert Report.objects.get().status == "fixed"

    # Days later the scan asks the reporter, who follows the emailed link and confirms.
    mail.outbox.clear()
    reports_schedule_followups(now=timezone.now() + timedelta(days=4))
    question = next(m for m in mail.outbox if m.to == ["vecina@example.org"])
    link = re.search(r"https?://\S+/mapa/reportes/seguimiento/\S+/", question.body).group(0)
    resident.goto("/mapa/" + link.split("/mapa/", 1)[1])  # the live server's address
    resident.get_by_label("Sí, está arreglado").check()
    resident.get_by_role("button", name="Enviar la respuesta").click()
    expect(resident.get_by_role("status")).to_contain_text("Gracias por confirmar")
    assert Report.objects.get().confirmed_fixed is True
    for page in (resident, coordinator, worker):
        page.context.close()
    assert errors == []
