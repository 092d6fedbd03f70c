"""Correcting a fundraising event's details from its page: stale forms refused, bad input
kept, only the district's coordinators, and the admin read-only."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from interventions.models import FundraisingEvent
from interventions.services.events import event_update
from santaanita.versioned import StaleEdit
from tests.factories import UserFactory
from tests.factories import signed_in as _login
from tests.factories_interventions import FundraisingEventFactory

pytestmark = pytest.mark.django_db


def _edit_data(event: FundraisingEvent, **changes: str) -> dict[str, str]:
    """What the edit form sends back untouched, with ``changes`` typed over it."""
    data = {
        "edit-version": str(event.version),
        "edit-name": event.name,
        "edit-date": event.date.isoformat(),
        "edit-place": event.place,
        "edit-description": event.description,
    }
    data.update({f"edit-{name}": value for name, value in changes.items()})
    return data


def _t(msgid: str) -> str:
    """The text as the page shows it (Spanish first), whether or not it is translated yet."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(msgid)


def _url(event: FundraisingEvent) -> str:
    return reverse("interventions:event-detail", args=[event.pk])


def _edit_url(event: FundraisingEvent) -> str:
    return reverse("interventions:event-edit", args=[event.pk])


def _stored(event: FundraisingEvent) -> tuple[str, date, str, str, int]:
    event.refresh_from_db()
    return (event.name, event.date, event.place, event.description, event.version)


def test_coordinator_corrects_the_event_and_the_page_shows_it(client):
    event = FundraisingEventFactory(name="Desayuno", place="Municipalidad")
    _login(client, "coordinator")
    page = client.get(_url(event))
    assert page.context["edit_form"].initial["version"] == 0
    assert 'name="edit-version"' in page.content.decode()
    response = client.post(
        _edit_url(event),
        _edit_data(
            event,
            name="Desayuno empresarial 2026",
            date="2026-04-15",
            place="Club Zonal Huaycán",
            description="Con el alcalde",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == _url(event)
    assert _stored(event) == (
        "Desayuno empresarial 2026",
        date(2026, 4, 15),
        "Club Zonal Huaycán",
        "Con el alcalde",
        1,
    )
    shown = client.get(_url(event)).content.decode()
    assert "<h1>Desayuno empresarial 2026</h1>" in shown
    assert "Club Zonal Huaycán" in shown


def test_a_form_sent_without_changes_keeps_the_version(client):
    event = FundraisingEventFactory()
    _login(client, "coordinator")
    assert client.post(_edit_url(event), _edit_data(event)).status_code == 302
    assert _stored(event)[-1] == 0


def test_a_stale_form_is_refused_keeps_the_values_then_replaces_the_change_when_sent_again(
    client,
):
    event = FundraisingEventFactory(name="Desayuno", place="Municipalidad")
    _login(client, "coordinator")
    read = client.get(_url(event)).context["edit_form"]
    data = _edit_data(event, name="Desayuno de abril", place="Club Zonal")
    assert data["edit-version"] == str(read.initial["version"])
    # A colleague moves the event to another date while this form is open.
    event_update(
        actor=UserFactory(role="coordinator"),
        event=event,
        version=0,
        name="Desayuno",
        date=date(2026, 5, 2),
        place="Municipalidad",
    )

    response = client.post(_edit_url(event), data)
    assert response.status_code == 200
    form = response.context["edit_form"]
    assert form.non_field_errors()
    page = response.content.decode()
    assert 'value="Desayuno de abril"' in page
    assert 'value="Club Zonal"' in page
    # The page above the form shows the event as stored, the colleague's date included.
    assert response.context["event"].date == date(2026, 5, 2)
    assert _stored(event) == ("Desayuno", date(2026, 5, 2), "Municipalidad", "", 1)
    # The form now carries the current version: sending it again is a deliberate overwrite.
    assert form.data["edit-version"] == "1"

    assert client.post(_edit_url(event), dict(form.data.items())).status_code == 302
    # The form still had the date it was read with, so sending it again restores it too.
    assert _stored(event) == ("Desayuno de abril", date(2026, 3, 10), "Club Zonal", "", 2)


def test_the_same_correction_sent_twice_is_made_once_without_an_error(client):
    event = FundraisingEventFactory(name="Desayuno")
    _login(client, "coordinator")
    page = client.get(_url(event)).content.decode()
    assert 'name="once"' in page
    # A double tap: both copies carry the same once-token and the version read before.
    data = {**_edit_data(event, name="Desayuno empresarial"), "once": uuid.uuid4().hex}
    first = client.post(_edit_url(event), data)
    assert (first.status_code, first["Location"]) == (302, _url(event))
    again = client.post(_edit_url(event), data, follow=True)
    assert again.redirect_chain == [(_url(event), 302)]  # lands where the first copy did
    shown = [str(m) for m in again.context["messages"]]
    assert _t("This form had already been sent; it was recorded once.") in shown
    assert not again.context["edit_form"].errors  # no "someone else changed this event"
    assert _stored(event)[::4] == ("Desayuno empresarial", 1)


def test_the_service_refuses_a_stale_version():
    event = FundraisingEventFactory(name="Desayuno")
    coordinator = UserFactory(role="coordinator")
    event_update(actor=coordinator, event=event, version=0, name="Desayuno 1", date=event.date)
    with pytest.raises(StaleEdit) as refused:
        event_update(actor=coordinator, event=event, version=0, name="Desayuno 2", date=event.date)
    assert refused.value.current.name == "Desayuno 1"
    # Like pledge_update: the version decides, even for a form asking for what is stored.
    with pytest.raises(StaleEdit):
        event_update(actor=coordinator, event=event, version=0, name="Desayuno 1", date=event.date)
    assert _stored(event)[::4] == ("Desayuno 1", 1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "   "}, "name"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": ""}, "date"),
    ],
)
def test_bad_input_keeps_what_was_typed_with_a_message_next_to_the_field(client, changes, field):
    event = FundraisingEventFactory(name="Desayuno", place="Municipalidad")
    _login(client, "coordinator")
    typed = {"place": "Club Zonal", "description": "Traer el proyector", **changes}
    response = client.post(_edit_url(event), _edit_data(event, **typed))
    assert response.status_code == 200
    assert field in response.context["edit_form"].errors
    page = response.content.decode()
    # The message is tied to its field (shown beside it and announced with it).
    assert f'aria-describedby="id_edit-{field}_error"' in page
    assert f'id="id_edit-{field}_error"' in page
    assert 'value="Club Zonal"' in page
    assert "Traer el proyector</textarea>" in page
    if changes.get("date"):
        assert f'value="{changes["date"]}"' in page
    # The heading keeps the stored event, not what was typed.
    assert "<h1>Desayuno</h1>" in page
    assert _stored(event) == ("Desayuno", date(2026, 3, 10), "Municipalidad", "", 0)


