"""Team registration: the proposal's space must lie in the team's sector unless a
coordinator overrides with a reason; registration closes at the period's end; coordinators
confirm teams and give them a stage and a slot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from festival.models import Team
from festival.services.teams import (
    proposal_set_space,
    team_confirm,
    team_register,
    workshop_attendance_record,
)
from platform_app.models import Organization
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_festival import (
    EditionFactory,
    OrganizationFactory,
    SpaceFactory,
    StageFactory,
    TeamFactory,
    WorkshopSessionFactory,
    sector,
)

pytestmark = pytest.mark.django_db


def register(edition, actor, space, **extra):
    fields = {
        "edition": edition,
        "actor": actor,
        "sector": sector(2),
        "name": "Elenco Raíces",
        "dance_style": Team.DanceStyle.MARINERA,
        "public_space": space,
        "what": "Murales y bancas",
        "why": "El parque no tiene dónde sentarse",
        "who": "El elenco y la junta vecinal",
        "organization": OrganizationFactory(sector=sector(2)),
        "dancers_children": 4,
        "dancers_adults": 6,
        "dancers_seniors": 2,
    }
    fields.update(extra)
    return team_register(**fields)


def test_representative_registers_a_team_with_a_space_of_its_sector():
    representative = UserFactory(role=Role.REPRESENTATIVE)
    space = SpaceFactory(sector=sector(2), name="Parque Los Ficus")
    team = register(EditionFactory(), representative, space)
    assert team.status == Team.Status.REGISTERED
    assert team.representative == representative
    assert team.proposal.public_space == space
    assert team.is_multigenerational  # 4 children, 6 adults, 2 seniors: three groups of ≥2


def test_space_outside_the_sector_is_refused_with_a_clear_message():
    representative = UserFactory(role=Role.REPRESENTATIVE)
    space = SpaceFactory(sector=sector(4), name="Parque Ecológico")
    with pytest.raises(ValidationError) as refused:
        register(EditionFactory(), representative, space, sector_override_reason="Queda cerca")
    message = refused.value.message_dict["public_space"][0]
    assert "Parque Ecológico" in message
    assert sector(4).name in message
    assert sector(2).name in message
    assert not Team.objects.exists()


def test_coordinator_overrides_the_sector_with_a_reason():
    coordinator = UserFactory(role=Role.COORDINATOR)
    space = SpaceFactory(sector=sector(4))
    edition = EditionFactory()
    with pytest.raises(ValidationError) as no_reason:
        register(edition, coordinator, space)
    assert "sector_override_reason" in no_reason.value.message_dict
    team = register(edition, coordinator, space, sector_override_reason="Único parque grande")
    assert team.proposal.sector_overridden_by == coordinator
    assert team.proposal.sector_override_reason == "Único parque grande"


def test_coordinator_overrides_a_representatives_proposal_afterwards():
    representative = UserFactory(role=Role.REPRESENTATIVE)
    coordinator = UserFactory(role=Role.COORDINATOR)
    team = register(EditionFactory(), representative, SpaceFactory(sector=sector(2)))
    outside = SpaceFactory(sector=sector(5))
    with pytest.raises(ValidationError):
        proposal_set_space(
            proposal=team.proposal,
            actor=representative,
            public_space=outside,
            sector_override_reason="Por favor",
        )
    proposal_set_space(
        proposal=team.proposal,
        actor=coordinator,
        public_space=outside,
        sector_override_reason="Acordado en la sesión de mayo",
    )
    team.proposal.refresh_from_db()
    assert team.proposal.public_space == outside


def test_registration_closes_at_the_end_of_the_period():
    edition = EditionFactory(
        registration_opens_at=timezone.now() - timedelta(days=20),
        registration_closes_at=timezone.now() - timedelta(minutes=1),
    )
    with pytest.raises(ValidationError, match=r"Registration is closed|inscripción"):
        register(edition, UserFactory(role=Role.REPRESENTATIVE), SpaceFactory(sector=sector(2)))


def test_a_resident_may_not_register_a_team():
    with pytest.raises(PermissionDenied):
        register(EditionFactory(), UserFactory(role=Role.RESIDENT), SpaceFactory(sector=sector(2)))


def test_a_new_organization_goes_to_the_registry_for_review():
    team = register(
        EditionFactory(),
        UserFactory(role=Role.REPRESENTATIVE),
        SpaceFactory(sector=sector(2)),
        organization=None,
        new_organization_name="Juventud Danzante Los Portales",
        new_organization_typology=Organization.Typology.YOUTH,
    )
    assert team.organization.status == Organization.Status.PENDING
    assert team.organization.sector == sector(2)


def test_multigenerational_rule_needs_three_groups_of_two():
    assert not TeamFactory.build(
        dancers_children=1, dancers_youth=5, dancers_seniors=1
    ).is_multigenerational
    assert TeamFactory.build(
        dancers_children=2, dancers_youth=0, dancers_adults=2, dancers_seniors=2
    ).is_multigenerational


def test_coordinator_confirms_a_team_into_a_free_slot():
    coordinator = UserFactory(role=Role.COORDINATOR)
    edition = EditionFactory(workshop_attendance_required=True)
    stage = StageFactory(edition=edition)
    first, second = TeamFactory(edition=edition), TeamFactory(edition=edition)
    with pytest.raises(ValidationError, match=r"workshop|taller"):
        team_confirm(team=first, actor=coordinator, stage=stage, slot=1)
    session = WorkshopSessionFactory(edition=edition)
    for team in (first, second):
        workshop_attendance_record(session=session, team=team, actor=UserFactory(role=Role.DESK))
    team_confirm(team=first, actor=coordinator, stage=stage, slot=1)
    with pytest.raises(ValidationError) as taken:
        team_confirm(team=second, actor=coordinator, stage=stage, slot=1)
    assert "slot" in taken.value.message_dict
    team_confirm(team=second, actor=coordinator, stage=stage, slot=2)
    assert list(Team.objects.in_running_order().values_list("slot", "status")) == [
        (1, "confirmed"),
        (2, "confirmed"),
    ]


def test_coordinator_of_another_district_may_not_confirm(other_district):
    coordinator = UserFactory(role=Role.COORDINATOR, district=other_district)
    team = TeamFactory()
    with pytest.raises(PermissionDenied):
        team_confirm(team=team, actor=coordinator, stage=StageFactory(edition=team.edition), slot=1)
