"""Lima-scale data on top of the demo: what the platform would hold for all of Lima.

    DATABASE_URL=… .venv/bin/python bench/lima_data.py [--seed 18]

(or ``generate()`` from bench/lima.py). Run after ``migrate`` and ``seed_demo``; it tops the
demo up to these totals, the figures of a city-wide deployment:

- 5,762 public spaces with 7,025 surveys, in the 43 districts (the real boundaries the
  migrations load), placed inside each district's limit with the demo's own placement;
- 2,142 organizations, 208 meetings with 810 agreements, 55 companies;
- two festival editions (the demo's and last year's, scored and locked).

Half of the organizations, meetings and agreements go to Santa Anita, so the demo logins'
pages see a district far bigger than the demo; the rest spread over the other districts.
Every row goes through the model's own ``save()`` or a service where the pages read what
they compute (a space's geometry and sector, a survey's score, a meeting's convocation,
a stage's results); plain rows (organizations, companies) are built by the test factories
and inserted in bulk. Reproducible: the same seed builds the same city. Not idempotent: run
it once on a fresh demo database.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

SPACES = 5762
SURVEYS = 7025
ORGANIZATIONS = 2142
MEETINGS = 208
AGREEMENTS = 810
COMPANIES = 55
HOME_SHARE = 0.5  # of the organizations, meetings and agreements, in Santa Anita


class Progress:
    """One line per step with its count and time, so a long load shows where it is."""

    def __init__(self, out: Callable[[str], None]) -> None:
        self.out = out
        self.started = time.perf_counter()
        self.step = self.started

    def __call__(self, message: str) -> None:
        now = time.perf_counter()
        self.out(f"  {message} ({now - self.step:.1f} s, {now - self.started:.1f} s in all)")
        self.step = now


def _spread(total: int, home_share: float, others: int) -> list[int]:
    """``total`` split into Santa Anita's share and an even share for ``others`` districts."""
    home = round(total * home_share)
    rest = total - home
    return [home] + [rest // others + (1 if i < rest % others else 0) for i in range(others)]


def generate(*, seed: int = 18, out: Callable[[str], None] = print) -> dict[str, int]:
    """Top the demo database up to Lima's totals; returns the counts reached."""
    from django.conf import settings
    from django.db import transaction

    from interventions.models import Company
    from mapping.models import PublicSpace, Survey
    from platform_app.models import Agreement, District, Meeting, Organization

    rng = random.Random(seed)
    progress = Progress(out)
    home = District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)
    others = list(District.objects.exclude(pk=home.pk).exclude(boundary=None).order_by("ubigeo"))
    with transaction.atomic():
        _organizations(rng, [home, *others], ORGANIZATIONS - Organization.objects.count())
        progress(f"{Organization.objects.count():,} organizations")
        _previous_edition(rng, home)  # its stages' spaces count in the total
        progress("last year's festival, scored and locked")
        _spaces(rng, others, SPACES - PublicSpace.objects.count())
        progress(f"{PublicSpace.objects.count():,} spaces in {len(others) + 1} districts")
        _surveys(rng, SURVEYS - Survey.objects.count())
        progress(f"{Survey.objects.count():,} surveys")
        _meetings(
            rng,
            [home, *others],
            MEETINGS - Meeting.objects.count(),
            AGREEMENTS - Agreement.objects.count(),
        )
        progress(f"{Meeting.objects.count():,} meetings, {Agreement.objects.count():,} agreements")
        _companies(others, COMPANIES - Company.objects.count())
        progress(f"{Company.objects.count():,} companies")
    return counts()


def counts() -> dict[str, int]:
    from festival.models import Edition
    from interventions.models import Company
    from mapping.models import PublicSpace, Survey
    from platform_app.models import Agreement, District, Meeting, Organization

    return {
        "districts": District.objects.count(),
        "spaces": PublicSpace.objects.count(),
        "surveys": Survey.objects.count(),
        "organizations": Organization.objects.count(),
        "meetings": Meeting.objects.count(),
        "agreements": Agreement.objects.count(),
        "editions": Edition.objects.count(),
        "companies": Company.objects.count(),
    }


