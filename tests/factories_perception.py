"""Factories of the perception survey (one per model)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import factory
from django.conf import settings
from django.utils import timezone

from interventions.models import (
    ImpactPlan,
    PerceptionResponse,
    Question,
    QuestionnaireVersion,
    ReferenceValue,
    SectorPopulation,
    Wave,
)
from platform_app.models import District, Sector


def santa_anita() -> District:
    return District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)


class QuestionnaireVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionnaireVersion

    district = factory.LazyFunction(santa_anita)
    number = factory.Sequence(lambda n: n + 1)
    title = "Encuesta de percepción"
    consent_text = "Encuesta anónima y voluntaria."


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    version = factory.SubFactory(QuestionnaireVersionFactory)
    position = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"item_{n}")
    dimension = "trust"
    scale = "agreement"
    text = factory.Sequence(lambda n: f"Pregunta {n}")
    in_index = True


class SectorPopulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SectorPopulation

    sector = factory.LazyFunction(lambda: Sector.objects.filter(district=santa_anita()).first())
    population = 10000
    source = "Prueba"
    year = 2025


class WaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wave

    district = factory.LazyFunction(santa_anita)
    name = factory.Sequence(lambda n: f"Ola {n}")
    kind = "follow_up"
    questionnaire = factory.SubFactory(QuestionnaireVersionFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))


class PerceptionResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PerceptionResponse

    wave = factory.SubFactory(WaveFactory)
    version = factory.LazyAttribute(lambda o: o.wave.questionnaire)
    client_uuid = factory.LazyFunction(uuid.uuid4)
    channel = "volunteer"
    answers = factory.LazyFunction(dict)
    collected_on = factory.LazyFunction(date.today)


class ImpactPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImpactPlan

    district = factory.LazyFunction(santa_anita)
    first_year = 2025
    results_year = 2026


class ReferenceValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferenceValue

    district = factory.LazyFunction(santa_anita)
    key = "complaints"
    value = 824
    observed_on = date(2023, 3, 31)
    source = "INEI, 2023"
