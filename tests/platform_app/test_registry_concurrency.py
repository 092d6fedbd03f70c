"""Two desk clerks submitting the same organization at the same moment leave one record.

On PostgreSQL (READ COMMITTED) a check-then-insert lets both transactions pass the check;
the partial unique index on (district, normalised name) makes the second INSERT wait for
the first and fail, and the service turns that into DuplicateOrganizationError.
"""

from __future__ import annotations

import threading
import uuid

from django.db import connection

from platform_app.models import Contact, Organization
from platform_app.services.registry import (
    ContactData,
    DuplicateOrganizationError,
    organization_register,
)
from tests.conftest import TRANSACTIONAL
from tests.factories import UserFactory
from tests.factories_registry import santa_anita

pytestmark = TRANSACTIONAL


def test_two_clerks_registering_the_same_organization_at_once_leave_one_record():
    district = santa_anita()
    clerks = [UserFactory(role="desk"), UserFactory(role="desk")]
    names = ["Asoc. Vecinal Los Ficus", "Asociación vecinal los Ficus"]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit(index: int) -> None:
        try:
            barrier.wait(timeout=5)
            organization_register(
                district=district,
                fields={
                    "name": names[index],
                    "typology": Organization.Typology.NEIGHBOURHOOD,
                    "sector": district.sectors.get(number=2),
                    "directory_consent": True,
                },
                contact=ContactData(name=f"Vecina {index}", phone="+51987654321"),
                channel=Organization.Channel.DESK,
                submission_token=uuid.uuid4(),  # two different forms, not a double click
                actor=clerks[index],
            )
            result = "created"
        except DuplicateOrganizationError:
            result = "duplicate"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["created", "duplicate"]
    assert Organization.objects.count() == 1
    assert Contact.objects.count() == 1


def test_the_same_form_submitted_twice_at_once_creates_one_record():
    district = santa_anita()
    token = uuid.uuid4()
    barrier = threading.Barrier(2)
    codes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=5)
            result = organization_register(
                district=district,
                fields={
                    "name": "Club Deportivo Santa Rosa",
                    "typology": Organization.Typology.SPORTS,
                    "directory_consent": False,
                },
                contact=None,
                channel=Organization.Channel.ONLINE,
                submission_token=token,
            )
            codes.append(result.organization.registration_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(codes) == 2
    assert codes[0] == codes[1]
    assert Organization.objects.count() == 1