def _spaces(rng: random.Random, districts: list, count: int) -> None:
    """Spaces placed inside each district's limit, more in the larger districts."""
    from shapely.geometry import shape
    from shapely.prepared import prep

    from mapping.demo import PLAN, _place
    from mapping.models import PublicSpace
    from tests.factories_mapping import PublicSpaceFactory

    shapes = [shape(d.boundary) for d in districts]
    areas = [prep(s.buffer(-0.0002)) for s in shapes]
    weights = [s.area for s in shapes]
    slots = [(category, size) for category, n, size in PLAN for _ in range(n)]
    for i in range(count):
        k = rng.choices(range(len(districts)), weights=weights)[0]
        category, size = rng.choice(slots)
        PublicSpaceFactory(
            district=districts[k],
            name=f"{PublicSpace.Category(category).label} {districts[k].name} {i}",
            slug=f"lima-{i}",
            category=category,
            geometry=_place(rng, areas[k], size, category),
        )


def _surveys(rng: random.Random, count: int) -> None:
    """Visits to the spaces without a survey, with the demo's SOPARC details; most verified,
    and each space's latest verified survey applied to it as the reviewer's approval does."""
    from django.utils import timezone

    from mapping.demo import _survey_details
    from mapping.models import PublicSpace, Survey
    from mapping.services import space_apply_latest_survey
    from platform_app.models import User

    surveyor = User.objects.get(email="surveyor@example.org")
    reviewer = User.objects.get(email="reviewer@example.org")
    spaces = list(PublicSpace.objects.filter(surveys__isnull=True).order_by("pk"))
    now = timezone.now()
    surveyed = set()
    for i in range(count):
        space = spaces[i % len(spaces)] if i < len(spaces) else rng.choice(spaces)
        observed = now - timedelta(days=rng.randint(5, 330), hours=rng.randint(0, 9))
        verified = rng.random() < 0.85
        survey = Survey.objects.create(
            space=space,
            surveyor=surveyor,
            client_uuid=uuid.UUID(int=rng.getrandbits(128)),
            observed_at=observed,
            status=Survey.Status.VERIFIED if verified else Survey.Status.SUBMITTED,
            submitted_at=observed,
            reviewer=reviewer if verified else None,
            reviewed_at=observed + timedelta(days=2) if verified else None,
            notes=rng.choice(["Juegos con óxido.", "Bien mantenido.", "Poca iluminación.", ""]),
        )
        _survey_details(rng, survey, rng.uniform(0.15, 0.95))
        if verified:
            surveyed.add(space.pk)
        if i % 1000 == 999:
            print(f"    … {i + 1:,} surveys", flush=True)
    for space in PublicSpace.objects.filter(pk__in=surveyed):
        space_apply_latest_survey(space=space)


def _organizations(rng: random.Random, districts: list, count: int) -> None:
    from platform_app.models import Organization
    from tests.factories_registry import OrganizationFactory

    typologies = Organization.Typology.values
    rows = []
    for k, n in enumerate(_spread(count, HOME_SHARE, len(districts) - 1)):
        district = districts[k]
        sectors = list(district.sectors.all()) or [None]
        for j in range(n):
            organization = OrganizationFactory.build(
                district=district,
                sector=rng.choice(sectors),
                name=f"Organización Vecinal {district.name} {j + 1}",
                typology=rng.choice(typologies),
                status=rng.choices(
                    [Organization.Status.VERIFIED, Organization.Status.PENDING], [0.85, 0.15]
                )[0],
                registration_code=f"LI-{district.ubigeo}-{j + 1:04d}",
            )
            organization.clean()  # the normalised name, as a registration computes it
            rows.append(organization)
    Organization.objects.bulk_create(rows, batch_size=500)


def _meetings(rng: random.Random, districts: list, meetings: int, agreements: int) -> None:
    """Past ordinary meetings through the services (agenda, convocation, agreements)."""
    from django.utils import timezone

    from platform_app.models import Meeting, Member, User
    from platform_app.services.agreements import agreement_record
    from platform_app.services.meetings import meeting_create

    # The services refuse a coordinator planning another district's meetings: the bench
    # tops up all 43 districts, so it acts as a superuser of its own (who cannot sign in).
    coordinator, created = User.objects.get_or_create(
        email="bench@example.org", defaults={"is_superuser": True}
    )
    if created:
        coordinator.set_unusable_password()
        coordinator.save(update_fields=["password"])
    now = timezone.now()
    per_district = _spread(meetings, HOME_SHARE, len(districts) - 1)
    created = []
    for k, n in enumerate(per_district):
        for j in range(n):
            starts = now - timedelta(days=7 * (j + 1), hours=rng.randint(0, 5))
            created.append(
                meeting_create(
                    district=districts[k],
                    kind=Meeting.Kind.ORDINARY,
                    title=f"Sesión ordinaria {j + 1} de {districts[k].name}",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    created_by=coordinator,
                    place="Municipalidad, sala de regidores",
                    agenda=["Informes", "Espacios públicos", "Festival"],
                    now=starts - timedelta(days=7),
                )
            )
    members: dict[int, list[Member]] = {}
    for member in Member.objects.all():
        members.setdefault(member.district_id, []).append(member)
    for i in range(agreements):
        meeting = created[i % len(created)]
        item = meeting.agenda_items.order_by("order")[i % 3]
        agreement_record(
            agenda_item=item,
            description=f"Acuerdo {i + 1}: coordinar la limpieza y el riego del parque",
            responsible=members.get(meeting.district_id, [])[:1],
            due_date=(meeting.starts_at + timedelta(days=rng.randint(7, 60))).date(),
            user=coordinator,
            now=meeting.starts_at,
        )


