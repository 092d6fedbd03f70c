"""Demo data of the impact measurement: Santa Anita's baseline figures, the questionnaire,
the sector populations and two perception waves (a baseline of about 400 answers across
the five sectors and a follow-up), so the dashboard shows a change.

Answers go through ``perception_responses_bulk_record`` (the same validation and scoring
as one by one, in batches) so seeding stays fast. Every figure here is demo data and says
so where it could be mistaken for a real one (the sector populations).
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TextIO

from django.utils import timezone

from interventions.models import (
    Dimension,
    Intervention,
    QuestionnaireVersion,
    ReferenceValue,
    Scale,
    Wave,
)
from interventions.perception import services
from platform_app.models import District, User

if TYPE_CHECKING:
    from mapping.models import PublicSpace

NAMESPACE = uuid.UUID("5a7d7f4e-3c55-4d0b-9d4e-2d3a1c0e6a11")

QUESTIONS = (
    (
        "confianza_vecinos",
        Dimension.TRUST,
        Scale.AGREEMENT,
        True,
        "Se puede confiar en la mayoría de las personas de mi barrio.",
    ),
    (
        "ayuda_vecinos",
        Dimension.TRUST,
        Scale.AGREEMENT,
        True,
        "Si tuviera un problema, mis vecinos me ayudarían.",
    ),
    (
        "seguridad_dentro",
        Dimension.SAFETY_IN,
        Scale.AGREEMENT,
        True,
        "Me siento seguro/a dentro del parque o espacio público más cercano a mi casa.",
    ),
    (
        "seguridad_alrededor",
        Dimension.SAFETY_AROUND,
        Scale.AGREEMENT,
        True,
        "Me siento seguro/a caminando por los alrededores de ese espacio, también de noche.",
    ),
    (
        "uso_espacio",
        Dimension.USE,
        Scale.FREQUENCY,
        False,
        "¿Con qué frecuencia usa el espacio público más cercano a su casa?",
    ),
    (
        "participacion",
        Dimension.PARTICIPATION,
        Scale.FREQUENCY,
        True,
        "¿Con qué frecuencia participa en una organización del barrio (junta vecinal, club, "
        "grupo cultural o deportivo)?",
    ),
    (
        "satisfaccion",
        Dimension.SATISFACTION,
        Scale.SATISFACTION,
        False,
        "¿Qué tan satisfecho/a está con el espacio público más cercano a su casa?",
    ),
    (
        "disposicion_cuidar",
        Dimension.WILLINGNESS,
        Scale.AGREEMENT,
        True,
        "Estaría dispuesto/a a participar en el cuidado y mantenimiento de ese espacio.",
    ),
)

CONSENT = (
    "Esta encuesta de la Plataforma de Espacios Públicos de Santa Anita y la Universidad "
    "de San Martín de Porres mide la confianza entre vecinos y la percepción de los espacios "
    "públicos. Es anónima y voluntaria: no pedimos su nombre, teléfono ni correo, puede "
    "dejar preguntas sin responder y terminar cuando quiera. Los resultados se publican solo "
    "en conjunto, nunca para menos de 5 personas."
)

# Adults per sector: DEMO estimates, not census figures (a coordinator replaces them).
POPULATIONS = (41000, 36500, 33000, 30500, 28000)

REFERENCES = (
    (
        "crime_victims",
        "68",
        "%",
        date(2023, 6, 30),
        "junio 2023",
        "Asociación Ciudad Viva, encuesta a 56 vecinos (documento fundacional)",
    ),
    (
        "complaints",
        "824",
        "denuncias",
        date(2023, 3, 31),
        "enero–marzo 2023",
        "INEI, 2023 (documento fundacional)",
    ),
    (
        "spaces_fair",
        "60",
        "%",
        date(2023, 6, 30),
        "junio 2023",
        "Asociación Ciudad Viva, encuesta de junio 2023 (documento fundacional)",
    ),
    (
        "spaces_bad",
        "32",
        "%",
        date(2023, 6, 30),
        "junio 2023",
        "Asociación Ciudad Viva, encuesta de junio 2023 (documento fundacional)",
    ),
    ("companies", "290", "empresas", date(2023, 6, 30), "", "Documento fundacional del proyecto"),
    ("parks", "134", "parques", date(2023, 6, 30), "", "Documento fundacional del proyecto"),
)

PER_SECTOR = 80  # five sectors: 400 answers per wave


def _answers(rng: random.Random, level: float) -> dict[str, int]:
    """One respondent: a latent attitude around ``level`` with item noise, on 1–5."""
    person = rng.gauss(level, 0.8)
    return {code: max(1, min(5, round(person + rng.gauss(0, 0.7)))) for code, *_rest in QUESTIONS}


def _wave_answers(
    *, district: District, levels: list[float], day: date, tag: str
) -> list[services.Answer]:
    rng = random.Random(f"{district.ubigeo}-{tag}")  # noqa: S311 - demo data, not security
    sectors = list(district.sectors.order_by("number"))
    near: dict[int, list[PublicSpace]] = {}
    for intervention in Intervention.objects.filter(district=district).select_related(
        "public_space"
    ):
        space = intervention.public_space
        if space.sector_id:
            near.setdefault(space.sector_id, []).append(space)
    result = []
    for sector, level in zip(sectors, levels, strict=False):
        for n in range(PER_SECTOR):
            spaces = near.get(sector.pk, [])
            result.append(
                services.Answer(
                    client_uuid=uuid.uuid5(NAMESPACE, f"{tag}-{sector.number}-{n}"),
                    answers=_answers(rng, level),
                    collected_on=day + timedelta(days=n % 20),
                    # A few respondents skip the optional questions about themselves.
                    sector=sector if n % 25 else None,
                    age_band=rng.choice(["18_29", "30_44", "45_59", "60_plus", ""]),
                    sex=rng.choice(["female", "male", "female", "male", ""]),
                    public_space=spaces[n % len(spaces)] if spaces and n % 3 == 0 else None,
                )
            )
    return result


def seed(*, district: District, coordinator: User, out: TextIO) -> None:
    for key, value, unit, observed_on, period, source in REFERENCES:
        if not ReferenceValue.objects.filter(district=district, key=key).exists():
            services.reference_value_set(
                district=district,
                key=key,
                value=Decimal(value),
                unit=unit,
                observed_on=observed_on,
                period=period,
                source=source,
                by=coordinator,
            )
    for sector, population in zip(district.sectors.order_by("number"), POPULATIONS, strict=False):
        if not hasattr(sector, "population"):
            services.sector_population_set(
                actor=coordinator,
                sector=sector,
                population=population,
                source="Estimación de demostración (no es un dato censal)",
                year=2025,
            )
    version = QuestionnaireVersion.objects.filter(district=district).order_by("number").first()
    if version is None:
        version = services.questionnaire_publish(
            district=district,
            title="Encuesta de percepción: convivencia y espacios públicos",
            consent_text=CONSENT,
            questions=[
                services.QuestionData(code=c, dimension=d, scale=s, in_index=i, text=t)
                for c, d, s, i, t in QUESTIONS
            ],
            by=coordinator,
        )
    today = timezone.localdate()
    baseline_start = today - timedelta(days=400)
    services.impact_plan_set(
        actor=coordinator,
        district=district,
        first_year=baseline_start.year,
        results_year=today.year,
    )
    if Wave.objects.filter(district=district).exists():
        return
    baseline = services.wave_create(
        actor=coordinator,
        district=district,
        name=f"Línea de base {baseline_start.year}",
        kind="baseline",
        questionnaire=version,
        starts_on=baseline_start,
        ends_on=baseline_start + timedelta(days=30),
    )
    follow_up = services.wave_create(
        actor=coordinator,
        district=district,
        name=f"Seguimiento {today.year}",
        kind="follow_up",
        questionnaire=version,
        starts_on=today - timedelta(days=25),
        ends_on=today + timedelta(days=5),
    )
    made = services.perception_responses_bulk_record(
        wave=baseline,
        answers=_wave_answers(
            district=district,
            levels=[3.0, 3.2, 2.9, 3.3, 3.1],
            day=baseline_start,
            tag="baseline",
        ),
        channel="volunteer",
    )
    services.wave_set_open(actor=coordinator, wave=baseline, is_open=False)
    made += services.perception_responses_bulk_record(
        wave=follow_up,
        answers=_wave_answers(
            district=district,
            levels=[3.5, 3.6, 3.3, 3.7, 3.4],
            day=today - timedelta(days=25),
            tag="follow-up",
        ),
        channel="volunteer",
    )
    out.write(f"Perception survey: 2 waves, {made} answers in {district.name}.\n")
