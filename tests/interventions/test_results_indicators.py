"""The results dashboard counts what the founding document means: verified or finished
facts only, each indicator with its definition and what is in progress beside it, the
missing indicators, the baseline figures and a breakdown per sector."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from interventions import dashboard
from interventions.models import ReferenceValue
from interventions.perception import services
from tests.factories import UserFactory
from tests.factories_interventions import (
    BudgetLineFactory,
    CompanyFactory,
    InterventionFactory,
    PledgeFactory,
)
from tests.factories_mapping import PublicSpaceFactory, SurveyFactory
from tests.factories_registry import OrganizationFactory

pytestmark = pytest.mark.django_db

FOUNDING_TARGETS = {
    "platform",
    "companies",
    "organizations",
    "new_associations",
    "spaces",
    "festival",
    "interventions",
    "large_scale",
    "private_share",
    "improved_spaces",
    "cohesion",
}


def _targets(district):
    figures = dashboard.figures_by_district([district.pk])[district.pk]
    return figures, {t.key: t for t in figures.targets()}


def _row(page: str, key: str) -> str:
    return page.split(f'data-target="{key}"')[1].split("</tr>")[0]


def test_pending_registrations_are_shown_beside_and_not_counted(client, santa_anita):
    OrganizationFactory.create_batch(3, status="verified")
    OrganizationFactory.create_batch(2, status="pending")
    OrganizationFactory(status="rejected")
    _figures, targets = _targets(santa_anita)
    assert targets["organizations"].value == 3
    row = _row(client.get(reverse("interventions:results")).content.decode(), "organizations")
    assert "<td data-value>3</td>" in row
    assert "2 inscripciones pendientes de verificación" in row
    assert "Definición:" in row


def test_only_finished_interventions_count_as_intervened(client, santa_anita):
    InterventionFactory(status="finished")
    for status in ("planned", "co_design", "execution", "closing"):
        InterventionFactory(status=status)
    InterventionFactory(status="cancelled")
    InterventionFactory(status="execution", large_scale=True)
    _figures, targets = _targets(santa_anita)
    assert targets["interventions"].value == 1
    assert targets["large_scale"].value == 0
    row = _row(client.get(reverse("interventions:results")).content.decode(), "interventions")
    assert "<td data-value>1</td>" in row
    assert "5 intervenciones en curso" in row


def test_every_indicator_of_the_founding_document_is_shown_with_goal_and_definition(
    client, santa_anita
):
    page = client.get(reverse("interventions:results")).content.decode()
    _figures, targets = _targets(santa_anita)
    assert set(targets) == FOUNDING_TARGETS
    for key, target in targets.items():
        row = _row(page, key)
        assert "Definición:" in row, key
        assert f"<td>{target.goal}{target.unit}</td>" in row, key
    assert "Cohesión social" in page  # the sector table's column
    assert "Participación del sector privado por año" in page


def test_at_risk_spaces_count_as_improved_once_their_latest_survey_is_fair(santa_anita):
    long_ago = timezone.now() - timedelta(days=300)
    improved, still_bad, always_fair = PublicSpaceFactory.create_batch(3)
    for space, first, latest in ((improved, 30, 62), (still_bad, 25, 35), (always_fair, 55, 70)):
        SurveyFactory(space=space, status="verified", condition_score=first, observed_at=long_ago)
        last = SurveyFactory(space=space, status="verified", condition_score=latest)
        space.latest_verified_survey, space.condition_score = last, latest
        space.save()
    InterventionFactory(public_space=still_bad, status="execution")
    figures, targets = _targets(santa_anita)
    assert (figures.spaces_at_risk, figures.spaces_improved) == (2, 1)
    assert targets["improved_spaces"].value == Decimal("50.0")
    assert figures.spaces_at_risk_under_way == 1


def test_companies_count_with_confirmed_pledges_by_the_results_year(santa_anita):
    services.impact_plan_set(actor=None, district=santa_anita, first_year=2024, results_year=2026)
    counted, promised, late = CompanyFactory.create_batch(3)
    rate = Decimal("3.75")
    PledgeFactory(
        company=counted,
        currency="USD",
        amount=Decimal("6000"),
        exchange_rate=rate,
        rate_date=date(2026, 3, 1),
        state="confirmed",
    )
    PledgeFactory(
        company=promised,
        currency="USD",
        amount=Decimal("8000"),
        exchange_rate=rate,
        rate_date=date(2026, 3, 1),
        state="pledged",
    )
    PledgeFactory(
        company=late,
        currency="USD",
        amount=Decimal("8000"),
        exchange_rate=rate,
        rate_date=date(2027, 1, 5),
        state="received",
    )
    figures, targets = _targets(santa_anita)
    assert targets["companies"].value == 1
    assert figures.companies_unconfirmed == 1
    assert "2026" in str(targets["companies"].label)


def test_private_share_is_shown_per_year_of_the_five_year_period(client, santa_anita):
    year = timezone.localdate().year
    services.impact_plan_set(
        actor=None, district=santa_anita, first_year=year - 1, results_year=year
    )
    finished = InterventionFactory(status="finished", starts_on=date(year, 1, 10))
    BudgetLineFactory(intervention=finished, source="private", amount_pen=Decimal("300"))
    BudgetLineFactory(intervention=finished, source="municipal", amount_pen=Decimal("700"))
    under_way = InterventionFactory(status="execution", starts_on=date(year, 2, 1))
    BudgetLineFactory(intervention=under_way, source="private", amount_pen=Decimal("5000"))
    figures, targets = _targets(santa_anita)
    assert [y.year for y in figures.year_shares] == list(range(year - 1, year + 4))
    assert figures.years[year].share == Decimal("30.0")
    assert figures.years[year].reached
    assert targets["private_share"].value == Decimal("30.0")  # the unfinished one waits
    page = client.get(reverse("interventions:results")).content.decode()
    assert f'data-year="{year}"' in page


def test_baseline_figures_are_shown_with_date_and_source_and_coordinators_edit_them(
    client, santa_anita, other_district
):
    services.reference_value_set(
        district=santa_anita,
        key="complaints",
        value=Decimal("824"),
        unit="denuncias",
        observed_on=date(2023, 3, 31),
        period="enero–marzo 2023",
        source="INEI, 2023",
    )
    page = client.get(reverse("interventions:results")).content.decode()
    assert "824 denuncias" in page
    assert "INEI, 2023" in page
    assert "enero–marzo 2023" in page
    url = reverse("interventions:impact-reference-save", args=["complaints"])
    data = {
        "complaints-value": "830",
        "complaints-unit": "denuncias",
        "complaints-observed_on": "2023-03-31",
        "complaints-period": "enero–marzo 2023",
        "complaints-source": "INEI, 2023 (corregido)",
        "complaints-version": "0",
    }
    assert client.post(url, data).status_code == 302  # anonymous: to the login
    client.force_login(UserFactory(role="member"))
    assert client.post(url, data).status_code == 403
    client.force_login(UserFactory(role="coordinator", district=other_district))
    client.post(url, data)  # writes their own district's figure, never Santa Anita's
    assert ReferenceValue.objects.get(district=santa_anita).value == 824
    client.force_login(UserFactory(role="coordinator"))
    assert client.post(url, data).status_code == 302
    assert ReferenceValue.objects.get(district=santa_anita).value == 830
    stale = client.post(url, {**data, "complaints-value": "900"})  # read at version 0
    assert stale.status_code == 400
    assert "Alguien cambió esta cifra" in stale.content.decode()
    assert ReferenceValue.objects.get(district=santa_anita).value == 830
    assert "830 denuncias" in client.get(reverse("interventions:results")).content.decode()


def test_the_district_comparison_shows_the_new_indicators(client):
    page = client.get(reverse("interventions:results-compare")).content.decode()
    assert "Espacios en riesgo mejorados" in page
    assert "Cohesión social" in page
    assert "Organizaciones verificadas (pendientes)" in page


def _fund(company, sector, usd, state="confirmed"):
    """A pledge of ``usd`` dollars from ``company``, allocated to a kit item of an
    intervention at a new space of ``sector``."""
    from interventions.models import Allocation
    from tests.factories_interventions import KitItemFactory

    pledge = PledgeFactory(
        company=company,
        currency="USD",
        amount=Decimal(usd),
        exchange_rate=Decimal("3.75"),
        rate_date=date(2026, 3, 1),
        state=state,
    )
    item = KitItemFactory(
        kit__intervention__public_space=PublicSpaceFactory(sector=sector, sector_set_by_hand=True)
    )
    Allocation.objects.create(pledge=pledge, item=item, amount_pen=Decimal("100"))


def _plain_company_counts(district):
    """Per sector number, companies whose counted pledges reach US$ 5,000, from plain loops."""
    from interventions.models import Allocation, Pledge

    totals: dict[int, Decimal] = {}
    for pledge in Pledge.objects.filter(company__district=district):
        if pledge.state in dashboard.PLEDGE_COUNTED and pledge.rate_date.year <= 2026:
            totals[pledge.company_id] = totals.get(pledge.company_id, Decimal(0)) + pledge.value_usd
    funding: dict[int, set[int]] = {}
    for allocation in Allocation.objects.select_related(
        "pledge", "item__kit__intervention__public_space__sector"
    ):
        intervention = allocation.item.kit.intervention
        sector = intervention.public_space.sector
        counted = allocation.pledge.state in dashboard.PLEDGE_COUNTED
        if sector and intervention.status != "cancelled" and counted:
            funding.setdefault(sector.number, set()).add(allocation.pledge.company_id)
    return {
        number: (sum(totals.get(c, 0) >= 5000 for c in companies), len(companies))
        for number, companies in funding.items()
    }


def test_companies_count_per_sector_where_their_pledges_fund_interventions(client, santa_anita):
    services.impact_plan_set(actor=None, district=santa_anita, first_year=2024, results_year=2026)
    first, second = santa_anita.sectors.order_by("number")[:2]
    big, both, small, promised = CompanyFactory.create_batch(4)
    _fund(big, first, "6000")
    _fund(both, first, "3000")
    _fund(both, second, "3000")  # US$ 6,000 in all: counts in both sectors
    _fund(small, second, "1000")  # funds the sector, below the goal's band
    _fund(promised, second, "9000", state="pledged")  # not confirmed: not counted anywhere
    rows = {row.number: row for row in dashboard.sector_rows(santa_anita)}
    assert (rows[first.number].companies, rows[first.number].companies_funding) == (2, 2)
    assert (rows[second.number].companies, rows[second.number].companies_funding) == (1, 2)
    plain = _plain_company_counts(santa_anita)
    assert {
        n: (r.companies, r.companies_funding) for n, r in rows.items() if r.companies_funding
    } == plain
    page = client.get(reverse("interventions:results")).content.decode()
    sector_row = page.split(f'data-sector="{first.number}"')[1].split("</tr>")[0]
    assert "<td data-companies>2 (2)</td>" in sector_row
    assert "Definiciones por sector: una empresa cuenta en un sector" in page


def test_the_sector_table_shows_the_district_baseline_as_every_sector_reference(
    client, santa_anita
):
    services.reference_value_set(
        district=santa_anita,
        key="parks",
        value=Decimal("64"),
        unit="parques",
        observed_on=date(2023, 3, 31),
        period="",
        source="Municipalidad, 2023",
    )
    page = client.get(reverse("interventions:results")).content.decode()
    footer = page.split("data-sector-references")[1].split("</tr>")[0]
    assert "Línea de base: referencia del distrito, sin cifra por sector" in footer
    assert "64 parques" in footer
    export = client.get(reverse("interventions:results-export", args=["csv"])).content.decode()
    assert "Empresas de US$ 5 000 o más que financian aquí" in export
    assert "64 parques" in export


def test_sector_company_figures_take_the_same_queries_at_two_sizes(santa_anita):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sectors = list(santa_anita.sectors.order_by("number")[:3])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            dashboard.sector_rows(santa_anita)
        return len(captured)

    _fund(CompanyFactory(), sectors[0], "6000")
    small = queries()
    for sector in sectors:
        for company in CompanyFactory.create_batch(3):
            _fund(company, sector, "7000")
    assert queries() == small
