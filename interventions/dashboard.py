"""The results dashboard: each target of the founding document, computed live.

Figures come from every app (platform_app, mapping, festival and this one): each app
exposes its figures as typed functions in its ``indicators`` module, which this one calls,
so a renamed field or status fails loudly (and in the tests) instead of turning a target
into "not measurable yet". Only what truly has no data yet is not measurable.

A target counts only verified or finished facts: verified organizations, confirmed pledges,
finished interventions, verified surveys, confirmed festival teams. What is under way
(pending registrations, unconfirmed pledges, interventions not yet finished) is counted
apart and shown beside it, never added to it. Each target states its definition on the
page; docs/impact.md lists them.

Every figure is computed for many districts at once with one grouped query per source,
so the number of queries does not grow with the data or with the number of districts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from festival.indicators import confirmed_teams_by_sector, festival_counts_by_district
from interventions.models import (
    Allocation,
    BudgetLine,
    Company,
    FundingSource,
    ImpactPlan,
    Intervention,
    Pledge,
    ReferenceValue,
)
from mapping.indicators import (
    space_condition,
    spaces_in_review_by_district,
    still_at_risk,
)
from mapping.models import SPACE_PAGES, PublicSpace
from mapping.reports_indicators import ReportFigures, report_figures_by_district
from platform_app.indicators import (
    districts_with_active_work_plan,
    districts_with_approved_role_guide,
    organization_counts,
)
from platform_app.services.places import DISTRICT_PAGES, ORGANIZATION_PAGES
from santaanita import page_cache
from santaanita.money import format_money

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from interventions.perception.index import Estimate
    from platform_app.models import District

# Goals of the founding document.
GOAL_COMPANIES = 5
COMPANY_MIN_USD = Decimal("5000")
COMPANY_BAND_MAX_USD = Decimal("10000")
GOAL_ORGANIZATIONS = 30
GOAL_NEW_ASSOCIATIONS = 5
GOAL_FESTIVAL_ORGANIZATIONS = 20
GOAL_INTERVENTIONS = 10
GOAL_LARGE_SCALE = 1
GOAL_PRIVATE_SHARE = Decimal("30")
GOAL_IMPROVED_SPACES = Decimal("100")
GOAL_COHESION = Decimal("60")
# A pledge counts once the company confirmed it; "pledged" is a promise still in progress.
PLEDGE_COUNTED = (
    Pledge.State.CONFIRMED,
    Pledge.State.RECEIVED,
    Pledge.State.PARTLY_USED,
    Pledge.State.FULLY_USED,
)
INTERVENTION_UNDER_WAY = (
    Intervention.Status.PLANNED,
    Intervention.Status.CO_DESIGN,
    Intervention.Status.EXECUTION,
    Intervention.Status.CLOSING,
)
FINISHED = Intervention.Status.FINISHED


@dataclass
class Target:
    key: str
    label: str | Promise
    value: Decimal | int
    goal: Decimal | int
    unit: str = ""
    detail: str | Promise = ""
    measurable: bool = True
    # What counts, from which records, since when: shown under the target on the page.
    definition: str | Promise = ""
    # What is under way and not counted (pending, unconfirmed, unfinished), shown beside.
    in_progress: str | Promise = ""

    @property
    def progress(self) -> int:
        """Percentage of the goal reached, capped at 100 for the bars."""
        if not self.measurable or not self.goal:
            return 0
        return min(100, int(Decimal(self.value) * 100 / Decimal(self.goal)))

    @property
    def reached(self) -> bool:
        return self.measurable and Decimal(self.value) >= Decimal(self.goal)


def _share(part: Decimal, total: Decimal) -> Decimal:
    if not total:
        return Decimal("0.0")
    return (part * 100 / total).quantize(Decimal("0.1"))


def _funding() -> dict[str, Decimal]:
    return {source: Decimal("0.00") for source in FundingSource}


@dataclass
class YearShare:
    year: int
    private: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")

    @property
    def share(self) -> Decimal:
        return _share(self.private, self.total)

    @property
    def reached(self) -> bool:
        return bool(self.total) and self.share >= GOAL_PRIVATE_SHARE


@dataclass
class DistrictFigures:
    """Raw counts for one district; ``targets`` turns them into progress toward the goals."""

    district_id: int
    plan: ImpactPlan
    role_guide_approved: bool = False
    work_plan_active: bool = False
    organizations: int = 0
    organizations_pending: int = 0
    new_associations: int = 0
    new_associations_pending: int = 0
    spaces: int = 0
    spaces_characterized: int = 0
    spaces_in_review: int = 0
    spaces_at_risk: int = 0
    spaces_improved: int = 0
    spaces_at_risk_under_way: int = 0
    festival_organizations: int = 0
    festival_pending: int = 0
    companies: int = 0
    companies_contributing: int = 0
    companies_above_band: int = 0
    companies_unconfirmed: int = 0
    pledged_usd: Decimal = Decimal("0.00")
    pledged_pen: Decimal = Decimal("0.00")
    interventions: int = 0
    interventions_under_way: int = 0
    large_scale: int = 0
    large_scale_under_way: int = 0
    funding: dict[str, Decimal] = field(default_factory=_funding)
    funding_under_way: dict[str, Decimal] = field(default_factory=_funding)
    years: dict[int, YearShare] = field(default_factory=dict)
    cohesion: Estimate | None = None
    references: list[ReferenceValue] = field(default_factory=list)

    @property
    def funding_total(self) -> Decimal:
        return sum(self.funding.values(), Decimal("0.00"))

    @property
    def private_share(self) -> Decimal:
        """Private share of the funding of the interventions finished within the period."""
        private = sum((y.private for y in self.years.values()), Decimal("0.00"))
        total = sum((y.total for y in self.years.values()), Decimal("0.00"))
        return _share(private, total)

    @property
    def characterized_percent(self) -> Decimal:
        return _share(Decimal(self.spaces_characterized), Decimal(self.spaces))

    @property
    def improved_percent(self) -> Decimal:
        return _share(Decimal(self.spaces_improved), Decimal(self.spaces_at_risk))

    @property
    def platform_installed(self) -> bool:
        return bool(self.role_guide_approved and self.work_plan_active)

    @property
    def year_shares(self) -> list[YearShare]:
        return [self.years[year] for year in self.plan.years]

    def targets(self) -> list[Target]:
        plan = self.plan
        cohesion = self.cohesion
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
                definition=_(
                    "Counts 1 when a version of the guide of roles and functions is approved "
                    "and the work plan has at least one activity not cancelled."
                ),
            ),
            Target(
                "companies",
                _("Companies contributing US$ 5,000–10,000 by %(year)s")
                % {"year": plan.results_year},
                self.companies_contributing,
                GOAL_COMPANIES,
                detail=_(
                    "%(above)s of them above US$ 10,000 · "
                    "%(count)s companies pledged %(usd)s in all"
                )
                % {
                    "above": self.companies_above_band,
                    "count": self.companies,
                    "usd": format_money(self.pledged_usd, "USD"),
                },
                definition=_(
                    "Companies whose confirmed, received or used pledges (money or in kind, "
                    "valued at the exchange rate of their date) dated up to the end of "
                    "%(year)s add up to US$ 5,000 or more."
                )
                % {"year": plan.results_year},
                in_progress=_("%(n)s companies with pledges not yet confirmed")
                % {"n": self.companies_unconfirmed},
            ),
            Target(
                "organizations",
                _("Organizations mapped"),
                self.organizations,
                GOAL_ORGANIZATIONS,
                definition=_(
                    "Organizations of the registry verified by a coordinator, since the "
                    "registry opened. Registrations awaiting verification are not counted."
                ),
                in_progress=_("%(n)s registrations awaiting verification")
                % {"n": self.organizations_pending},
            ),
            Target(
                "new_associations",
                _("New neighbourhood associations"),
                self.new_associations,
                GOAL_NEW_ASSOCIATIONS,
                definition=_(
                    "Verified neighbourhood associations registered as newly constituted."
                ),
                in_progress=_("%(n)s awaiting verification") % {"n": self.new_associations_pending},
            ),
            Target(
                "spaces",
                _("Public spaces mapped and characterized"),
                self.characterized_percent,
                Decimal(100),
                unit="%",
                detail=_("%(done)s of %(total)s spaces have a verified survey")
                % {"done": self.spaces_characterized, "total": self.spaces},
                definition=_(
                    "Share of the district's public spaces with at least one characterization "
                    "survey approved by the university reviewer."
                ),
                in_progress=_("%(n)s spaces with a survey under review")
                % {"n": self.spaces_in_review},
            ),
            Target(
                "festival",
                _("Neighbourhood organizations in the dance festival"),
                self.festival_organizations,
                GOAL_FESTIVAL_ORGANIZATIONS,
                definition=_(
                    "Distinct registered organizations with a confirmed team in any edition "
                    "of the festival."
                ),
                in_progress=_("%(n)s teams registered and not yet confirmed")
                % {"n": self.festival_pending},
            ),
            Target(
                "interventions",
                _("Public spaces intervened"),
                self.interventions,
                GOAL_INTERVENTIONS,
                definition=_("Interventions finished (closed with their survey after the work)."),
                in_progress=_("%(n)s interventions under way")
                % {"n": self.interventions_under_way},
            ),
            Target(
                "large_scale",
                _("Large-scale transformation"),
                self.large_scale,
                GOAL_LARGE_SCALE,
                definition=_(
                    "The intervention marked as the large-scale transformation, finished."
                ),
                in_progress=_("%(n)s under way") % {"n": self.large_scale_under_way},
            ),
            Target(
                "private_share",
                _("Private-sector share of improvement funding, %(first)s–%(last)s")
                % {"first": plan.first_year, "last": plan.last_year},
                self.private_share,
                GOAL_PRIVATE_SHARE,
                unit="%",
                detail=_("%(private)s of %(total)s")
                % {
                    "private": format_money(self.funding[FundingSource.PRIVATE]),
                    "total": format_money(self.funding_total),
                },
                definition=_(
                    "Private money and goods allocated to kit items, over all funding (kits "
                    "and budget lines) of the interventions finished, by the year each "
                    "intervention started, within the five-year period; each year is shown "
                    "against the same 30 % below."
                ),
                in_progress=_("%(amount)s committed to interventions under way")
                % {"amount": format_money(sum(self.funding_under_way.values(), Decimal(0)))},
            ),
            Target(
                "improved_spaces",
                _("Deteriorated or at-risk spaces now fair or better"),
                self.improved_percent,
                GOAL_IMPROVED_SPACES,
                unit="%",
                detail=_("%(improved)s of %(total)s spaces")
                % {"improved": self.spaces_improved, "total": self.spaces_at_risk},
                measurable=bool(self.spaces_at_risk),
                definition=_(
                    "Spaces whose first verified survey scored below 40 (bad) and whose latest "
                    "verified survey scores 40 or more (fair or good)."
                ),
                in_progress=_("%(n)s of them with an intervention under way")
                % {"n": self.spaces_at_risk_under_way},
            ),
            Target(
                "cohesion",
                _("Population with strengthened social cohesion"),
                cohesion.percent if cohesion is not None else Decimal(0),
                GOAL_COHESION,
                unit="%",
                detail=cohesion.summary if cohesion is not None else "",
                measurable=cohesion is not None,
                definition=_(
                    "Share of residents whose social-cohesion score in the latest perception "
                    "wave is 62.5 or more (agree on average with the trust, safety, "
                    "participation and care items), weighted by sector population, with its "
                    "95 % confidence interval; see the perception survey page."
                ),
                in_progress=cohesion.baseline_text if cohesion is not None else "",
            ),
        ]


def _grouped(
    qs: QuerySet[Intervention], key: str, **aggregates: Count
) -> dict[int, dict[str, int]]:
    """The counts ``aggregates`` of ``qs`` per value of ``key`` (a primary key)."""
    return {row[key]: row for row in qs.values(key).annotate(**aggregates).order_by()}


def plans_by_district(district_ids: list[int]) -> dict[int, ImpactPlan]:
    """Each district's years; a district without a plan measures from the current year."""
    from django.utils import timezone

    year = timezone.localdate().year
    plans = {p.district_id: p for p in ImpactPlan.objects.filter(district_id__in=district_ids)}
    return {
        pk: plans.get(pk) or ImpactPlan(district_id=pk, first_year=year, results_year=year)
        for pk in district_ids
    }


