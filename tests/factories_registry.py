from __future__ import annotations

import datetime as dt

import factory
from django.conf import settings
from django.utils import timezone

from platform_app.models import Campaign, Contact, District, Organization, OrganizationEvent


def santa_anita() -> District:
    return District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    district = factory.LazyFunction(santa_anita)
    sector = factory.LazyAttribute(lambda o: o.district.sectors.order_by("number").first())
    name = factory.Sequence(lambda n: f"Club Deportivo Número {n}")
    typology = Organization.Typology.SPORTS
    status = Organization.Status.VERIFIED
    directory_consent = True
    channel = Organization.Channel.ONLINE
    activities = "Fulbito los domingos en el parque."
    registration_code = factory.Sequence(lambda n: f"SA-2026-{n + 9000:04d}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Contacto Privado {n}")
    phone = factory.Sequence(lambda n: f"+51987{n:06d}")
    email = factory.Sequence(lambda n: f"contacto{n}@privado.example")


class OrganizationEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationEvent

    organization = factory.SubFactory(OrganizationFactory)
    action = OrganizationEvent.Action.REGISTERED


class CampaignFactory(factory.django.DjangoModelFactory):
    """A campaign whose desk week and online period include today."""

    class Meta:
        model = Campaign

    district = factory.LazyFunction(santa_anita)
    name = "Convocatoria 2026"
    desk_starts = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=2))
    desk_ends = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=4))
    online_starts = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    online_ends = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=20))
