"""Factories of the festival's models (one per model) and a small festival builder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import factory
from django.conf import settings
from django.utils import timezone

from festival.models import (
    Criterion,
    Edition,
    Judge,
    JudgeConflict,
    Proposal,
    ScoreSheet,
    Stage,
    Team,
    WorkshopAttendance,
    WorkshopSession,
)
from mapping.models import PublicSpace
from platform_app.models import District, Organization, Sector, User
from platform_app.permissions import Role
from tests.factories import UserFactory


def santa_anita() -> District:
    return District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)


def sector(number: int) -> Sector:
    return Sector.objects.get(district=santa_anita(), number=number)


class SpaceFactory(factory.django.DjangoModelFactory):
    """A public space placed in a sector by hand (its point need not fall inside it)."""

    class Meta:
        model = PublicSpace

    district = factory.LazyFunction(santa_anita)
    sector = factory.LazyFunction(lambda: sector(1))
    sector_set_by_hand = True
    name = factory.Sequence(lambda n: f"Parque {n}")
    category = PublicSpace.Category.PARK
    geometry = factory.LazyFunction(lambda: {"type": "Point", "coordinates": [-76.965, -12.043]})


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    district = factory.LazyFunction(santa_anita)
    sector = factory.LazyFunction(lambda: sector(1))
    name = factory.Sequence(lambda n: f"Asociación Cultural {n}")
    typology = Organization.Typology.CULTURAL
    status = Organization.Status.VERIFIED


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition

    district = factory.LazyFunction(santa_anita)
    name = factory.Sequence(lambda n: f"Zapatea Santa Anita {2026 + n}")
    year = factory.Sequence(lambda n: 2026 + n)
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    registration_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    starts_on = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=20)).date())
    ends_on = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=25)).date())
    workshop_attendance_required = False


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    edition = factory.SubFactory(EditionFactory)
    sector = factory.LazyFunction(lambda: sector(1))
    name = factory.LazyAttribute(lambda o: f"Sede {o.sector.name}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    edition = factory.SubFactory(EditionFactory)
    organization = factory.SubFactory(OrganizationFactory)
    sector = factory.LazyFunction(lambda: sector(1))
    name = factory.Sequence(lambda n: f"Elenco {n}")
    representative = factory.SubFactory(UserFactory, role=Role.REPRESENTATIVE)
    dance_style = Team.DanceStyle.HUAYLAS
    dancers_youth = 8
    dancers_adults = 4


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    team = factory.SubFactory(TeamFactory)
    public_space = factory.SubFactory(SpaceFactory)
    what = "Pintar y sembrar"
    why = "El parque está abandonado"
    who = "Vecinos y el elenco"


class WorkshopSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopSession

    edition = factory.SubFactory(EditionFactory)
    title = factory.Sequence(lambda n: f"Taller {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=5))


class WorkshopAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopAttendance

    session = factory.SubFactory(WorkshopSessionFactory)
    team = factory.SubFactory(TeamFactory)
    recorded_by = factory.SubFactory(UserFactory, role=Role.DESK)


class JudgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Judge

    edition = factory.SubFactory(EditionFactory)
    user = factory.SubFactory(UserFactory, role=Role.JUDGE)


class JudgeConflictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JudgeConflict

    judge = factory.SubFactory(JudgeFactory)
    team = factory.SubFactory(TeamFactory)
    reason = "Familiar directo"


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Criterio {n}")
    weight = Decimal(1)
    order = factory.Sequence(lambda n: n + 1)


class ScoreSheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoreSheet

    judge = factory.SubFactory(JudgeFactory)
    team = factory.SubFactory(TeamFactory)
    client_updated_at = factory.LazyFunction(timezone.now)
    idempotency_key = factory.Sequence(lambda n: f"key-{n}")


CRITERIA = (
    ("Coreografía y ejecución", Decimal(3), False),
    ("Puesta en escena e innovación", Decimal(2), False),
    ("Organización y puntualidad", Decimal(1), True),
)


@dataclass
class Festival:
    edition: Edition
    stage: Stage
    criteria: list[Criterion]
    teams: list[Team]
    judges: list[Judge]

    def judge_user(self, index: int = 0) -> User:
        return self.judges[index].user


def build_festival(*, teams: int = 3, judges: int = 2, sector_number: int = 1) -> Festival:
    """One edition, one stage in the sector, confirmed teams in running order, judges
    assigned to the stage (the first is the chair), three weighted criteria on 1–10."""
    edition = EditionFactory()
    stage_sector = sector(sector_number)
    stage = StageFactory(edition=edition, sector=stage_sector)
    criteria = [
        CriterionFactory(edition=edition, name=name, weight=weight, order=i, is_organization=is_org)
        for i, (name, weight, is_org) in enumerate(CRITERIA, start=1)
    ]
    team_list = []
    for slot in range(1, teams + 1):
        team = TeamFactory(
            edition=edition,
            sector=stage_sector,
            organization=OrganizationFactory(sector=stage_sector),
            status=Team.Status.CONFIRMED,
            stage=stage,
            slot=slot,
        )
        ProposalFactory(team=team, public_space=SpaceFactory(sector=stage_sector))
        team_list.append(team)
    judge_list = [
        JudgeFactory(edition=edition, stage=stage, is_chair=(i == 0), company=f"Empresa {i}")
        for i in range(judges)
    ]
    return Festival(edition, stage, criteria, team_list, judge_list)