class _FundingRow(TypedDict):
    k: int  # the value of ``key``: a district's or a sector's primary key
    status: str
    year: int
    source: str
    s: Decimal | None


def _funding_rows(district_ids: list[int], key: str) -> list[_FundingRow]:
    """Funding per (``key``, intervention status, year, source), not cancelled: two queries.

    The year is the intervention's start date, or the day it was recorded when not set.
    """
    interventions = Intervention.objects.filter(district_id__in=district_ids).public()
    rows: list[_FundingRow] = []
    private = (
        Allocation.objects.filter(item__kit__intervention__in=interventions)
        .annotate(
            k=F(f"item__kit__intervention__{key}"),
            status=F("item__kit__intervention__status"),
            year=Coalesce(
                ExtractYear("item__kit__intervention__starts_on"),
                ExtractYear("item__kit__intervention__created_at"),
            ),
        )
        .values("k", "status", "year")
        .annotate(s=Sum("amount_pen"))
        .order_by()
    )
    rows.extend(
        {
            "k": row["k"],
            "status": row["status"],
            "year": row["year"],
            "source": FundingSource.PRIVATE,
            "s": row["s"],
        }
        for row in private
    )
    lines = (
        BudgetLine.objects.filter(intervention__in=interventions)
        .annotate(
            k=F(f"intervention__{key}"),
            status=F("intervention__status"),
            year=Coalesce(
                ExtractYear("intervention__starts_on"), ExtractYear("intervention__created_at")
            ),
        )
        .values("k", "status", "year", "source")
        .annotate(s=Sum("amount_pen"))
        .order_by()
    )
    rows.extend(
        {
            "k": line["k"],
            "status": line["status"],
            "year": line["year"],
            "source": line["source"],
            "s": line["s"],
        }
        for line in lines
    )
    return rows


