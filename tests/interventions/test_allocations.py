"""Pledges are never spent twice, items never over-funded, stock never negative."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from interventions.models import Allocation, KitItem, Pledge, PledgeChange
from interventions.services.pledges import (
    AllocationError,
    pledge_allocate,
    pledge_set_state,
    pledge_update,
)
from interventions.services.works import kit_deliver
from tests.conftest import TRANSACTIONAL
from tests.factories_interventions import KitItemFactory, PledgeFactory


def _png() -> ContentFile[bytes]:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 0, 0, 255)).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="signature.png")


@pytest.mark.django_db
def test_allocation_beyond_what_is_left_is_refused_with_a_clear_message():
    pledge = PledgeFactory(amount=Decimal("1000.00"))
    item = KitItemFactory(quantity=Decimal("30"), unit_cost_pen=Decimal("100.00"))
    pledge_allocate(pledge=pledge, item=item, amount_pen=Decimal("700.00"), by=None)
    with pytest.raises(AllocationError) as excinfo:
        pledge_allocate(pledge=pledge, item=item, amount_pen=Decimal("300.01"), by=None)
    assert "300.00" in excinfo.value.messages[0]
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.PARTLY_USED


@pytest.mark.django_db
def test_item_is_never_funded_beyond_its_cost():
    pledge = PledgeFactory(amount=Decimal("5000.00"))
    item = KitItemFactory(quantity=Decimal("2"), unit_cost_pen=Decimal("100.00"))
    with pytest.raises(AllocationError, match=r"200\.00"):
        pledge_allocate(pledge=pledge, item=item, amount_pen=Decimal("250.00"), by=None)


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["pledged", "withdrawn", "fully_used"])
def test_pledges_not_confirmed_cannot_be_allocated(state):
    pledge = PledgeFactory(state=state)
    item = KitItemFactory()
    with pytest.raises(AllocationError):
        pledge_allocate(pledge=pledge, item=item, amount_pen=Decimal("10.00"), by=None)
    assert not Allocation.objects.exists()


@pytest.mark.django_db
def test_every_change_of_a_pledge_is_kept_in_history():
    from interventions.services.pledges import pledge_create
    from tests.factories import UserFactory
    from tests.factories_interventions import CompanyFactory

    user = UserFactory(role="coordinator")
    pledge = pledge_create(
        by=user,
        company=CompanyFactory(),
        kind="money",
        currency="PEN",
        amount=Decimal("800.00"),
        exchange_rate=Decimal("3.75"),
        rate_date=date(2026, 3, 10),
    )
    pledge = pledge_set_state(pledge=pledge, state="confirmed", by=user, note="Carta firmada")
    pledge_update(
        pledge=pledge, by=user, fields={"amount": Decimal("900.00")}, version=pledge.version
    )
    pledge_allocate(pledge=pledge, item=KitItemFactory(), amount_pen=Decimal("900.00"), by=user)
    history = list(PledgeChange.objects.filter(pledge=pledge).order_by("pk"))
    assert [h.action for h in history] == ["created", "state", "updated", "allocated"]
    assert history[1].changes["state"] == ["pledged", "confirmed"]
    assert history[2].changes["amount"] == ["800.00", "900.00"]
    assert history[3].changes["state"] == ["confirmed", "fully_used"]
    assert all(h.by == user for h in history)
    with pytest.raises(ValidationError):
        pledge_set_state(pledge=pledge, state="withdrawn", by=user)


@pytest.mark.django_db
def test_delivery_cannot_exceed_stock_and_needs_a_signature():
    item = KitItemFactory(quantity=Decimal("5"))
    kit_deliver(
        item=item,
        quantity=Decimal("3"),
        date=date(2026, 5, 1),
        received_by="Ana",
        signature=_png(),
        by=None,
    )
    with pytest.raises(ValidationError, match="2"):
        kit_deliver(
            item=item,
            quantity=Decimal("3"),
            date=date(2026, 5, 2),
            received_by="Ana",
            signature=_png(),
            by=None,
        )
    with pytest.raises(ValidationError):
        kit_deliver(
            item=item, quantity=Decimal("1"), date=date(2026, 5, 2), received_by="Ana", by=None
        )
    item.refresh_from_db()
    assert item.delivered == Decimal("3")


@pytest.mark.django_db
def test_the_database_refuses_negative_stock_even_outside_the_service():
    item = KitItemFactory(quantity=Decimal("5"))
    with pytest.raises(IntegrityError), transaction.atomic():
        KitItem.objects.filter(pk=item.pk).update(delivered=Decimal("6"))


def _race(target, n: int = 2):
    barrier = threading.Barrier(n)
    results: list[object] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@TRANSACTIONAL
def test_two_coordinators_allocating_the_last_part_of_a_pledge_at_once():
    pledge = PledgeFactory(amount=Decimal("1000.00"))
    first, second = KitItemFactory(), KitItemFactory()
    pledge_allocate(pledge=pledge, item=first, amount_pen=Decimal("400.00"), by=None)
    items = [first, second]

    # Both read "S/ 600 left" and both ask for all of it, at the same moment.
    results = _race(
        lambda i: pledge_allocate(
            pledge=Pledge.objects.get(pk=pledge.pk),
            item=KitItem.objects.get(pk=items[i].pk),
            amount_pen=Decimal("600.00"),
            by=None,
        )
    )
    successes = [r for r in results if isinstance(r, Allocation)]
    refusals = [r for r in results if isinstance(r, AllocationError)]
    assert (len(successes), len(refusals)) == (1, 1), results
    assert "0.00" in refusals[0].messages[0]
    total = Allocation.objects.filter(pledge=pledge).aggregate(s=Sum("amount_pen"))["s"]
    assert total == Decimal("1000.00")
    assert Pledge.objects.get(pk=pledge.pk).state == Pledge.State.FULLY_USED


@TRANSACTIONAL
def test_two_deliveries_of_the_last_units_at_once_deliver_once():
    item = KitItemFactory(quantity=Decimal("4"))
    results = _race(
        lambda i: kit_deliver(
            item=KitItem.objects.get(pk=item.pk),
            quantity=Decimal("4"),
            date=date(2026, 5, 1),
            received_by=f"Persona {i}",
            signature=_png(),
            by=None,
        )
    )
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    item.refresh_from_db()
    assert item.delivered == Decimal("4")
    assert item.deliveries.count() == 1


@pytest.mark.django_db
def test_the_admin_cannot_add_change_or_delete_allocations_or_deliveries(client):
    from django.urls import reverse

    from interventions.models import KitDelivery
    from tests.factories import UserFactory

    pledge = PledgeFactory(amount=Decimal("1000.00"))
    item = KitItemFactory(quantity=Decimal("4"), unit_cost_pen=Decimal("100.00"))
    allocation = pledge_allocate(pledge=pledge, item=item, amount_pen=Decimal("400.00"), by=None)
    delivery = kit_deliver(
        item=item,
        quantity=Decimal("4"),
        date=date(2026, 5, 1),
        received_by="Ana",
        signature=_png(),
        by=None,
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for name, obj in (("allocation", allocation), ("kitdelivery", delivery)):
        change_url = reverse(f"admin:interventions_{name}_change", args=[obj.pk])
        page = client.get(change_url)
        assert page.status_code == 200  # superusers still read it
        assert 'name="_save"' not in page.content.decode()
        assert client.post(change_url, {}).status_code == 403
        assert client.post(reverse(f"admin:interventions_{name}_add"), {}).status_code == 403
        # A deletion would skip the service: the pledge would stay "fully used" with nothing
        # allocated, the item would count units never handed over.
        delete_url = reverse(f"admin:interventions_{name}_delete", args=[obj.pk])
        assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Allocation.objects.filter(pk=allocation.pk).exists()
    assert KitDelivery.objects.filter(pk=delivery.pk).exists()
    pledge.refresh_from_db()
    item.refresh_from_db()
    assert (pledge.state, item.delivered) == (Pledge.State.PARTLY_USED, Decimal("4"))
