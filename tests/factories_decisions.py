"""Factories of shared decisions: votes and their options, polls and theirs."""

from __future__ import annotations

import factory

from platform_app.decisions.models import Poll, PollOption, Vote, VoteOption
from tests.factories_platform import AgendaItemFactory, _santa_anita


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    agenda_item = factory.SubFactory(AgendaItemFactory)
    question = factory.Sequence(lambda n: f"¿Aprobamos la propuesta {n}?")
    kind = Vote.Kind.YES_NO


class VoteOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VoteOption

    vote = factory.SubFactory(VoteFactory)
    order = factory.Sequence(lambda n: n + 1)
    label = factory.Sequence(lambda n: f"Opción {n}")


class PollFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Poll

    district = factory.LazyFunction(_santa_anita)
    title = factory.Sequence(lambda n: f"Consulta {n}")
    question = "¿Dónde ponemos el escenario del festival?"


class PollOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PollOption

    poll = factory.SubFactory(PollFactory)
    order = factory.Sequence(lambda n: n + 1)
    label = factory.Sequence(lambda n: f"Parque {n}")
