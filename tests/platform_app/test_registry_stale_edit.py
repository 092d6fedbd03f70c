"""An organization edit sent from a form read before someone else's save is not saved over
that change; the form comes back with what was typed and the current version, so sending it
again, knowingly, replaces the other change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from platform_app.models import Organization
from platform_app.services.registry import ContactData, organization_update
from tests.factories import UserFactory
from tests.factories_registry import CampaignFactory, ContactFactory, OrganizationFactory

KEPT = "Sus valores se conservan abajo; envíelos de nuevo para reemplazar ese cambio."


@pytest.fixture
def organization(santa_anita) -> Organization:
    CampaignFactory()
    organization = OrganizationFactory(
        name="Club Los Halcones", address="Av. Huarochirí 100", members_count=12
    )
    ContactFactory(organization=organization, name="Rosa Quispe", phone="+51987654321")
    return organization


def _form_data(client, url: str) -> dict:
    """What the form shows when it is opened, as the browser would send it back."""
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and name != "age_groups"
    }
    data.update(sector=str(form.initial["sector"]), legal_status="informal")
    return data


def _someone_else_changes(organization: Organization) -> None:
    organization_update(
        organization=organization,
        fields={"members_count": 40},
        contact=ContactData(name="Rosa Quispe", phone="+51987654321"),
        actor=UserFactory(role="desk"),
        version=organization.version,
    )


def _assert_stale_then_resent(client, url: str, organization: Organization, typed: dict) -> None:
    read = typed["version"]
    _someone_else_changes(organization)

    stale = client.post(url, typed)
    assert stale.status_code == 200
    organization.refresh_from_db()
    assert (organization.address, organization.members_count) == ("Av. Huarochirí 100", 40)
    page = stale.content.decode()
    assert KEPT in page
    assert "Jr. Los Ficus 245" in page  # what was typed is still on the form
    form = stale.context["form"]
    assert form["version"].value() == str(organization.version) != str(read)

    resent = client.post(url, form.data)
    assert resent.status_code == 302
    organization.refresh_from_db()
    # Sent again knowingly: the typed values replace the other change, members included.
    assert (organization.address, organization.members_count) == ("Jr. Los Ficus 245", 12)
    assert organization.version == read + 2


@pytest.mark.django_db
def test_a_stale_desk_edit_keeps_what_was_typed_and_a_resend_saves_it(client, organization):
    client.force_login(UserFactory(role="desk"))
    url = reverse("platform_app:desk-edit", args=[organization.registration_code])
    typed = {**_form_data(client, url), "address": "Jr. Los Ficus 245"}
    _assert_stale_then_resent(client, url, organization, typed)


@pytest.mark.django_db
def test_a_stale_representative_edit_keeps_what_was_typed_and_a_resend_saves_it(
    client, organization
):
    representative = UserFactory(role="representative")
    organization.representatives.add(representative)
    client.force_login(representative)
    url = reverse("platform_app:organization-edit", args=[organization.registration_code])
    typed = {**_form_data(client, url), "address": "Jr. Los Ficus 245"}
    _assert_stale_then_resent(client, url, organization, typed)
