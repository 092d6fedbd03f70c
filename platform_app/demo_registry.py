"""Demo data of the organization registry: a realistic registry for Santa Anita.

42 organizations across every typology and the five sectors, most verified, some pending,
six newly constituted neighbourhood associations, and a campaign open today. Idempotent:
each record is registered with a submission token derived from its name, so a second run
finds the first run's records.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, shape

from platform_app.models import Campaign, District, Organization, OrganizationEvent, User
from platform_app.services.registry import ContactData, organization_register
from santaanita.geo import GeoJSON

T = Organization.Typology
# (name, typology, sector number, members, newly constituted, verified)
ORGANIZATIONS: tuple[tuple[str, str, int, int, bool, bool], ...] = (
    ("Asociación Cultural Zapateo Santanitense", T.CULTURAL, 1, 35, False, True),
    ("Elenco de Danzas Folclóricas Raíces Andinas", T.CULTURAL, 2, 28, False, True),
    ("Centro Cultural Los Portales de Santa Anita", T.CULTURAL, 3, 40, False, True),
    ("Colectivo de Teatro Comunitario El Parque", T.CULTURAL, 4, 14, False, True),
    ("Banda de Música Virgen del Carmen", T.CULTURAL, 5, 22, False, False),
    ("Taller de Muralismo Colores del Cono Este", T.CULTURAL, 1, 11, False, True),
    ("Comedor Popular Santa Rosa", T.SOCIAL, 1, 30, False, True),
    ("Club de Madres Virgen de Fátima", T.SOCIAL, 2, 45, False, True),
    ("Comité del Vaso de Leche Sector 3", T.SOCIAL, 3, 60, False, True),
    ("Olla Común Unidos por Santa Anita", T.SOCIAL, 4, 25, False, True),
    ("Asociación de Adultos Mayores Los Jardines", T.SOCIAL, 5, 38, False, True),
    ("Red de Cuidadoras del Mercado Mayorista", T.SOCIAL, 2, 17, False, False),
    ("Colectivo Ambiental Río Surco Vivo", T.ENVIRONMENTAL, 3, 19, False, True),
    ("Brigada Ecológica Parques Limpios", T.ENVIRONMENTAL, 1, 23, False, True),
    ("Huerto Urbano Las Praderas", T.ENVIRONMENTAL, 5, 12, False, True),
    ("Recicladores Asociados de Santa Anita", T.ENVIRONMENTAL, 4, 27, False, True),
    ("Guardianes del Canal Surco", T.ENVIRONMENTAL, 2, 9, False, False),
    ("Club Deportivo Juventud Santa Anita", T.SPORTS, 1, 50, False, True),
    ("Liga de Vóley Femenino Los Ficus", T.SPORTS, 2, 36, False, True),
    ("Academia de Fútbol Semillitas", T.SPORTS, 3, 80, False, True),
    ("Club de Ajedrez Cono Este", T.SPORTS, 4, 15, False, True),
    ("Club Deportivo San Carlos", T.SPORTS, 5, 42, False, True),
    ("Skate Park Santa Anita Crew", T.SPORTS, 1, 20, False, False),
    ("Colectivo Juvenil Jóvenes por el Cambio", T.YOUTH, 2, 24, False, True),
    ("Scouts Grupo 215 Santa Anita", T.YOUTH, 3, 33, False, True),
    ("Red de Jóvenes Líderes del Sector 4", T.YOUTH, 4, 18, False, True),
    ("Colectivo Hip Hop Barrio Unido", T.YOUTH, 5, 13, False, True),
    ("Voluntariado Universitario Santa Anita", T.YOUTH, 1, 29, False, False),
    ("Junta Vecinal Los Ficus", T.NEIGHBOURHOOD, 2, 65, False, True),
    ("Junta Vecinal Universal", T.NEIGHBOURHOOD, 3, 58, False, True),
    ("Asociación de Propietarios Los Robles", T.NEIGHBOURHOOD, 4, 47, False, True),
    ("Junta Vecinal Cooperativa Chancas de Andahuaylas", T.NEIGHBOURHOOD, 5, 71, False, True),
    ("Asociación Vecinal Parque Las Gardenias", T.NEIGHBOURHOOD, 1, 21, True, True),
    ("Junta Vecinal Villa Hermosa", T.NEIGHBOURHOOD, 2, 18, True, True),
    ("Asociación Vecinal Las Vertientes", T.NEIGHBOURHOOD, 3, 16, True, True),
    ("Junta Vecinal Nuevo Amanecer", T.NEIGHBOURHOOD, 4, 14, True, False),
    ("Asociación Vecinal Los Pinos de Santa Anita", T.NEIGHBOURHOOD, 5, 19, True, False),
    ("Junta Vecinal Santa Anita Alta", T.NEIGHBOURHOOD, 1, 23, True, True),
    ("Parroquia Santa Rosa de Lima: Pastoral Juvenil", T.OTHER, 2, 26, False, True),
    ("Asociación de Comerciantes del Mercado Productores", T.OTHER, 3, 120, False, True),
    ("Mototaxistas Organizados Sector 5", T.OTHER, 5, 34, False, False),
    ("Círculo de Lectura Biblioteca Municipal", T.CULTURAL, 4, 10, False, True),
)
TOKEN_NAMESPACE = uuid.UUID("3f0c5a3e-8f7e-4c51-9b3f-5e0b7d5a0e42")


def _point_in(sector_boundary: GeoJSON | None, rng: random.Random) -> tuple[float, float] | None:
    if not sector_boundary:
        return None
    polygon = shape(sector_boundary)
    min_x, min_y, max_x, max_y = polygon.bounds
    for _attempt in range(200):
        point = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if polygon.contains(point):
            return round(point.y, 6), round(point.x, 6)
    centre = polygon.representative_point()
    return round(centre.y, 6), round(centre.x, 6)


@transaction.atomic
def seed_registry(*, password: str, out: TextIO) -> None:
    district = District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)
    today = timezone.localdate()
    campaign, _created = Campaign.objects.get_or_create(
        district=district,
        name="Convocatoria de organizaciones 2026",
        defaults={
            "desk_starts": today - timedelta(days=1),
            "desk_ends": today + timedelta(days=5),
            "online_starts": today - timedelta(days=14),
            "online_ends": today + timedelta(days=30),
        },
    )
    sectors = {s.number: s for s in district.sectors.all()}
    desk = User.objects.filter(email="desk@example.org").first()
    coordinator = User.objects.filter(email="coordinator@example.org").first()
    rng = random.Random(150137)  # noqa: S311 - demo coordinates, not security
    for index, (name, typology, number, members, new, verified) in enumerate(ORGANIZATIONS):
        point = _point_in(sectors[number].boundary, rng) if number in sectors else None
        channel = Organization.Channel.DESK if index % 3 == 0 else Organization.Channel.ONLINE
        result = organization_register(
            district=district,
            fields={
                "name": name,
                "typology": typology,
                "sector": sectors.get(number),
                "members_count": members,
                "newly_constituted": new,
                "year_founded": 2025 if new else 1985 + index,
                "activities": "Actividades en los parques y espacios públicos del sector.",
                "age_groups": ["youth", "adults"] if typology != T.YOUTH else ["teens", "youth"],
                "directory_consent": index % 7 != 5,
                "messages_consent": True,
                "latitude": point[0] if point else None,
                "longitude": point[1] if point else None,
            },
            contact=ContactData(name=f"Contacto {index + 1}", phone=f"+5198765{index:04d}"),
            channel=channel,
            submission_token=uuid.uuid5(TOKEN_NAMESPACE, name),
            actor=desk if channel == Organization.Channel.DESK else None,
            campaign=campaign,
        )
        organization = result.organization
        if result.created and verified:
            organization.status = Organization.Status.VERIFIED
            organization.save(update_fields=["status", "updated_at"])
            OrganizationEvent.objects.create(
                organization=organization,
                actor=coordinator,
                action=OrganizationEvent.Action.VERIFIED,
                from_status=Organization.Status.PENDING,
                to_status=Organization.Status.VERIFIED,
            )
    representative = User.objects.filter(email="representative@example.org").first()
    if representative is not None:
        Organization.objects.get(
            submission_token=uuid.uuid5(TOKEN_NAMESPACE, "Junta Vecinal Los Ficus")
        ).representatives.add(representative)
    records = Organization.objects.filter(district=district)
    counts = {
        "total": records.count(),
        "verified": records.filter(status=Organization.Status.VERIFIED).count(),
        "pending": records.filter(status=Organization.Status.PENDING).count(),
    }
    out.write(
        f"Registry ready: {counts['total']} organizations, {counts['verified']} verified, "
        f"{counts['pending']} pending.\n"
    )
