"""The public side of the interventions API on the permission ladder: companies,
interventions, kits, guides, the results and the perception survey's open data are the same
for a visitor, a resident, another district's coordinator and the district's own
coordinator; a cancelled intervention's kit and guide are gone for all of them, and no
company's contact is ever in the answer."""

from __future__ import annotations

import pytest

from interventions.models import Intervention
from platform_app.permissions import Role
from tests.factories import signed_in
from tests.factories_interventions import (
    CompanyFactory,
    InterventionFactory,
    KitItemFactory,
    MaintenanceGuideFactory,
)

pytestmark = pytest.mark.django_db

RUNGS = ((Role.RESIDENT, None), (Role.COORDINATOR, "other"), (Role.COORDINATOR, None))


def _everyone_reads_the_same(client, other_district, urls: list[str]) -> list[object]:
    anonymous = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        anonymous.append(response.json())
    for role, where in RUNGS:
        signed_in(client, role, district=other_district if where else None)
        assert [client.get(url).json() for url in urls] == anonymous
        client.logout()
    return anonymous


@pytest.mark.ladder("company-list", "company-detail")
def test_companies_are_public_without_their_contact(client, other_district):
    company = CompanyFactory(name="Ferretería El Sol S.A.C.", contact_email="gerencia@elsol.pe")
    listed, detail = _everyone_reads_the_same(
        client, other_district, ["/api/companies/", f"/api/companies/{company.pk}/"]
    )
    assert detail["name"] == "Ferretería El Sol S.A.C."
    assert "gerencia@elsol.pe" not in str(listed) + str(detail)
    assert "Jorge Salinas" not in str(listed) + str(detail)


@pytest.mark.ladder(
    "intervention-list", "intervention-detail", "kit-list", "kit-detail", "guide-list",
    "guide-detail",
)  # fmt: skip
def test_interventions_kits_and_guides_are_public_until_cancelled(client, other_district):
    item = KitItemFactory()
    intervention = item.kit.intervention
    guide = MaintenanceGuideFactory(intervention=intervention)
    urls = [
        "/api/interventions/",
        f"/api/interventions/{intervention.pk}/",
        "/api/kits/",
        f"/api/kits/{item.kit.pk}/",
        "/api/guides/",
        f"/api/guides/{guide.pk}/",
    ]
    answers = _everyone_reads_the_same(client, other_district, urls)
    assert answers[1]["title"] == intervention.title
    assert [kit["id"] for kit in answers[2]["results"]] == [item.kit.pk]

    Intervention.objects.filter(pk=intervention.pk).update(status=Intervention.Status.CANCELLED)
    signed_in(client, Role.COORDINATOR)
    assert client.get(f"/api/kits/{item.kit.pk}/").status_code == 404
    assert client.get(f"/api/guides/{guide.pk}/").status_code == 404
    assert client.get("/api/kits/").json()["results"] == []


@pytest.mark.ladder("results-list", "results-detail", "perception-answer-list", "cohesion-list")
def test_results_and_open_data_are_the_same_for_everyone(client, other_district):
    InterventionFactory(status=Intervention.Status.FINISHED)
    urls = [
        "/api/results/",
        "/api/results/150137/",
        "/api/perception-answers/?district=150137",
        "/api/cohesion/?district=150137",
    ]
    answers = _everyone_reads_the_same(client, other_district, urls)
    assert answers[1]["name"] == "Santa Anita"
