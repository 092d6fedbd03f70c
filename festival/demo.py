"""Demo data of the festival: "Zapatea Santa Anita" with five stages (one per sector),
22 teams of registry organizations with their proposals, workshop attendance, 9 judges
(judge@example.org among them), a finished stage with its results and outstanding teams,
and a stage in progress. Runs after mapping's demo (it needs its public spaces).

Idempotent: when the edition already has its teams, only the judges' passwords are reset.
Scores go through ``score_submit`` and the lock through ``stage_lock``, like on the day.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import TextIO

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from festival.models import Criterion, Edition, Judge, Proposal, Stage, Team, WorkshopSession
from festival.results import edition_results
from festival.services.scoring import score_submit
from festival.services.stages import large_scale_winner_set, outstanding_mark, stage_lock
from festival.services.teams import workshop_attendance_record
from mapping.models import PublicSpace
from platform_app.demo_logins import demo_password_set
from platform_app.models import District, Organization, Sector, User
from platform_app.permissions import Role
from platform_app.services.places import user_grant_role

SEED = 2026
TEAMS_PER_SECTOR = (5, 5, 4, 4, 4)  # 22 teams
CRITERIA = (
    ("Coreografía y ejecución", 3, "Dominio de los pasos, sincronía y energía.", False),
    (
        "Puesta en escena e innovación",
        2,
        "Uso del espacio, propuesta escénica, originalidad.",
        False,
    ),
    (
        "Participación multigeneracional",
        2,
        "Niñas, niños, jóvenes, adultos y mayores en escena.",
        False,
    ),
    ("Vestuario e identidad", 1, "Vestuario, música y raíces del barrio.", False),
    ("Organización y puntualidad", 1, "Llegada a tiempo, orden, cuidado del espacio.", True),
)
TEAM_NAMES = (
    "Raíces de Santa Anita",
    "Huaylas del Mercado",
    "Saya Los Ficus",
    "Marinera Cooperativa",
    "Caporales Universal",
    "Festejo Negro Santa Rosa",
    "Tondero del Canal",
    "Danza Joven Chancas",
    "Abuelos que Bailan",
    "Herencia Andina",
    "Los Portales Danzan",
    "Corazón Huanca",
    "Sol de Ate",
    "Pasos del Surco",
    "Ritmo Barrial",
    "Alegría Multifamiliar",
    "Kusi Tusuy",
    "Munay Sisa",
    "Sentimiento Ayacuchano",
    "Pukllay Santa Anita",
    "Nueva Ola Urbana",
    "Contradanza Vecinal",
)
STYLES = [s for s, _label in Team.DanceStyle.choices if s != "other"]
JUDGES = (
    ("judge@example.org", "Carmen", "Flores"),
    ("jurado2@example.org", "Óscar", "Paredes"),
    ("jurado3@example.org", "Elena", "Rojas"),
    ("jurado4@example.org", "Walter", "Salazar"),
    ("jurado5@example.org", "Gladys", "Ccori"),
    ("jurado6@example.org", "Renato", "Vidal"),
    ("jurado7@example.org", "Marisol", "Chávez"),
    ("jurado8@example.org", "Hugo", "Villanueva"),
    ("jurado9@example.org", "Teresa", "Aguilar"),
)
# Stage (by sector number) of each judge: the finished stage and the one in progress have
# three judges each; the three later stages one each so far.
JUDGE_STAGES = (2, 1, 1, 1, 2, 2, 3, 4, 5)
COMPANIES = (
    "Mercado Mayorista de Frutas",
    "Ferretería El Constructor",
    "Panadería Santa Rosa",
    "Transportes Los Andes",
    "Clínica del Valle",
    "Textil Santa Anita",
)


def _space_in(district: District, sector: Sector, rng: random.Random) -> PublicSpace:
    spaces = list(PublicSpace.objects.filter(district=district, sector=sector).order_by("name"))
    if spaces:
        return rng.choice(spaces)
    # Mapping's demo normally provides them; without it, one plausible park per sector.
    lon, lat = (-76.965 + 0.004 * (sector.number - 3), -12.043)
    return PublicSpace.objects.create(
        district=district,
        sector=sector,
        sector_set_by_hand=True,
        name=f"Parque del {sector.name}",
        category=PublicSpace.Category.PARK,
        geometry={"type": "Point", "coordinates": [lon, lat]},
    )


def _organizations(district: District, sector: Sector, wanted: int) -> list[Organization]:
    found = list(
        Organization.objects.filter(
            district=district, sector=sector, status=Organization.Status.VERIFIED
        )
        .exclude(festival_teams__isnull=False)
        .order_by("name")[:wanted]
    )
    index = 1
    while len(found) < wanted:
        organization, _created = Organization.objects.get_or_create(
            district=district,
            name=f"Asociación Cultural Danzas del {sector.name} {index}",
            defaults={
                "sector": sector,
                "typology": Organization.Typology.CULTURAL,
                "status": Organization.Status.VERIFIED,
            },
        )
        index += 1
        if organization not in found and not organization.festival_teams.exists():
            found.append(organization)
    return found


def _user(email: str, first: str, last: str, district: District, password: str) -> User:
    user, _created = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last, "district": district}
    )
    demo_password_set(user, password)
    user.save()
    user_grant_role(user=user, role=Role.JUDGE, district=district)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def seed(*, password: str, out: TextIO) -> None:
    district = District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)
    coordinator = User.objects.get(email="coordinator@example.org")
    representative = User.objects.get(email="representative@example.org")
    desk = User.objects.filter(email="desk@example.org").first() or coordinator
    rng = random.Random(SEED)  # noqa: S311 - a reproducible demo, not a secret
    today = timezone.localdate()
    judges_users = [_user(e, f, last, district, password) for e, f, last in JUDGES]

    edition, created = Edition.objects.get_or_create(
        district=district,
        year=today.year,
        defaults={
            "name": f"Zapatea Santa Anita {today.year}",
            "registration_opens_at": timezone.now() - timedelta(days=60),
            "registration_closes_at": timezone.now() - timedelta(days=10),
            "starts_on": today - timedelta(days=1),
            "ends_on": today + timedelta(days=21),
            "workshop_attendance_required": True,
            "normalization_enabled": False,
            "outstanding_per_stage": 2,
        },
    )
    if not created and edition.teams.exists():
        out.write(f"Festival: {edition.name} already loaded ({edition.teams.count()} teams).\n")
        return

    for order, (name, weight, description, is_org) in enumerate(CRITERIA, start=1):
        Criterion.objects.get_or_create(
            edition=edition,
            order=order,
            defaults={
                "name": name,
                "weight": Decimal(weight),
                "description": description,
                "is_organization": is_org,
            },
        )
    sessions = [
        WorkshopSession.objects.get_or_create(
            edition=edition,
            title=title,
            defaults={
                "starts_at": timezone.now() - timedelta(days=days),
                "place": "Auditorio municipal",
                "description": "Producción, seguridad y convocatoria de eventos culturales.",
            },
        )[0]
        for title, days in (
            ("Taller 1: producir un evento en el parque", 20),
            ("Taller 2: seguridad y convocatoria", 13),
        )
    ]
    sectors = list(district.sectors.order_by("number"))
    stages: dict[int, Stage] = {}
    for sector in sectors:
        # Sector 1 performed yesterday (finished), sector 2 is dancing today, the rest follow.
        day = today + timedelta(days={1: -1, 2: 0}.get(sector.number, 7 * (sector.number - 2)))
        stages[sector.number] = Stage.objects.get_or_create(
            edition=edition,
            sector=sector,
            defaults={
                "name": f"Sede {sector.name}",
                "starts_at": timezone.make_aware(datetime.combine(day, time(16, 0))),
                "location": _space_in(district, sector, rng),
            },
        )[0]

    names = iter(TEAM_NAMES)
    for sector, count in zip(sectors, TEAMS_PER_SECTOR, strict=False):
        for slot, organization in enumerate(_organizations(district, sector, count), start=1):
            team = Team.objects.create(
                edition=edition,
                organization=organization,
                sector=sector,
                name=next(names),
                representative=representative,
                dance_style=rng.choice(STYLES),
                dancers_children=rng.choice((0, 2, 4, 6)),
                dancers_youth=rng.randint(4, 14),
                dancers_adults=rng.choice((0, 2, 3, 6)),
                dancers_seniors=rng.choice((0, 0, 2, 3)),
                staging_description="Coreografía de barrio con cambio de vestuario.",
                music="Grabada y banda en vivo",
                needs="Sonido y un espacio de 10 × 10 m",
                status=Team.Status.CONFIRMED,
                stage=stages[sector.number],
                slot=slot,
            )
            Proposal.objects.create(
                team=team,
                public_space=_space_in(district, sector, rng),
                what="Pintar juegos, sembrar árboles y poner bancas.",
                why="El espacio está descuidado y las familias no lo usan de noche.",
                who="El elenco, la junta vecinal y los comerciantes de la cuadra.",
                materials="Pintura, plantones, 4 bancas de concreto.",
            )
            for session in sessions[: 1 + slot % 2]:
                workshop_attendance_record(session=session, team=team, actor=desk)

    stage_teams = {n: list(s.teams.order_by("slot")) for n, s in stages.items()}
    for index, (user, sector_number) in enumerate(zip(judges_users, JUDGE_STAGES, strict=True)):
        stage = stages[sector_number]
        # The demo judge belongs to the organization of one team of her stage: the judge
        # screen does not offer that team.
        judge_organization = stage_teams[2][-1].organization if index == 0 else None
        Judge.objects.update_or_create(
            edition=edition,
            user=user,
            defaults={
                "stage": stage,
                "organization": judge_organization,
                "company": "" if judge_organization else COMPANIES[index % len(COMPANIES)],
                "is_chair": index in (1, 5, 6, 7, 8),
            },
        )

    def score(user: User, team: Team, lenient: int) -> None:
        values = {
            str(c.pk): max(c.scale_min, min(c.scale_max, rng.randint(5, 9) + lenient))
            for c in edition.criteria.all()
        }
        score_submit(
            user=user,
            team_id=team.pk,
            values=values,
            client_updated_at=timezone.now(),
            idempotency_key=uuid.uuid4().hex,
            comment="",
            submit=True,
        )

    # The finished stage: every judge scored every team, the chair locked it, the committee
    # marked the outstanding teams and the winner of the large-scale transformation.
    for user, sector_number in zip(judges_users, JUDGE_STAGES, strict=True):
        if sector_number == 1:
            for team in stage_teams[1]:
                score(user, team, lenient=rng.choice((-1, 0, 1)))
    stage_lock(stage=stages[1], actor=coordinator)
    outstanding_mark(edition=edition, actor=coordinator)
    winner = edition_results(edition, locked_only=True).stage(stages[1].pk)[0]
    large_scale_winner_set(team=Team.objects.get(pk=winner.team_id), actor=coordinator)
    # The stage in progress: the first two performances scored by the other two judges.
    for user, sector_number in zip(judges_users[1:], JUDGE_STAGES[1:], strict=True):
        if sector_number == 2:
            for team in stage_teams[2][:2]:
                score(user, team, lenient=0)
    out.write(
        f"Festival: {edition.name}, {len(stages)} stages, {edition.teams.count()} teams, "
        f"{len(judges_users)} judges; {stages[1].name} finished, {stages[2].name} in progress.\n"
    )
