"""Factories of the mapping app (spaces inside Santa Anita, surveys, assignments)."""

from __future__ import annotations

import uuid

import factory
from django.conf import settings
from django.utils import timezone

from mapping.models import Assignment, Observation, PublicSpace, Survey
from mapping.reports_models import MunicipalArea, Report, ReportCategory
from platform_app.models import District


def santa_anita() -> District:
    return District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)


def point_near_centre(district: District, n: int) -> dict:
    """A point inside the district: a small spiral around its centre (Santa Anita is ~10 km²)."""
    step = (n % 40) * 0.0002
    dx = step if n % 2 else -step
    dy = step if n % 4 < 2 else -step
    return {
        "type": "Point",
        "coordinates": [district.centre_lon + dx / 2, district.centre_lat + dy / 2],
    }


class PublicSpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublicSpace

    district = factory.LazyFunction(santa_anita)
    name = factory.Sequence(lambda n: f"Parque {n}")
    slug = factory.Sequence(lambda n: f"parque-{n}")
    category = PublicSpace.Category.PARK
    geometry = factory.LazyAttributeSequence(lambda o, n: point_near_centre(o.district, n))


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    space = factory.SubFactory(PublicSpaceFactory)
    surveyor = factory.SubFactory("tests.factories.UserFactory", role="surveyor")
    client_uuid = factory.LazyFunction(uuid.uuid4)
    observed_at = factory.LazyFunction(timezone.now)
    status = Survey.Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class ObservationFactory(factory.django.DjangoModelFactory):
    """One cell of a survey's SOPARC count (zone, age group, sex, activity)."""

    class Meta:
        model = Observation

    survey = factory.SubFactory(SurveyFactory)
    zone = "Zona de juegos"
    observed_at = factory.SelfAttribute("survey.observed_at")
    age_group = Observation.AgeGroup.TEENS
    sex = Observation.Sex.MALE
    activity = Observation.Activity.VIGOROUS
    count = 1


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    space = factory.SubFactory(PublicSpaceFactory)
    surveyor = factory.SubFactory("tests.factories.UserFactory", role="surveyor")


class MunicipalAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MunicipalArea
        django_get_or_create = ("district", "category")

    district = factory.LazyFunction(santa_anita)
    category = ReportCategory.LIGHTING
    name = "Subgerencia de Obras Públicas"
    email = "obras@example.org"


class ReportFactory(factory.django.DjangoModelFactory):
    """A received report of a space (tests of reads; writes go through report_submit)."""

    class Meta:
        model = Report

    space = factory.SubFactory(PublicSpaceFactory)
    district = factory.LazyAttribute(lambda o: o.space.district)
    sector = factory.LazyAttribute(lambda o: o.space.sector)
    category = ReportCategory.LIGHTING
    description = "Poste apagado"
    latitude = factory.LazyAttribute(lambda o: o.space.centroid_lat)
    longitude = factory.LazyAttribute(lambda o: o.space.centroid_lon)
    client_uuid = factory.LazyFunction(uuid.uuid4)
