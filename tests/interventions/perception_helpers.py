"""A small perception survey set up through the services, shared by the perception tests."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from interventions.models import Wave
from interventions.perception import services
from platform_app.models import District

QUESTIONS = [
    services.QuestionData("confianza", "trust", "agreement", "Confío en mis vecinos.", True),
    services.QuestionData("seguridad", "safety_in", "agreement", "Me siento seguro/a.", True),
    services.QuestionData("participa", "participation", "frequency", "Participo.", True),
    services.QuestionData("cuidar", "willingness", "agreement", "Cuidaría el parque.", True),
    services.QuestionData("uso", "use", "frequency", "Uso el parque.", False),
]
POPULATIONS = [4000, 3000, 2000, 1000, 500]


def setup_survey(district: District, *, kind: str = "baseline", populations: bool = True) -> Wave:
    if populations:
        for sector, population in zip(
            district.sectors.order_by("number"), POPULATIONS, strict=False
        ):
            services.sector_population_set(
                actor=None, sector=sector, population=population, source="Prueba", year=2025
            )
    version = services.questionnaire_publish(
        district=district,
        title="Encuesta",
        consent_text="Anónima y voluntaria.",
        questions=QUESTIONS,
        by=None,
    )
    return services.wave_create(
        actor=None,
        district=district,
        name="Línea de base" if kind == "baseline" else "Seguimiento",
        kind=kind,
        questionnaire=version,
        starts_on=timezone.localdate() - timedelta(days=5),
        ends_on=timezone.localdate() + timedelta(days=5),
    )


def answer(wave: Wave, level: int, **profile: Any) -> Any:
    """One consented answer with every index item at ``level``."""
    response, _created = services.perception_response_record(
        wave=wave,
        answer=services.Answer(
            client_uuid=profile.pop("client_uuid", uuid.uuid4()),
            answers={
                "confianza": level,
                "seguridad": level,
                "participa": level,
                "cuidar": level,
                "uso": 3,
            },
            collected_on=timezone.localdate(),
            **profile,
        ),
        channel="volunteer",
        consented=True,
    )
    return response
