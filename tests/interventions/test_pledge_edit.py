"""Correcting a pledge's terms from its page: history kept, stale forms refused, admin read-only."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from interventions.models import Pledge, PledgeChange
from interventions.services.pledges import pledge_allocate, pledge_set_state
from tests.factories import UserFactory
from tests.factories import signed_in as _login
from tests.factories_interventions import KitItemFactory, PledgeFactory

pytestmark = pytest.mark.django_db


def _edit_data(pledge: Pledge, **changes: str) -> dict[str, str]:
    """What the edit form sends back untouched, with ``changes`` typed over it."""
    data = {
        "edit-version": str(pledge.version),
        "edit-event": "",
        "edit-kind": pledge.kind,
        "edit-currency": pledge.currency,
        "edit-amount": str(pledge.amount or ""),
        "edit-exchange_rate": str(pledge.exchange_rate),
        "edit-rate_date": pledge.rate_date.isoformat(),
        "edit-description": pledge.description,
        "edit-quantity": "",
        "edit-unit": pledge.unit,
        "edit-estimated_value_pen": "",
        "edit-note": pledge.note,
        "edit-reason": "",
    }
    data.update({f"edit-{name}": value for name, value in changes.items()})
    return data


def _url(pledge: Pledge) -> str:
    return reverse("interventions:pledge-detail", args=[pledge.pk])


def _edit_url(pledge: Pledge) -> str:
    return reverse("interventions:pledge-edit", args=[pledge.pk])


def test_coordinator_corrects_the_amount_and_the_history_shows_it(client):
    pledge = PledgeFactory(amount=Decimal("1000.00"))
    user = _login(client, "coordinator")
    response = client.post(
        _edit_url(pledge), _edit_data(pledge, amount="1500", reason="Acta del directorio")
    )
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.amount == Decimal("1500.00")
    assert pledge.value_pen == Decimal("1500.00")
    assert pledge.version == 1
    change = PledgeChange.objects.get(pledge=pledge)
    assert change.action == PledgeChange.Action.UPDATED
    assert change.by == user
    # "1500" typed and "1000.00" stored are compared as amounts: one change, to 1500.00.
    assert change.changes == {"amount": ["1000.00", "1500.00"]}
    page = client.get(_url(pledge)).content.decode()
    assert "1000.00 → 1500.00" in page
    assert "Acta del directorio" in page


def test_a_form_sent_without_changes_writes_no_history(client):
    pledge = PledgeFactory()
    _login(client, "coordinator")
    assert client.post(_edit_url(pledge), _edit_data(pledge)).status_code == 302
    assert not PledgeChange.objects.exists()
    pledge.refresh_from_db()
    assert pledge.version == 0


def test_bad_input_keeps_what_was_typed_and_changes_nothing(client):
    pledge = PledgeFactory(amount=Decimal("1000.00"))
    _login(client, "coordinator")
    response = client.post(
        _edit_url(pledge),
        _edit_data(pledge, kind="in_kind", amount="", description="", unit="sacos", note="Ojo"),
    )
    assert response.status_code == 200
    form = response.context["edit_form"]
    assert "description" in form.errors
    page = response.content.decode()
    assert 'value="sacos"' in page
    assert "Ojo</textarea>" in page
    pledge.refresh_from_db()
    assert (pledge.kind, pledge.amount) == (Pledge.Kind.MONEY, Decimal("1000.00"))
    assert not PledgeChange.objects.exists()


def test_a_pledge_cannot_be_corrected_below_what_is_allocated(client):
    pledge = PledgeFactory(amount=Decimal("1000.00"))
    pledge_allocate(
        pledge=pledge,
        item=KitItemFactory(quantity=Decimal("10"), unit_cost_pen=Decimal("100")),
        amount_pen=Decimal("600.00"),
        by=None,
    )
    pledge.refresh_from_db()
    _login(client, "coordinator")
    response = client.post(_edit_url(pledge), _edit_data(pledge, amount="500.00"))
    assert response.status_code == 200
    errors = response.context["edit_form"].errors["amount"]
    assert any("600.00" in error for error in errors)
    assert 'value="500.00"' in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.amount == Decimal("1000.00")


def test_the_same_correction_sent_twice_is_made_once_without_an_error(client):
    pledge = PledgeFactory(amount=Decimal("1000.00"))
    _login(client, "coordinator")
    page = client.get(_url(pledge)).content.decode()
    assert page.count('name="once"') == 3  # state, terms and documents
    # A double tap: both copies carry the same once-token and the version read before.
    data = {**_edit_data(pledge, amount="1500.00"), "once": uuid.uuid4().hex}
    assert client.post(_edit_url(pledge), data)["Location"] == _url(pledge)
    again = client.post(_edit_url(pledge), data, follow=True)
    assert again.redirect_chain == [(_url(pledge), 302)]  # lands where the first copy did
    assert not again.context["edit_form"].errors  # no "someone else changed this pledge"
    pledge.refresh_from_db()
    assert (pledge.amount, pledge.version) == (Decimal("1500.00"), 1)
    assert PledgeChange.objects.filter(pledge=pledge).count() == 1


def test_a_stale_form_is_refused_then_replaces_the_change_when_sent_again(client):
    pledge = PledgeFactory(amount=Decimal("1000.00"), state=Pledge.State.PLEDGED)
    _login(client, "coordinator")
    read = client.get(_url(pledge)).context["edit_form"]
    data = _edit_data(pledge, amount="1200.00")
    assert data["edit-version"] == str(read.initial["version"])
    # A colleague confirms the pledge while this form is open.
    pledge_set_state(
        pledge=pledge, state=Pledge.State.CONFIRMED, by=UserFactory(role="coordinator")
    )

    response = client.post(_edit_url(pledge), data)
    assert response.status_code == 200
    form = response.context["edit_form"]
    assert form.non_field_errors()
    assert 'value="1200.00"' in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.amount == Decimal("1000.00")
    assert pledge.state == Pledge.State.CONFIRMED
    # The form now carries the current version: sending it again is a deliberate overwrite.
    assert form.data["edit-version"] == str(pledge.version)

    assert client.post(_edit_url(pledge), dict(form.data.items())).status_code == 302
    pledge.refresh_from_db()
    assert pledge.amount == Decimal("1200.00")
    assert pledge.state == Pledge.State.CONFIRMED
    assert list(pledge.history.values_list("action", flat=True)) == ["state", "updated"]


@pytest.mark.ladder("interventions:pledge-edit")
def test_correcting_a_pledge_on_the_permission_ladder(client, other_district):
    pledge = PledgeFactory(amount=Decimal("1000.00"))
    data = _edit_data(pledge, amount="9999.00")
    response = client.post(_edit_url(pledge), data)
    assert response.status_code == 302
    assert "/cuentas/" in response["Location"]  # anonymous: to the sign-in page
    _login(client, "resident")
    assert client.post(_edit_url(pledge), data).status_code == 404
    client.logout()
    _login(client, "coordinator", district=other_district)
    assert client.post(_edit_url(pledge), data).status_code == 404
    client.logout()
    # Someone who may read pledges but not change them sees no form and is refused.
    reader = _login(client)
    reader.user_permissions.add(Permission.objects.get(codename="view_pledge"))
    page = client.get(_url(pledge))
    assert page.status_code == 200
    assert "edit-version" not in page.content.decode()
    assert client.post(_edit_url(pledge), data).status_code == 403
    pledge.refresh_from_db()
    assert pledge.amount == Decimal("1000.00")
    assert not PledgeChange.objects.exists()


def test_the_admin_cannot_change_or_delete_a_pledge(client):
    pledge = PledgeFactory(amount=Decimal("1000.00"))
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    change_url = reverse("admin:interventions_pledge_change", args=[pledge.pk])
    page = client.get(change_url)
    assert page.status_code == 200  # superusers still read it, history included
    assert 'name="_save"' not in page.content.decode()
    response = client.post(
        change_url,
        {
            "company": pledge.company_id,
            "kind": "money",
            "currency": "PEN",
            "amount": "5.00",
            "exchange_rate": "3.75",
            "rate_date": "2026-03-10",
            "state": "confirmed",
        },
    )
    assert response.status_code == 403
    delete_url = reverse("admin:interventions_pledge_delete", args=[pledge.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    pledge.refresh_from_db()
    assert pledge.amount == Decimal("1000.00")


def test_the_admin_shows_the_history_and_never_changes_or_erases_a_line(client):
    pledge = PledgeFactory(amount=Decimal("1000.00"))
    pledge_set_state(pledge=pledge, state=Pledge.State.RECEIVED, by=None, note="Carta firmada")
    change = PledgeChange.objects.get()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    # On the pledge's page the history inline is read-only: no inputs, no delete boxes.
    page = client.get(reverse("admin:interventions_pledge_change", args=[pledge.pk]))
    html = page.content.decode()
    assert "Carta firmada" in html
    assert 'name="history-0-note"' not in html
    assert 'name="history-0-DELETE"' not in html
    assert page.context["inline_admin_formsets"][1].has_delete_permission is False
    # Its own admin: read, but no add, change or delete.
    change_url = reverse("admin:interventions_pledgechange_change", args=[change.pk])
    assert client.get(change_url).status_code == 200
    assert client.post(change_url, {"note": "Otra cosa"}).status_code == 403
    assert client.post(reverse("admin:interventions_pledgechange_add"), {}).status_code == 403
    delete_url = reverse("admin:interventions_pledgechange_delete", args=[change.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    change.refresh_from_db()
    assert change.note == "Carta firmada"
