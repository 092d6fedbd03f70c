"""The results dashboard: its query count does not grow with the data, every district has
its row in the comparison, the platform counts as installed only with an approved role
guide and an active work plan, and only coordinators see pledges by state."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interventions import dashboard
from interventions.perception.services import figures_changed
from platform_app.models import District
from tests.factories_interventions import (
    BudgetLineFactory,
    CompanyFactory,
    InterventionFactory,
    KitItemFactory,
    PledgeFactory,
)

pytestmark = pytest.mark.django_db


def _grow(n: int) -> None:
    for _ in range(n):
        item = KitItemFactory()
        pledge = PledgeFactory(company=CompanyFactory(), amount=Decimal("2000"))
        from interventions.services.pledges import pledge_allocate

        pledge_allocate(pledge=pledge, item=item, amount_pen=Decimal("100"), by=None)
        BudgetLineFactory(intervention=item.kit.intervention)
        InterventionFactory()


@pytest.mark.parametrize(
    "url_name",
    ["interventions:results", "interventions:results-compare", "interventions:company-list"],
)
def test_dashboard_query_count_does_not_grow_with_the_data(client, url_name):
    from tests.factories import UserFactory

    client.force_login(UserFactory(role="coordinator"))
    _grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(url_name)).status_code == 200
    _grow(20)
    figures_changed()  # the dashboard caches its figures: measure computing them again
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse(url_name)).status_code == 200
    assert len(large) == len(small)


def test_compare_table_has_every_district(client):
    response = client.get(reverse("interventions:results-compare"))
    assert response.content.decode().count("/resultados/") >= District.objects.count()


def test_platform_installed_needs_an_approved_role_guide_and_an_active_work_plan(santa_anita):
    figures = dashboard.figures_by_district([santa_anita.pk])[santa_anita.pk]
    target = next(t for t in figures.targets() if t.key == "platform")
    assert target.measurable
    assert target.value == 0


def test_platform_counts_as_installed_with_an_approved_guide_and_an_active_work_plan(santa_anita):
    from datetime import date

    from platform_app.models.workplan import Activity, Objective, RoleGuideVersion

    RoleGuideVersion.objects.create(district=santa_anita, number=1, status="approved")
    objective = Objective.objects.create(district=santa_anita, axis="platform", title="Sesiones")
    activity = Activity.objects.create(
        objective=objective,
        title="Sesión mensual",
        starts_on=date(2026, 1, 1),
        due_on=date(2026, 12, 31),
        status="cancelled",
    )
    figures = dashboard.figures_by_district([santa_anita.pk])[santa_anita.pk]
    assert (figures.role_guide_approved, figures.work_plan_active) == (True, False)
    activity.status = "in_progress"
    activity.save()
    figures = dashboard.figures_by_district([santa_anita.pk])[santa_anita.pk]
    target = next(t for t in figures.targets() if t.key == "platform")
    assert target.value == 1
    assert target.reached


def test_results_page_is_public_and_coordinators_see_pledges_by_state(client):
    PledgeFactory(state="received")
    public = client.get(reverse("interventions:results")).content.decode()
    assert "Compromisos por estado" not in public
    from tests.factories import UserFactory

    client.force_login(UserFactory(role="coordinator"))
    assert "Compromisos por estado" in client.get(reverse("interventions:results")).content.decode()
    other = District.objects.get(ubigeo="150103")
    page = client.get(reverse("interventions:results-district", args=[other.slug]))
    assert page.status_code == 200
    assert "Compromisos por estado" not in page.content.decode()  # not their district
