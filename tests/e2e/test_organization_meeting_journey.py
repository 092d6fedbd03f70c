"""A coordinator invites the cultural organizations to a workshop and ticks, with one tap
each, the organizations that came; then imports a sheet and sees its
report (item 10, eager mode: the report without waiting on the bar)."""

from __future__ import annotations

from django.core import mail
from playwright.sync_api import expect

from platform_app.models import OrganizationInvitation
from platform_app.permissions import Role
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory
from tests.factories_platform import MeetingFactory
from tests.factories_registry import ContactFactory, OrganizationFactory

pytestmark = TRANSACTIONAL


def test_workshop_invitations_and_attendance_by_organization(page, live_server, tmp_path):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    UserFactory(email="coordinadora@example.org", role=Role.COORDINATOR)
    meeting = MeetingFactory(title="Taller de cultura viva")
    for name in ("Elenco Danzas del Ande", "Tuna Universitaria"):
        ContactFactory(
            organization=OrganizationFactory(name=name, typology="cultural", messages_consent=True)
        )
    OrganizationFactory(name="Teatro Sin Permiso", typology="cultural", messages_consent=False)

    sign_in(page, "coordinadora@example.org")
    page.goto(f"/plataforma/reuniones/{meeting.pk}/")
    page.get_by_role("link", name="Invited organizations").click()
    page.get_by_label("Typology").select_option("cultural")
    page.get_by_role("button", name="Send the invitations").click()
    expect(page.get_by_role("status").first).to_contain_text("2 invitations sent")
    assert len(mail.outbox) == 2
    expect(page.get_by_text("Teatro Sin Permiso")).to_have_count(0)

    page.get_by_role("button", name="Elenco Danzas del Ande: absent").click()
    expect(page.get_by_role("button", name="Elenco Danzas del Ande: present")).to_be_visible()
    expect(page.locator("#organization-summary")).to_contain_text("1 of 2 organizations present")
    assert OrganizationInvitation.objects.get(organization__name="Elenco Danzas del Ande").present

    sheet = tmp_path / "padron.csv"
    sheet.write_text(
        "nombre;tipología;sector;contacto;teléfono\n"
        "Huerto Los Girasoles;Ambiental;5;Pía Soto;987000111\n"
        "Taller Roto;Cultural;3;Eva Soto;12345\n",
        encoding="utf-8",
    )
    page.goto("/verificacion/importar/")
    page.get_by_label("Sheet (CSV or XLSX)").set_input_files(str(sheet))
    page.get_by_role("button", name="Import", exact=True).click()
    report = page.locator("#import-progress")
    expect(report).to_contain_text("Organizations created: 1 (of 2 rows)")
    expect(report.get_by_role("cell", name="3", exact=True)).to_be_visible()