def _companies(districts: list, count: int) -> None:
    from interventions.models import Company
    from tests.factories_interventions import CompanyFactory, valid_ruc

    Company.objects.bulk_create(
        CompanyFactory.build(
            district=districts[i % len(districts)],
            name=f"Empresa Limeña {i + 1} S.A.C.",
            ruc=valid_ruc(50_000 + i),
            contact_email=f"contacto{i + 1}@empresa-lima.pe",
        )
        for i in range(count)
    )


def _previous_edition(rng: random.Random, district) -> None:
    """Last year's festival in Santa Anita: a stage per sector, 12 teams each, two judges
    per stage who scored every team through the judges' service, every stage locked."""
    from django.utils import timezone

    from festival.models import Edition, Team
    from festival.services.scoring import score_submit
    from festival.services.stages import stage_lock
    from platform_app.models import Organization, User
    from platform_app.permissions import Role
    from tests.factories import UserFactory
    from tests.factories_festival import (
        CriterionFactory,
        EditionFactory,
        JudgeFactory,
        ProposalFactory,
        StageFactory,
        TeamFactory,
    )
    from tests.factories_mapping import PublicSpaceFactory

    today = timezone.localdate()
    year = today.year - 1
    if Edition.objects.filter(district=district, year=year).exists():
        return
    now = timezone.now() - timedelta(days=365)
    edition = EditionFactory(
        district=district,
        name=f"Zapatea Santa Anita {year}",
        year=year,
        registration_opens_at=now - timedelta(days=60),
        registration_closes_at=now - timedelta(days=20),
        starts_on=(now - timedelta(days=1)).date(),
        ends_on=now.date(),
    )
    criteria = [
        CriterionFactory(edition=edition, name=name, weight=Decimal(w), order=i)
        for i, (name, w) in enumerate([("Coreografía", 3), ("Vestuario", 2), ("Música", 1)], 1)
    ]
    coordinator = User.objects.get(email="coordinator@example.org")
    representative = User.objects.get(email="representative@example.org")
    organizations = list(Organization.objects.filter(district=district).order_by("pk")[:60])
    for sector in district.sectors.order_by("number"):
        stage = StageFactory(edition=edition, sector=sector, starts_at=now)
        judges = [
            JudgeFactory(
                edition=edition,
                stage=stage,
                is_chair=i == 0,
                user=UserFactory(role=Role.JUDGE, district=district),
            )
            for i in range(2)
        ]
        for slot in range(1, 13):
            team = TeamFactory(
                edition=edition,
                sector=sector,
                organization=organizations.pop(),
                representative=representative,
                name=f"Elenco {sector.number}-{slot} ({year})",
                status=Team.Status.CONFIRMED,
                stage=stage,
                slot=slot,
            )
            ProposalFactory(
                team=team,
                public_space=PublicSpaceFactory(
                    district=district, name=f"Parque del elenco {sector.number}-{slot}"
                ),
            )
            for judge in judges:
                score_submit(
                    user=judge.user,
                    team_id=team.pk,
                    values={str(c.pk): rng.randint(5, 10) for c in criteria},
                    client_updated_at=now,
                    idempotency_key=uuid.UUID(int=rng.getrandbits(128)).hex,
                    submit=True,
                )
        stage_lock(stage=stage, actor=coordinator, missing_sheets_accepted=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]
    import django

    django.setup()
    started = time.perf_counter()
    print("Lima-scale data on top of the demo:")
    reached = generate(seed=args.seed)
    print(f"done in {time.perf_counter() - started:.0f} s: {reached}")


if __name__ == "__main__":
    main()
