"""The results dashboard: each target of the founding document, computed live.

Figures come from every app (platform_app, mapping, festival and this one). The other apps
evolve, so each model is looked up through the app registry and a missing model or field
turns its target into "not measurable yet" instead of an error.

Every figure is computed for many districts at once with one grouped query per source,
so the number of queries does not grow with the data or with the number of districts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from interventions.models import Allocation, BudgetLine, Company, Intervention
from mapping.reports_indicators import ReportFigures, report_figures_by_district
from santaanita.money import format_money

# Goals of the founding document.
GOAL_COMPANIES = 5
COMPANY_MIN_USD = Decimal("5000")
GOAL_ORGANIZATIONS = 30
GOAL_NEW_ASSOCIATIONS = 5
GOAL_FESTIVAL_ORGANIZATIONS = 20
GOAL_INTERVENTIONS = 10
GOAL_LARGE_SCALE = 1
GOAL_PRIVATE_SHARE = Decimal("30")
# Organizations that count as "mapped": registered and not rejected or merged away.
ORGANIZATION_EXCLUDED = ("rejected", "merged")


def _model(label: str) -> Any:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _has_fields(model: Any, *names: str) -> bool:
    if model is None:
        return False
    existing = {f.name for f in model._meta.get_fields()}
    return all(n in existing for n in names)


@dataclass
class Target:
    key: str
    label: str | Promise
    value: Decimal | int
    goal: Decimal | int
    unit: str = ""
    detail: str | Promise = ""
    measurable: bool = True

    @property
    def progress(self) -> int:
        """Percentage of the goal reached, capped at 100 for the bars."""
        if not self.measurable or not self.goal:
            return 0
        return min(100, int(Decimal(self.value) * 100 / Decimal(self.goal)))

    @property
    def reached(self) -> bool:
        return self.measurable and Decimal(self.value) >= Decimal(self.goal)


@dataclass
class DistrictFigures:
    """Raw counts for one district; ``targets`` turns them into progress toward the goals."""

    district_id: int
    role_guide_approved: bool | None = None
    work_plan_active: bool | None = None
    organizations: int = 0
    new_associations: int = 0
    spaces: int = 0
    spaces_characterized: int = 0
    festival_organizations: int | None = None
    companies: int = 0
    companies_contributing: int = 0
    pledged_usd: Decimal = Decimal("0.00")
    pledged_pen: Decimal = Decimal("0.00")
    interventions: int = 0
    interventions_finished: int = 0
    large_scale: int = 0
    funding: dict[str, Decimal] = field(
        default_factory=lambda: {
            "private": Decimal("0.00"),
            "municipal": Decimal("0.00"),
            "community": Decimal("0.00"),
        }
    )

    @property
    def funding_total(self) -> Decimal:
        return sum(self.funding.values(), Decimal("0.00"))

    @property
    def private_share(self) -> Decimal:
        total = self.funding_total
        if not total:
            return Decimal("0.0")
        return (self.funding["private"] * 100 / total).quantize(Decimal("0.1"))

    @property
    def characterized_percent(self) -> Decimal:
        if not self.spaces:
            return Decimal("0.0")
        return (Decimal(self.spaces_characterized) * 100 / self.spaces).quantize(Decimal("0.1"))

    @property
    def platform_installed(self) -> bool:
        return bool(self.role_guide_approved and self.work_plan_active)

    def targets(self) -> list[Target]:
        platform_measurable = (
            self.role_guide_approved is not None and self.work_plan_active is not None
        )
        return [
            Target(
                "platform",
                _("Platform installed (role guide approved and work plan active)"),
                int(self.platform_installed),
                1,
                detail=_("Role guide approved: %(guide)s · Work plan active: %(plan)s")
                % {
                    "guide": _("yes") if self.role_guide_approved else _("no"),
                    "plan": _("yes") if self.work_plan_active else _("no"),
                },
                measurable=platform_measurable,
            ),
            Target(
                "companies",
                _("Companies contributing US$ 5,000 or more"),
                self.companies_contributing,
                GOAL_COMPANIES,
                detail=_("%(count)s companies pledged %(usd)s in all")
                % {"count": self.companies, "usd": format_money(self.pledged_usd, "USD")},
            ),
            Target(
                "organizations",
                _("Organizations mapped"),
                self.organizations,
                GOAL_ORGANIZATIONS,
            ),
            Target(
                "new_associations",
                _("New neighbourhood associations"),
                self.new_associations,
                GOAL_NEW_ASSOCIATIONS,
            ),
            Target(
                "spaces",
                _("Public spaces mapped and characterized"),
                self.characterized_percent,
                Decimal(100),
                unit="%",
                detail=_("%(done)s of %(total)s spaces have a verified survey")
                % {"done": self.spaces_characterized, "total": self.spaces},
            ),
            Target(
                "festival",
                _("Neighbourhood organizations in the dance festival"),
                self.festival_organizations or 0,
                GOAL_FESTIVAL_ORGANIZATIONS,
                measurable=self.festival_organizations is not None,
            ),
            Target(
                "interventions",
                _("Public spaces intervened"),
                self.interventions,
                GOAL_INTERVENTIONS,
                detail=_("%(finished)s finished · large-scale transformations: %(large)s of 1")
                % {"finished": self.interventions_finished, "large": self.large_scale},
            ),
            Target(
                "private_share",
                _("Private-sector share of improvement funding"),
                self.private_share,
                GOAL_PRIVATE_SHARE,
                unit="%",
                detail=_("%(private)s of %(total)s")
                % {
                    "private": format_money(self.funding["private"]),
                    "total": format_money(self.funding_total),
                },
            ),
        ]


def _grouped(qs: Any, key: str, **aggregates: Any) -> dict[int, dict[str, Any]]:
    return {row[key]: row for row in qs.values(key).annotate(**aggregates).order_by()}


def figures_by_district(district_ids: list[int]) -> dict[int, DistrictFigures]:
    """The raw figures of several districts, with a fixed number of queries."""
    result = {pk: DistrictFigures(district_id=pk) for pk in district_ids}

    guide = _model("platform_app.RoleGuideVersion")
    activity = _model("platform_app.Activity")
    if _has_fields(guide, "district", "status"):
        approved = set(
            guide.objects.filter(district_id__in=district_ids, status="approved")
            .values_list("district_id", flat=True)
            .distinct()
        )
        for pk, fig in result.items():
            fig.role_guide_approved = pk in approved
    if _has_fields(activity, "objective", "status"):
        active = set(
            activity.objects.filter(objective__district_id__in=district_ids)
            .exclude(status="cancelled")
            .values_list("objective__district_id", flat=True)
            .distinct()
        )
        for pk, fig in result.items():
            fig.work_plan_active = pk in active

    organization = _model("platform_app.Organization")
    if _has_fields(organization, "district", "status", "typology"):
        has_new = _has_fields(organization, "newly_constituted")
        new_q = Q(typology="neighbourhood", newly_constituted=True) if has_new else Q(pk__in=[])
        rows = _grouped(
            organization.objects.filter(district_id__in=district_ids).exclude(
                status__in=ORGANIZATION_EXCLUDED
            ),
            "district_id",
            n=Count("pk"),
            new=Count("pk", filter=new_q),
        )
        for pk, row in rows.items():
            result[pk].organizations = row["n"]
            result[pk].new_associations = row["new"]

    space = _model("mapping.PublicSpace")
    if _has_fields(space, "district", "latest_verified_survey"):
        rows = _grouped(
            space.objects.filter(district_id__in=district_ids),
            "district_id",
            n=Count("pk"),
            done=Count("pk", filter=Q(latest_verified_survey__isnull=False)),
        )
        for pk, row in rows.items():
            result[pk].spaces = row["n"]
            result[pk].spaces_characterized = row["done"]

    team = _model("festival.Team")
    if _has_fields(team, "edition", "organization", "status"):
        for fig in result.values():
            fig.festival_organizations = 0
        rows = _grouped(
            team.objects.filter(
                edition__district_id__in=district_ids, organization__isnull=False
            ).exclude(status="withdrawn"),
            "edition__district_id",
            n=Count("organization", distinct=True),
        )
        for pk, row in rows.items():
            result[pk].festival_organizations = row["n"]

    for company in Company.objects.filter(district_id__in=district_ids).with_totals():
        fig = result[company.district_id]
        if company.pledged_pen > 0:
            fig.companies += 1
        fig.pledged_usd += company.pledged_usd
        fig.pledged_pen += company.pledged_pen
        if company.pledged_usd >= COMPANY_MIN_USD:
            fig.companies_contributing += 1

    rows = _grouped(
        Intervention.objects.filter(district_id__in=district_ids).public(),
        "district_id",
        n=Count("pk"),
        finished=Count("pk", filter=Q(status="finished")),
        large=Count("pk", filter=Q(large_scale=True)),
    )
    for pk, row in rows.items():
        result[pk].interventions = row["n"]
        result[pk].interventions_finished = row["finished"]
        result[pk].large_scale = row["large"]

    rows = _grouped(
        Allocation.objects.filter(item__kit__intervention__district_id__in=district_ids).exclude(
            item__kit__intervention__status="cancelled"
        ),
        "item__kit__intervention__district_id",
        s=Sum("amount_pen"),
    )
    for pk, row in rows.items():
        result[pk].funding["private"] += row["s"] or 0
    lines = (
        BudgetLine.objects.filter(intervention__district_id__in=district_ids)
        .exclude(intervention__status="cancelled")
        .values("intervention__district_id", "source")
        .annotate(s=Sum("amount_pen"))
        .order_by()
    )
    for line in lines:
        result[line["intervention__district_id"]].funding[line["source"]] += line["s"] or 0
    return result


@dataclass
class SectorRow:
    number: int
    name: str
    spaces: int = 0
    characterized: int = 0
    organizations: int = 0
    interventions: int = 0
    festival_teams: int = 0


def sector_rows(district: Any) -> list[SectorRow]:
    """The same figures broken down by sector (four grouped queries)."""
    rows = {s.pk: SectorRow(number=s.number, name=s.name) for s in district.sectors.all()}
    space = _model("mapping.PublicSpace")
    if _has_fields(space, "sector", "latest_verified_survey"):
        for pk, row in _grouped(
            space.objects.filter(district=district, sector__isnull=False),
            "sector_id",
            n=Count("pk"),
            done=Count("pk", filter=Q(latest_verified_survey__isnull=False)),
        ).items():
            if pk in rows:
                rows[pk].spaces, rows[pk].characterized = row["n"], row["done"]
    organization = _model("platform_app.Organization")
    if _has_fields(organization, "sector", "status"):
        for pk, row in _grouped(
            organization.objects.filter(district=district, sector__isnull=False).exclude(
                status__in=ORGANIZATION_EXCLUDED
            ),
            "sector_id",
            n=Count("pk"),
        ).items():
            if pk in rows:
                rows[pk].organizations = row["n"]
    for pk, row in _grouped(
        Intervention.objects.public().filter(district=district, public_space__sector__isnull=False),
        "public_space__sector_id",
        n=Count("pk"),
    ).items():
        if pk in rows:
            rows[pk].interventions = row["n"]
    team = _model("festival.Team")
    if _has_fields(team, "sector", "status"):
        for pk, row in _grouped(
            team.objects.filter(edition__district=district, sector__isnull=False).exclude(
                status="withdrawn"
            ),
            "sector_id",
            n=Count("pk"),
        ).items():
            if pk in rows:
                rows[pk].festival_teams = row["n"]
    return sorted(rows.values(), key=lambda r: r.number)


def pledges_by_state(district: Any) -> list[dict[str, Any]]:
    """Coordinators' view: pledges per state, count and value in soles (one query)."""
    from interventions.models import Pledge

    labels = dict(Pledge.State.choices)
    rows = (
        Pledge.objects.filter(company__district=district)
        .values("state")
        .annotate(n=Count("pk"), pen=Sum("value_pen"), usd=Sum("value_usd"))
        .order_by("state")
    )
    return [{**row, "label": labels.get(row["state"], row["state"])} for row in rows]


def problem_reports(district: Any) -> ReportFigures:
    """Residents' problem reports: received, fixed, median days to fix and the share the
    reporter confirmed fixed (mapping owns the facts and their definitions)."""
    return report_figures_by_district([district.pk])[district.pk]