def _company_pledges(
    district_ids: list[int], results_years: dict[int, int]
) -> tuple[dict[tuple[int, int], Decimal], set[tuple[int, int]]]:
    """Per (district, company): the US$ of its counted pledges dated up to the district's
    results year, and which companies have pledges not yet confirmed (one query)."""
    confirmed: dict[tuple[int, int], Decimal] = {}
    unconfirmed: set[tuple[int, int]] = set()
    for pledge_row in (
        Pledge.objects.filter(company__district_id__in=district_ids)
        .exclude(state=Pledge.State.WITHDRAWN)
        .values("company__district_id", "company_id", "state", "rate_date__year")
        .annotate(usd=Sum("value_usd"))
        .order_by()
    ):
        company_key = (pledge_row["company__district_id"], pledge_row["company_id"])
        if pledge_row["state"] not in PLEDGE_COUNTED:
            unconfirmed.add(company_key)
        elif pledge_row["rate_date__year"] <= results_years[company_key[0]]:
            confirmed[company_key] = confirmed.get(company_key, Decimal(0)) + pledge_row["usd"]
    return confirmed, unconfirmed


def _at_risk_under_way(district_ids: list[int]) -> dict[int, int]:
    """Spaces still at risk with an intervention under way, per district (one query)."""
    at_risk = still_at_risk(PublicSpace.objects.filter(district_id__in=district_ids))
    return dict(
        Intervention.objects.filter(status__in=INTERVENTION_UNDER_WAY, public_space__in=at_risk)
        .values("public_space__district_id")
        .annotate(n=Count("public_space", distinct=True))
        .order_by()
        .values_list("public_space__district_id", "n")
    )


