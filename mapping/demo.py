"""Demo data of the mapping app: Santa Anita's 134 public spaces and a survey history.

The spaces are placed inside the district's real limit (INEI 2023, CC BY 4.0) and spread
over its five sectors with a fixed random seed, so every run builds the same map. Their
names are plausible (Santa Anita's streets are named after birds and flowers), not an
official inventory. Idempotent: a second run only refreshes the demo surveyor's
assignments.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, box, mapping, shape
from shapely.prepared import PreparedGeometry, prep

from mapping.models import (
    Assignment,
    EquipmentItem,
    NeedItem,
    Observation,
    PublicSpace,
    QualityItem,
    Report,
    Survey,
)
from mapping.reports_services import (
    area_set,
    report_acknowledge,
    report_followup_answer,
    report_status_change,
    report_submit,
)
from mapping.services import space_apply_latest_survey
from platform_app.models import District, Organization, User
from santaanita.geo import GeoJSON

SEED = 150137
TOTAL_SPACES = 134
# Metres to degrees near Lima's latitude (12° S).
DEG_LAT = 1 / 110_600
DEG_LON = 1 / 108_900

BIRDS = (
    "Los Ruiseñores",
    "Las Gaviotas",
    "Los Cascanueces",
    "Las Golondrinas",
    "Las Calandrias",
    "Los Canarios",
    "Las Palomas",
    "Los Jilgueros",
    "Los Zorzales",
    "Las Garzas",
    "Los Halcones",
    "Los Colibríes",
    "Las Tórtolas",
    "Los Gorriones",
    "Los Cóndores",
    "Las Alondras",
    "Los Pelícanos",
    "Las Perdices",
    "Los Flamencos",
    "Los Búhos",
)
FLOWERS = (
    "Los Ficus",
    "Las Gardenias",
    "Los Claveles",
    "Las Orquídeas",
    "Los Geranios",
    "Las Azucenas",
    "Los Jazmines",
    "Las Magnolias",
    "Los Girasoles",
    "Las Retamas",
    "Los Cedros",
    "Los Eucaliptos",
    "Los Sauces",
    "Las Begonias",
    "Los Laureles",
    "Las Dalias",
    "Los Pinos",
    "Las Hortensias",
    "Los Olivos",
    "Las Camelias",
)
NEIGHBOURHOODS = (
    "Universal",
    "Los Portales de Javier Prado",
    "Chancas de Andahuaylas",
    "Huarochirí",
    "Cooperativa Santa Anita",
    "Los Robles",
    "San Carlos",
    "Villa Los Ángeles",
    "Las Praderas",
    "Mercado Mayorista",
    "Nocheto",
    "Independencia",
)
AVENUES = (
    "Av. Los Ruiseñores",
    "Av. Cascanueces",
    "Av. Huarochirí",
    "Av. Santa Rosa",
    "Av. Los Eucaliptos",
    "Av. La Cultura",
    "Av. Las Torres",
    "Av. Metropolitana",
)
# category, how many, (width, height) range in metres
PLAN: tuple[tuple[str, int, tuple[int, int]], ...] = (
    (PublicSpace.Category.PARK, 70, (40, 140)),
    (PublicSpace.Category.SPORTS_FIELD, 20, (30, 60)),
    (PublicSpace.Category.BERM, 15, (15, 300)),
    (PublicSpace.Category.PLAYGROUND, 12, (15, 35)),
    (PublicSpace.Category.PLAZA, 8, (30, 80)),
    (PublicSpace.Category.CANAL_BANK, 6, (20, 400)),
    (PublicSpace.Category.OTHER, 3, (20, 50)),
)


def _names(rng: random.Random) -> dict[str, list[str]]:
    """Distinct plausible names per category."""
    parks = [f"Parque {n}" for n in BIRDS + FLOWERS]
    parks += [f"Parque Zonal {n}" for n in NEIGHBOURHOODS]
    parks += [f"Parque {n} II" for n in BIRDS[:18]]
    rng.shuffle(parks)
    return {
        PublicSpace.Category.PARK: parks,
        PublicSpace.Category.SPORTS_FIELD: [f"Losa Deportiva {n}" for n in NEIGHBOURHOODS + BIRDS],
        PublicSpace.Category.BERM: [
            f"Berma Central {a} (tramo {i})" for a in AVENUES for i in (1, 2)
        ],
        PublicSpace.Category.PLAYGROUND: [f"Juegos Infantiles {n}" for n in FLOWERS],
        PublicSpace.Category.PLAZA: [
            "Plaza Cívica de Santa Anita",
            "Plaza de la Cultura",
            "Plazuela Universal",
            "Plaza Los Portales",
            "Plazuela Huarochirí",
            "Plaza del Mercado Mayorista",
            "Plazuela Los Robles",
            "Plaza Chancas de Andahuaylas",
        ],
        PublicSpace.Category.CANAL_BANK: [
            f"Ribera del Canal Surco, tramo {t}"
            for t in ("norte", "Huarochirí", "Los Ficus", "Universal", "Nocheto", "sur")
        ],
        PublicSpace.Category.OTHER: [
            "Alameda Los Ruiseñores",
            "Jardín del Centro de Salud",
            "Área verde del Pasaje 5",
        ],
    }


def _place(
    rng: random.Random, area: PreparedGeometry, size: tuple[int, int], category: str
) -> GeoJSON:
    """A point or a small rectangle inside ``area`` (a prepared shapely geometry)."""
    minx, miny, maxx, maxy = area.context.bounds
    for _attempt in range(500):
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not area.contains(Point(lon, lat)):
            continue
        if category == PublicSpace.Category.PLAYGROUND or rng.random() < 0.25:
            return {"type": "Point", "coordinates": [lon, lat]}
        low, high = size
        if category in {PublicSpace.Category.BERM, PublicSpace.Category.CANAL_BANK}:
            width, height = rng.uniform(12, 25), rng.uniform(high / 2, high)
            if rng.random() < 0.5:
                width, height = height, width
        else:
            width, height = rng.uniform(low, high), rng.uniform(low, high)
        rect = box(
            lon - width * DEG_LON / 2,
            lat - height * DEG_LAT / 2,
            lon + width * DEG_LON / 2,
            lat + height * DEG_LAT / 2,
        )
        if area.contains(rect):
            return dict(mapping(rect))
    raise RuntimeError("could not place a space inside the sector")


def _survey_details(rng: random.Random, survey: Survey, quality_bias: float) -> None:
    conditions = ["good", "fair", "bad", "missing"]
    features = rng.sample(list(EquipmentItem.Feature.values), rng.randint(5, 9))
    EquipmentItem.objects.bulk_create(
        EquipmentItem(
            survey=survey,
            feature=f,
            count=rng.randint(0, 12),
            condition=rng.choices(conditions, weights=[quality_bias, 1, 1.2 - quality_bias, 0.3])[
                0
            ],
        )
        for f in features
    )
    QualityItem.objects.bulk_create(
        QualityItem(
            survey=survey,
            item=item,
            rating=min(3, max(0, round(rng.gauss(quality_bias * 3, 0.8)))),
        )
        for item in QualityItem.Item.values
    )
    observations = []
    for age in Observation.AgeGroup.values:
        for sex in Observation.Sex.values:
            for activity in Observation.Activity.values:
                count = max(0, round(rng.gauss(2, 2)))
                if count:
                    observations.append(
                        Observation(
                            survey=survey,
                            zone="Área principal",
                            observed_at=survey.observed_at,
                            age_group=age,
                            sex=sex,
                            activity=activity,
                            count=count,
                        )
                    )
    Observation.objects.bulk_create(observations)
    needs = rng.sample(
        [
            ("Reponer luminarias dañadas", "high"),
            ("Reparar bancas", "medium"),
            ("Instalar tachos de basura", "medium"),
            ("Regar y resembrar el césped", "low"),
            ("Pintar juegos infantiles", "medium"),
            ("Mejorar la iluminación nocturna", "high"),
            ("Rampa de acceso para silla de ruedas", "high"),
            ("Bebedero de agua", "low"),
        ],
        rng.randint(1, 3),
    )
    NeedItem.objects.bulk_create(
        NeedItem(survey=survey, description=d, priority=p) for d, p in needs
    )
    survey.condition_score = survey.compute_condition_score()
    survey.save(update_fields=["condition_score"])


@transaction.atomic
def seed(*, password: str, out: TextIO) -> None:
    district = District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)
    surveyor = User.objects.filter(email="surveyor@example.org").first()
    coordinator = User.objects.filter(email="coordinator@example.org").first()
    # The university's reviewer approved the demo history (the coordinator if absent).
    reviewer = User.objects.filter(email="reviewer@example.org").first() or coordinator
    rng = random.Random(SEED)  # noqa: S311 - a reproducible demo, not a secret
    if not PublicSpace.objects.filter(district=district).exists():
        _create_spaces(rng, district, surveyor, reviewer)
    spaces = PublicSpace.objects.filter(district=district)
    if surveyor is not None:
        for space in spaces.not_surveyed().order_by("sector__number", "name")[:8]:
            Assignment.objects.update_or_create(
                space=space,
                surveyor=surveyor,
                defaults={"active": True, "assigned_by": coordinator},
            )
    characterized = spaces.filter(latest_verified_survey__isnull=False).count()
    out.write(
        f"Mapping: {spaces.count()} public spaces in {district.name}, "
        f"{characterized} characterized.\n"
    )
    if coordinator is not None and not Report.objects.filter(district=district).exists():
        _seed_reports(rng, district, coordinator)
    out.write(f"Problem reports: {Report.objects.filter(district=district).count()}.\n")


# Residents' problem reports: 12 per sector, in every status, through the services.
REPORTS_PER_SECTOR = 12
AREAS = {
    "lighting": ("Subgerencia de Obras Públicas – Alumbrado", "alumbrado@example.org"),
    "equipment": ("Subgerencia de Obras Públicas", "obras@example.org"),
    "rubbish": ("Subgerencia de Limpieza Pública", "limpieza@example.org"),
    "green": ("Subgerencia de Áreas Verdes", "areasverdes@example.org"),
    "safety": ("Gerencia de Seguridad Ciudadana", "serenazgo@example.org"),
    "water": ("Subgerencia de Obras Públicas – Drenaje", "drenaje@example.org"),
}
PROBLEMS = {
    "lighting": "El poste junto a los juegos está apagado desde hace una semana.",
    "equipment": "Una banca rota y el columpio sin cadena.",
    "rubbish": "Basura acumulada en la esquina del parque.",
    "green": "El césped está seco; no riegan desde hace un mes.",
    "safety": "De noche se juntan grupos a tomar y la esquina está oscura.",
    "water": "El buzón está tapado y se empoza el agua.",
    "other": "Perros sueltos sin correa en la zona de juegos.",
}
# (status, how the reporter answers the follow-up: True yes, False no, None no answer)
REPORT_PLAN: tuple[tuple[str, bool | None], ...] = (
    ("received", None),
    ("received", None),
    ("acknowledged", None),
    ("acknowledged", None),
    ("in_progress", None),
    ("in_progress", None),
    ("fixed", True),
    ("fixed", True),
    ("fixed", None),
    ("fixed", False),
    ("not_ours", None),
    ("duplicate", None),
)


def _seed_reports(rng: random.Random, district: District, coordinator: User) -> None:
    for category, (name, email) in AREAS.items():
        area_set(district=district, category=category, name=name, email=email, user=coordinator)
    categories = list(PROBLEMS)
    now = timezone.now()
    for sector in district.sectors.order_by("number"):
        spaces = list(PublicSpace.objects.filter(sector=sector).order_by("name")[:8])
        if not spaces:
            continue
        first: Report | None = None
        for index, (status, answer) in enumerate(REPORT_PLAN):
            category = categories[(index + sector.number) % len(categories)]
            report = report_submit(
                space=spaces[index % len(spaces)],
                category=category,
                description=PROBLEMS[category],
                email=f"vecino{sector.number}{index}@example.org" if index % 3 else "",
            )
            first = first or report
            _advance(report, status, answer, coordinator, first)
            # Spread the history over the last months so the measures mean something.
            age = rng.randint(3, 120)
            Report.objects.filter(pk=report.pk).update(
                created_at=now - timedelta(days=age),
                acknowledged_at=now - timedelta(days=age - rng.randint(0, 2))
                if status != "received"
                else None,
                fixed_at=now - timedelta(days=max(0, age - rng.randint(1, 20)))
                if status == "fixed" and answer is not False
                else None,
            )


def _advance(report: Report, status: str, answer: bool | None, user: User, first: Report) -> None:
    if status == "received":
        return
    if status in ("not_ours", "duplicate"):
        report_status_change(
            report=report,
            user=user,
            status=status,
            note="Corresponde a Sedapal." if status == "not_ours" else "Ya estaba reportado.",
            duplicate_of=first if status == "duplicate" else None,
        )
        return
    report_acknowledge(report=report, user=user, note="Recibido; lo revisamos esta semana.")
    if status == "acknowledged":
        return
    report_status_change(report=report, user=user, status="in_progress", note="Cuadrilla asignada.")
    if status == "in_progress":
        return
    report_status_change(report=report, user=user, status="fixed", note="Trabajo terminado.")
    reporter = report.supporters.get(is_reporter=True)
    if answer is not None:
        report_followup_answer(supporter=reporter, fixed=answer)


def _create_spaces(
    rng: random.Random, district: District, surveyor: User | None, reviewer: User | None
) -> None:
    boundary = shape(district.boundary)
    sectors = list(district.sectors.exclude(boundary=None).order_by("number"))
    areas = [prep(shape(s.boundary).intersection(boundary).buffer(-0.0002)) for s in sectors]
    if not areas:
        areas = [prep(boundary.buffer(-0.0002))]
    names = _names(rng)
    slots = [(category, size) for category, count, size in PLAN for _ in range(count)]
    rng.shuffle(slots)
    organizations = list(Organization.objects.filter(district=district)[:20])
    now = timezone.now()
    for index, (category, size) in enumerate(slots[:TOTAL_SPACES]):
        area = areas[index % len(areas)]  # round robin: 27 or 26 spaces per sector
        name = names[category].pop(0)
        space = PublicSpace(
            district=district,
            name=name,
            category=category,
            address=f"{rng.choice(AVENUES)} cdra. {rng.randint(1, 30)}",
            geometry=_place(rng, area, size, category),
            administrator="Gerencia de Servicios a la Ciudad y Gestión Ambiental"
            if category != PublicSpace.Category.CANAL_BANK
            else "Comisión de usuarios del canal Surco",
        )
        space.save()
        if organizations and rng.random() < 0.2:
            space.organizations.add(rng.choice(organizations))
        # Survey history for about 60% of the spaces: one to three visits over the year.
        if surveyor is None or rng.random() > 0.6:
            continue
        bias = rng.uniform(0.15, 0.95)
        visits = rng.randint(1, 3)
        for visit in range(visits):
            observed = now - timedelta(
                days=rng.randint(20, 330) // (visit + 1), hours=rng.randint(0, 9)
            )
            last = visit == visits - 1
            status = Survey.Status.VERIFIED
            if last and rng.random() < 0.12:
                status = Survey.Status.SUBMITTED
            survey = Survey.objects.create(
                space=space,
                surveyor=surveyor,
                observed_at=observed,
                status=status,
                submitted_at=observed,
                reviewer=reviewer if status == Survey.Status.VERIFIED else None,
                reviewed_at=observed + timedelta(days=2)
                if status == Survey.Status.VERIFIED
                else None,
                notes=rng.choice(
                    [
                        "Área verde regada, juegos con óxido.",
                        "Poca iluminación de noche; vecinos reportan inseguridad.",
                        "Bien mantenido por la junta vecinal.",
                        "Basura acumulada junto a la losa.",
                        "",
                    ]
                ),
            )
            _survey_details(rng, survey, bias)
        space_apply_latest_survey(space=space)
