"""The demo's companies, pledges, interventions and perception waves, and the dashboard's
figures on it equal counts computed independently here. The demo is seeded once for these
tests (tests/conftest.py: ``demo``)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from interventions import dashboard
from interventions.models import (
    Allocation,
    BudgetLine,
    Company,
    Intervention,
    Invitation,
    KitDelivery,
    Pledge,
)
from mapping.models import PublicSpace
from platform_app.models import District, Organization
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_has_what_the_issue_promises_and_is_idempotent(demo):
    companies = Company.objects.filter(district=demo)
    assert companies.count() == 5
    pledges = Pledge.objects.filter(company__district=demo)
    assert set(pledges.values_list("state", flat=True)) == set(Pledge.State.values)
    assert set(pledges.values_list("kind", flat=True)) == {"money", "in_kind"}
    interventions = Intervention.objects.filter(district=demo)
    assert interventions.count() == 10
    assert interventions.filter(large_scale=True).count() == 1
    assert interventions.values("status").distinct().count() >= 5
    assert KitDelivery.objects.filter(item__kit__intervention__district=demo).exists()
    for finished in interventions.filter(status="finished"):
        assert finished.survey_before
        assert finished.survey_after
        assert finished.condition_change is not None
        assert finished.condition_change > 0
    from festival.models import Proposal

    if Proposal.objects.filter(team__is_outstanding=True, public_space__district=demo).exists():
        assert interventions.filter(proposal__isnull=False, lead_team__isnull=False).exists()
    # Every company was invited to the breakfast, confirmed and came.
    invitations = Invitation.objects.filter(event__district=demo)
    assert set(invitations.values_list("status", "attended")) == {("confirmed", True)}
    assert invitations.count() == 5
    # A coordinator's correction survives a second run, which changes nothing.
    invitations.filter(pk=invitations.first().pk).update(attended=False)
    counts = (companies.count(), pledges.count(), Allocation.objects.count())
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
    assert (companies.count(), pledges.count(), Allocation.objects.count()) == counts
    assert invitations.count() == 5
    assert invitations.filter(attended=False).count() == 1
    assert interventions.count() == 10


def _independent(district: District) -> dict[str, object]:
    """The same figures, computed the plain way: one query or loop per figure, counting
    only verified or finished facts as the definitions on the page say."""
    plan = dashboard.plans_by_district([district.pk])[district.pk]
    counted_pledges = Pledge.objects.filter(
        company__district=district,
        state__in=["confirmed", "received", "partly_used", "fully_used"],
        rate_date__year__lte=plan.results_year,
    )
    per_company: dict[int, Decimal] = {}
    for pledge in counted_pledges:
        per_company[pledge.company_id] = per_company.get(pledge.company_id, 0) + pledge.value_usd
    finished = [
        i
        for i in Intervention.objects.filter(district=district, status="finished")
        if (i.starts_on.year if i.starts_on else i.created_at.year) in plan.years
    ]
    private = sum(
        (a.amount_pen for a in Allocation.objects.filter(item__kit__intervention__in=finished)),
        Decimal(0),
    )
    lines = BudgetLine.objects.filter(intervention__in=finished)
    total = private + (lines.aggregate(s=Sum("amount_pen"))["s"] or 0)
    organizations = Organization.objects.filter(district=district, status="verified")
    spaces = PublicSpace.objects.filter(district=district)
    from festival.models import Team

    festival_orgs = {
        t.organization_id
        for t in Team.objects.filter(edition__district=district, status="confirmed")
        if t.organization_id
    }
    return {
        "companies": sum(1 for v in per_company.values() if v >= 5000),
        "organizations": organizations.count(),
        "new_associations": organizations.filter(
            typology="neighbourhood", newly_constituted=True
        ).count(),
        "spaces": (
            (
                Decimal(spaces.exclude(latest_verified_survey=None).count()) * 100 / spaces.count()
            ).quantize(Decimal("0.1"))
            if spaces.count()
            else Decimal("0.0")
        ),
        "festival": len(festival_orgs),
        "interventions": len(finished),
        "private_share": (private * 100 / total).quantize(Decimal("0.1"))
        if total
        else Decimal("0.0"),
    }


def test_every_dashboard_figure_equals_an_independent_count_on_the_demo(demo, client):
    expected = _independent(demo)
    figures = dashboard.figures_by_district([demo.pk])[demo.pk]
    targets = {t.key: t for t in figures.targets()}
    for key, value in expected.items():
        assert targets[key].value == value, key
    assert expected["companies"] >= 2  # the demo's two US$ 5,000+ companies at least
    assert figures.large_scale == 1
    page = client.get(reverse("interventions:results")).content.decode()
    assert f"{expected['private_share']}%" in page
    # The public page carries no personal data.
    assert "contacto." not in page
    assert "Jorge Salinas" not in page


def test_export_csv_and_xlsx(demo, client):
    csv_response = client.get(reverse("interventions:results-export", args=["csv"]))
    assert csv_response.status_code == 200
    assert (
        "Organizaciones mapeadas" in csv_response.content.decode()
        or "Organizations mapped" in csv_response.content.decode()
    )
    xlsx = client.get(reverse("interventions:results-export", args=["xlsx"]))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row >= 9
    assert client.get(reverse("interventions:results-export", args=["pdf"])).status_code == 404


def test_the_money_platform_and_sector_figures_equal_plain_counts_on_the_demo(demo):
    from festival.models import Team
    from platform_app.models import Activity, RoleGuideVersion

    figures = dashboard.figures_by_district([demo.pk])[demo.pk]

    guide = RoleGuideVersion.objects.filter(district=demo, status="approved").exists()
    plan = any(a.status != "cancelled" for a in Activity.objects.filter(objective__district=demo))
    assert figures.platform_installed == (guide and plan)
    assert figures.platform_installed  # the demo installs the platform

    active = [p for p in Pledge.objects.filter(company__district=demo) if p.state != "withdrawn"]
    assert figures.pledged_usd == sum((p.value_usd for p in active), Decimal(0))
    assert figures.pledged_pen == sum((p.value_pen for p in active), Decimal(0))
    assert figures.companies == len({p.company_id for p in active if p.value_pen > 0})

    interventions = [
        i for i in Intervention.objects.filter(district=demo) if i.status != "cancelled"
    ]
    assert figures.interventions == sum(1 for i in interventions if i.status == "finished")
    assert figures.interventions >= 1
    assert figures.interventions_under_way == sum(
        1 for i in interventions if i.status != "finished"
    )
    by_source: dict[str, Decimal] = {"municipal": Decimal(0), "community": Decimal(0)}
    finished = [i for i in interventions if i.status == "finished"]
    for line in BudgetLine.objects.filter(intervention__in=finished):
        by_source[line.source] += line.amount_pen
    assert figures.funding["municipal"] == by_source["municipal"]
    assert figures.funding["community"] == by_source["community"]
    assert figures.funding_total == figures.funding["private"] + sum(by_source.values())

    expected = {
        sector.number: {"spaces": 0, "characterized": 0, "organizations": 0, "interventions": 0}
        for sector in demo.sectors.all()
    }
    for space in PublicSpace.objects.filter(district=demo).select_related("sector"):
        if space.sector:
            expected[space.sector.number]["spaces"] += 1
            expected[space.sector.number]["characterized"] += (
                space.latest_verified_survey_id is not None
            )
    for organization in Organization.objects.filter(district=demo).select_related("sector"):
        if organization.sector and organization.status == "verified":
            expected[organization.sector.number]["organizations"] += 1
    for intervention in finished:
        if intervention.public_space.sector:
            expected[intervention.public_space.sector.number]["interventions"] += 1
    teams = {sector.number: 0 for sector in demo.sectors.all()}
    for team in Team.objects.filter(edition__district=demo).select_related("sector"):
        if team.sector and team.status == "confirmed":
            teams[team.sector.number] += 1
    rows = dashboard.sector_rows(demo)
    assert {
        row.number: {
            "spaces": row.spaces,
            "characterized": row.characterized,
            "organizations": row.organizations,
            "interventions": row.interventions,
        }
        for row in rows
    } == expected
    assert {row.number: row.festival_teams for row in rows} == teams
    assert sum(teams.values()) > 0


def test_the_demo_has_a_baseline_and_a_follow_up_wave_and_the_dashboard_shows_the_change(
    demo, client
):
    from interventions.models import PerceptionResponse, ReferenceValue, Wave

    waves = list(Wave.objects.filter(district=demo).order_by("starts_on"))
    assert [w.kind for w in waves] == ["baseline", "follow_up"]
    baseline = PerceptionResponse.objects.filter(wave=waves[0])
    assert 380 <= baseline.count() <= 420
    assert baseline.values("sector").distinct().count() == 6  # five sectors and "not said"
    figures = dashboard.figures_by_district([demo.pk])[demo.pk]
    assert figures.cohesion is not None
    assert figures.cohesion.baseline is not None
    assert figures.cohesion.change > 0
    assert {r.key for r in ReferenceValue.objects.filter(district=demo)} == set(
        ReferenceValue.Key.values
    )
    assert figures.spaces_improved >= 1  # the finished interventions lifted bad spaces
    page = client.get(reverse("interventions:results")).content.decode()
    assert "Línea de base" in page
    assert "68 %" in page
    assert "824 denuncias" in page