def figures_by_district(district_ids: list[int]) -> dict[int, DistrictFigures]:
    """The raw figures of several districts, with a fixed number of queries."""
    plans = plans_by_district(district_ids)
    result = {pk: DistrictFigures(district_id=pk, plan=plans[pk]) for pk in district_ids}

    approved = districts_with_approved_role_guide(district_ids)
    active = districts_with_active_work_plan(district_ids)
    for pk, fig in result.items():
        fig.role_guide_approved = pk in approved
        fig.work_plan_active = pk in active

    for pk, organizations in organization_counts(
        district_ids=district_ids, by="district_id"
    ).items():
        fig = result[pk]
        fig.organizations = organizations.verified
        fig.organizations_pending = organizations.pending
        fig.new_associations = organizations.new_associations
        fig.new_associations_pending = organizations.new_associations_pending

    for pk, condition in space_condition(district_ids=district_ids, by="district_id").items():
        fig = result[pk]
        fig.spaces, fig.spaces_characterized = condition.spaces, condition.characterized
        fig.spaces_at_risk, fig.spaces_improved = condition.at_risk, condition.improved
    for pk, n in _at_risk_under_way(district_ids).items():
        result[pk].spaces_at_risk_under_way = n
    for pk, n in spaces_in_review_by_district(district_ids).items():
        result[pk].spaces_in_review = n

    for pk, festival in festival_counts_by_district(district_ids).items():
        result[pk].festival_organizations = festival.organizations
        result[pk].festival_pending = festival.pending

    for company in Company.objects.filter(district_id__in=district_ids).with_totals():
        fig = result[company.district_id]
        if company.pledged_pen > 0:
            fig.companies += 1
        fig.pledged_usd += company.pledged_usd
        fig.pledged_pen += company.pledged_pen
    results_years = {pk: fig.plan.results_year for pk, fig in result.items()}
    confirmed, unconfirmed = _company_pledges(district_ids, results_years)
    for (district_pk, _company), usd in confirmed.items():
        if usd >= COMPANY_MIN_USD:
            result[district_pk].companies_contributing += 1
            result[district_pk].companies_above_band += usd > COMPANY_BAND_MAX_USD
    for district_pk, _company in unconfirmed:
        result[district_pk].companies_unconfirmed += 1

    rows = _grouped(
        Intervention.objects.filter(district_id__in=district_ids).public(),
        "district_id",
        n=Count("pk", filter=Q(status=FINISHED)),
        under_way=Count("pk", filter=~Q(status=FINISHED)),
        large=Count("pk", filter=Q(large_scale=True, status=FINISHED)),
        large_under_way=Count("pk", filter=Q(large_scale=True) & ~Q(status=FINISHED)),
    )
    for pk, row in rows.items():
        result[pk].interventions = row["n"]
        result[pk].interventions_under_way = row["under_way"]
        result[pk].large_scale = row["large"]
        result[pk].large_scale_under_way = row["large_under_way"]

    for fig in result.values():
        fig.years = {year: YearShare(year) for year in fig.plan.years}
    for funding in _funding_rows(district_ids, "district_id"):
        fig, amount = result[funding["k"]], funding["s"] or Decimal(0)
        if funding["status"] != FINISHED:
            fig.funding_under_way[funding["source"]] += amount
            continue
        fig.funding[funding["source"]] += amount
        if funding["year"] in fig.years:
            fig.years[funding["year"]].total += amount
            if funding["source"] == FundingSource.PRIVATE:
                fig.years[funding["year"]].private += amount

    for reference in ReferenceValue.objects.filter(district_id__in=district_ids):
        result[reference.district_id].references.append(reference)

    from interventions.perception import index as perception_index

    for pk, estimate in perception_index.cohesion_by_district(district_ids).items():
        result[pk].cohesion = estimate
    return result


