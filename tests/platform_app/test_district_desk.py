"""The registration desk's address, hours and phone are district settings, edited in the
administration through their service (the phone stored as +51…)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_saves_the_desk_contact_through_its_service(client, santa_anita):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:platform_app_district_change", args=[santa_anita.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "boundary"}
    data.update(
        {
            "boundary": "",
            "desk_address": "Palacio Municipal",
            "desk_hours": "Lunes a viernes",
            "desk_phone": "01 363-0000",
            "sectors-TOTAL_FORMS": "0",
            "sectors-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    santa_anita.refresh_from_db()
    assert (santa_anita.desk_address, santa_anita.desk_phone) == (
        "Palacio Municipal",
        "+5113630000",
    )
