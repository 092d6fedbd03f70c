"""Factories of the interventions app (one per model it tests) on top of the other apps'."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from django.conf import settings
from stdnum.pe import ruc as stdnum_ruc

from interventions.models import (
    BudgetLine,
    Company,
    FundraisingEvent,
    Intervention,
    Kit,
    KitItem,
    KitTemplate,
    KitTemplateItem,
    MaintenanceGuide,
    MaintenanceTask,
    Pledge,
)
from platform_app.models import District
from tests.factories_mapping import PublicSpaceFactory


def valid_ruc(n: int) -> str:
    """A valid company RUC (SUNAT check digit) for tests."""
    body = f"20{n:08d}"
    return body + stdnum_ruc.calc_check_digit(body)


def santa_anita() -> District:
    return District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    district = factory.LazyFunction(santa_anita)
    name = factory.Sequence(lambda n: f"Empresa {n} S.A.C.")
    ruc = factory.Sequence(lambda n: valid_ruc(n + 100))
    activity = Company.Activity.COMMERCE
    contact_name = "Jorge Salinas"
    contact_email = factory.Sequence(lambda n: f"contacto{n}@empresa.pe")
    contact_phone = "999 888 777"


class FundraisingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundraisingEvent

    district = factory.LazyFunction(santa_anita)
    name = "Desayuno de recaudación"
    date = date(2026, 3, 10)


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pledge

    company = factory.SubFactory(CompanyFactory)
    kind = Pledge.Kind.MONEY
    currency = Pledge.Currency.PEN
    amount = Decimal("1000.00")
    exchange_rate = Decimal("3.7500")
    rate_date = date(2026, 3, 10)
    state = Pledge.State.CONFIRMED


class KitTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KitTemplate

    district = factory.LazyFunction(santa_anita)
    name = factory.Sequence(lambda n: f"Kit básico {n}")


class KitTemplateItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KitTemplateItem

    template = factory.SubFactory(KitTemplateFactory)
    name = factory.Sequence(lambda n: f"Banca {n}")
    category = "furniture"
    unit = "unidad"
    quantity = Decimal("4")
    unit_cost_pen = Decimal("250.00")
    care = "Lijar y barnizar cada seis meses."


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    district = factory.LazyFunction(santa_anita)
    public_space = factory.SubFactory(PublicSpaceFactory)
    title = factory.Sequence(lambda n: f"Intervención {n}")
    status = Intervention.Status.CO_DESIGN
    starts_on = date(2026, 4, 1)


class KitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kit

    intervention = factory.SubFactory(InterventionFactory)


class KitItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KitItem

    kit = factory.SubFactory(KitFactory)
    name = factory.Sequence(lambda n: f"Ítem {n}")
    category = "material"
    unit = "galón"
    quantity = Decimal("10")
    unit_cost_pen = Decimal("100.00")


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    intervention = factory.SubFactory(InterventionFactory)
    description = "Mano de obra municipal"
    source = "municipal"
    amount_pen = Decimal("500.00")


class MaintenanceGuideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaintenanceGuide

    intervention = factory.SubFactory(InterventionFactory)
    responsible_email = "junta@example.org"


class MaintenanceTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaintenanceTask

    guide = factory.SubFactory(MaintenanceGuideFactory)
    title = "Regar las plantas"
    first_on = date(2026, 7, 1)
    every_months = 1