@dataclass
class SectorRow:
    pk: int
    number: int
    name: str
    spaces: int = 0
    characterized: int = 0
    at_risk: int = 0
    improved: int = 0
    organizations: int = 0
    organizations_pending: int = 0
    interventions: int = 0
    interventions_under_way: int = 0
    festival_teams: int = 0
    # Companies of the district's target (US$ 5,000 or more confirmed) whose counted pledges
    # pay for kit items of interventions at this sector's spaces; one company may fund, and
    # so count in, several sectors. ``companies_funding`` counts every such company.
    companies: int = 0
    companies_funding: int = 0
    private: Decimal = Decimal("0.00")
    funding_total: Decimal = Decimal("0.00")
    cohesion: Estimate | None = None

    @property
    def private_share(self) -> Decimal:
        return _share(self.private, self.funding_total)

    @property
    def improved_percent(self) -> Decimal:
        return _share(Decimal(self.improved), Decimal(self.at_risk))


def sector_rows(district: District) -> list[SectorRow]:
    """The same figures broken down by sector (a fixed number of grouped queries)."""
    rows = {s.pk: SectorRow(pk=s.pk, number=s.number, name=s.name) for s in district.sectors.all()}
    for pk, condition in space_condition(district_ids=[district.pk], by="sector_id").items():
        if pk in rows:
            rows[pk].spaces, rows[pk].characterized = condition.spaces, condition.characterized
            rows[pk].at_risk, rows[pk].improved = condition.at_risk, condition.improved
    for pk, organizations in organization_counts(
        district_ids=[district.pk], by="sector_id"
    ).items():
        if pk in rows:
            rows[pk].organizations = organizations.verified
            rows[pk].organizations_pending = organizations.pending
    for pk, row in _grouped(
        Intervention.objects.public().filter(district=district, public_space__sector__isnull=False),
        "public_space__sector_id",
        n=Count("pk", filter=Q(status=FINISHED)),
        under_way=Count("pk", filter=~Q(status=FINISHED)),
    ).items():
        if pk in rows:
            rows[pk].interventions = row["n"]
            rows[pk].interventions_under_way = row["under_way"]
    for pk, n in confirmed_teams_by_sector(district).items():
        if pk in rows:
            rows[pk].festival_teams = n
    plan = plans_by_district([district.pk])[district.pk]
    confirmed, _unconfirmed = _company_pledges([district.pk], {district.pk: plan.results_year})
    for sector_pk, company_pk in (
        Allocation.objects.filter(
            pledge__company__district=district,
            pledge__state__in=PLEDGE_COUNTED,
            item__kit__intervention__in=Intervention.objects.filter(district=district).public(),
            item__kit__intervention__public_space__sector__isnull=False,
        )
        .values_list("item__kit__intervention__public_space__sector_id", "pledge__company_id")
        .distinct()
        .order_by()
    ):
        if sector_pk in rows:
            rows[sector_pk].companies_funding += 1
            usd = confirmed.get((district.pk, company_pk), Decimal(0))
            rows[sector_pk].companies += usd >= COMPANY_MIN_USD
    for funding in _funding_rows([district.pk], "public_space__sector_id"):
        if funding["k"] in rows and funding["status"] == FINISHED and funding["year"] in plan.years:
            rows[funding["k"]].funding_total += funding["s"] or 0
            if funding["source"] == FundingSource.PRIVATE:
                rows[funding["k"]].private += funding["s"] or 0
    from interventions.perception import index as perception_index

    for pk, estimate in perception_index.cohesion_by_sector(district).items():
        if pk in rows:
            rows[pk].cohesion = estimate
    return sorted(rows.values(), key=lambda r: r.number)


