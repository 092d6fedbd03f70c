"""Factories of the collaborative platform."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.conf import settings
from django.utils import timezone

from platform_app.models import (
    AgendaItem,
    Agreement,
    District,
    Meeting,
    Member,
    Objective,
    PlatformSettings,
    User,
)
from platform_app.permissions import Role
from tests.factories import UserFactory


def _santa_anita() -> District:
    return District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    district = factory.LazyFunction(_santa_anita)
    user = factory.SubFactory(
        UserFactory, role=Role.MEMBER, district=factory.SelfAttribute("..district")
    )
    sector = factory.Iterator(
        ["municipality", "business", "community", "academia", "youth", "culture"]
    )
    age_group = "adult"


class PlatformSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformSettings
        django_get_or_create = ("district",)

    district = factory.LazyFunction(_santa_anita)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    district = factory.LazyFunction(_santa_anita)
    kind = Meeting.Kind.ORDINARY
    title = factory.Sequence(lambda n: f"Sesión ordinaria {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    place = "Municipalidad de Santa Anita, sala de regidores"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Punto {n}")


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    agenda_item = factory.SubFactory(AgendaItemFactory)
    district = factory.SelfAttribute("agenda_item.meeting.district")
    description = factory.Sequence(lambda n: f"Acuerdo {n}: limpiar el parque")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))

    @factory.post_generation
    def responsible(self, create, extracted, **kwargs):
        if create and extracted:
            self.responsible.set(extracted)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    district = factory.LazyFunction(_santa_anita)
    axis = "platform"
    title = factory.Sequence(lambda n: f"Objetivo {n}")


def platform_admin() -> User:
    """A superuser, for the ``actor`` of meeting and work-plan services in tests of what
    the services do rather than of who may call them (those are the ladder tests)."""
    user: User = UserFactory(is_superuser=True)
    return user