@pytest.mark.ladder("interventions:event-edit")
def test_correcting_an_event_on_the_permission_ladder(client, other_district):
    event = FundraisingEventFactory(name="Desayuno")
    data = _edit_data(event, name="Otro nombre")
    response = client.post(_edit_url(event), data)
    assert response.status_code == 302
    assert "/cuentas/" in response["Location"]  # anonymous: to the sign-in page
    _login(client, "resident")  # may not know the event exists, like a pledge
    assert client.post(_edit_url(event), data).status_code == 404
    client.logout()
    _login(client, "coordinator", district=other_district)
    assert client.post(_edit_url(event), data).status_code == 404
    client.logout()
    # Someone who may read events but not change them sees no form and is refused.
    reader = _login(client)
    reader.user_permissions.add(Permission.objects.get(codename="view_fundraisingevent"))
    page = client.get(_url(event))
    assert page.status_code == 200
    assert "edit-version" not in page.content.decode()
    assert client.post(_edit_url(event), data).status_code == 403
    assert _stored(event)[::4] == ("Desayuno", 0)


def test_the_admin_cannot_add_change_or_delete_an_event(client):
    event = FundraisingEventFactory(name="Desayuno")
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    change_url = reverse("admin:interventions_fundraisingevent_change", args=[event.pk])
    page = client.get(change_url)
    assert page.status_code == 200  # superusers still read it, invitations included
    assert 'name="_save"' not in page.content.decode()
    fields = {"district": event.district_id, "name": "Cambiado", "date": "2026-01-01"}
    assert client.post(change_url, fields).status_code == 403
    add_url = reverse("admin:interventions_fundraisingevent_add")
    assert client.post(add_url, fields).status_code == 403
    delete_url = reverse("admin:interventions_fundraisingevent_delete", args=[event.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert FundraisingEvent.objects.count() == 1
    assert _stored(event)[::4] == ("Desayuno", 0)