# The page families (santaanita/page_cache.py) whose writes change the figures: this app's
# (the impact generation), the spaces, the organizations and their work plans, the
# districts and the festival (named, not imported: this app does not import the festival).
RESULTS_PAGES = (
    "impact:generation",
    SPACE_PAGES,
    ORGANIZATION_PAGES,
    DISTRICT_PAGES,
    "pages:festival",
)
# Figures are cached under the versions of those families, so a write shows at once; the
# time bounds only what no service announces.
CACHE_SECONDS = 60


def cached_district(district: District) -> tuple[DistrictFigures, list[SectorRow]]:
    """The district's figures and sector rows, from the cache when fresh (no query then)."""
    from django.core.cache import cache

    key = f"results:{district.pk}:{results_version()}"
    found: tuple[DistrictFigures, list[SectorRow]] | None = cache.get(key)
    if found is None:
        found = (figures_by_district([district.pk])[district.pk], sector_rows(district))
        cache.set(key, found, CACHE_SECONDS)
    return found


def results_version() -> str:
    """The versions of what the figures count, as one cache key part: a key holding it is
    replaced at the first write that changes a figure."""
    return "-".join(str(v) for v in page_cache.versions(RESULTS_PAGES))


def pledges_by_state(district: District) -> list[dict[str, object]]:
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


def problem_reports(district: District) -> ReportFigures:
    """Residents' problem reports: received, fixed, median days to fix and the share the
    reporter confirmed fixed (mapping owns the facts and their definitions)."""
    return report_figures_by_district([district.pk])[district.pk]
