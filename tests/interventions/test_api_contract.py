"""Fields of the interventions API that may be empty are declared nullable and served so."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_leads_and_the_guide_s_organization_are_declared_nullable(client):
    components = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    intervention = components["Intervention"]["properties"]
    assert intervention["lead_organization"]["nullable"] is True
    assert intervention["lead_team"]["nullable"] is True
    guide = components["MaintenanceGuide"]["properties"]
    assert guide["responsible_organization"]["nullable"] is True
