"""Demo data of interventions: companies and pledges in every state, ten interventions in
different phases (one large-scale), kits with signed deliveries, guides, and before/after
surveys for the finished ones.

Runs after the platform, mapping and festival demos (INSTALLED_APPS order) but does not
rely on them: missing spaces are created, and without outstanding festival proposals the
interventions are created by the coordination. Idempotent: an intervention already there
is left as it is.
"""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TextIO

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from interventions.models import (
    BudgetLine,
    Company,
    FundraisingEvent,
    Intervention,
    Invitation,
    KitItem,
    KitTemplate,
    KitTemplateItem,
    MaintenanceTask,
    Pledge,
)
from interventions.services.events import (
    InvitationAnswer,
    company_representative_add,
    event_attendance_record,
    event_create,
    event_invite,
)
from interventions.services.guides import guide_build
from interventions.services.pledges import pledge_allocate, pledge_create, pledge_set_state
from interventions.services.works import (
    activity_record,
    intervention_create,
    intervention_create_from_proposal,
    kit_create_from_template,
    kit_deliver,
)
from platform_app.models import District, User

if TYPE_CHECKING:
    from festival.models import Proposal
    from mapping.models import PublicSpace, Survey

RATE = Decimal("3.7450")
RATE_DATE = date(2026, 3, 12)
RESERVED = "Reservado para la próxima convocatoria."
DEMO_NAMESPACE = uuid.UUID("6f1c1f0e-5b8e-4a55-9d3a-2b1a7c0e0707")

# name, RUC (valid check digit), activity, contact, pledges:
# (kind, currency, amount or estimated soles, description, state)
COMPANIES: tuple[tuple[str, str, str, str, list[tuple[str, str, str, str, str]]], ...] = (
    (
        "Mercado Mayorista de Santa Anita S.A.",
        "20131312955",
        "market",
        "Jorge Salinas",
        [("money", "USD", "6000.00", "", "received"), ("money", "PEN", "2000.00", "", "withdrawn")],
    ),
    (
        "Ferretería Los Ficus E.I.R.L.",
        "20100047218",
        "commerce",
        "Marta Quispe",
        [
            ("in_kind", "PEN", "4800.00", "Pintura látex y esmalte (galones)", "confirmed"),
            ("money", "PEN", "1500.00", "", "pledged"),
        ],
    ),
    (
        "Transportes Surco Río S.A.C.",
        "20100130204",
        "transport",
        "Luis Ramírez",
        [
            ("money", "USD", "5000.00", "", "confirmed"),
            # Kept for the next interventions (never allocated by the demo): a confirmed
            # pledge and a received one stay in those states.
            ("money", "PEN", "2500.00", "", "confirmed*"),
        ],
    ),
    (
        "Constructora Huarochirí S.A.C.",
        "20100070970",
        "construction",
        "Elena Vargas",
        [
            ("in_kind", "PEN", "9000.00", "Cemento, arena y fierro para losas", "received"),
            ("money", "PEN", "3000.00", "", "confirmed"),
        ],
    ),
    (
        "Caja Vecinal Santa Anita",
        "20100043140",
        "finance",
        "Rosa Huamán",
        [
            ("money", "PEN", "7500.00", "", "received"),
            ("in_kind", "PEN", "1800.00", "Plantones de molle y huaranhuay", "received*"),
        ],
    ),
)

TEMPLATE_ITEMS = (
    (
        "Banca de madera tratada",
        "furniture",
        "unidad",
        "4",
        "320.00",
        "Lijar y barnizar cada seis meses.",
    ),
    (
        "Tacho de basura doble",
        "furniture",
        "unidad",
        "2",
        "280.00",
        "Vaciar a diario; lavar cada semana.",
    ),
    ("Pintura látex", "material", "galón", "12", "45.00", "Repintar cada año los muros y bordes."),
    (
        "Plantones nativos",
        "material",
        "unidad",
        "30",
        "12.00",
        "Regar tres veces por semana en verano.",
    ),
    ("Kit de herramientas de jardinería", "tool", "juego", "1", "450.00", "Guardar limpio y seco."),
)

# status, progress, large scale
PLAN: tuple[tuple[str, int, bool], ...] = (
    ("planned", 0, False),
    ("co_design", 15, False),
    ("co_design", 25, False),
    ("execution", 45, False),
    ("execution", 60, False),
    ("closing", 85, False),
    ("closing", 90, False),
    ("finished", 100, True),
    ("finished", 100, False),
    ("finished", 100, False),
)


def _signature() -> ContentFile[bytes]:
    image = Image.new("RGBA", (300, 100), (255, 255, 255, 0))
    ImageDraw.Draw(image).line(
        [(20, 70), (80, 30), (140, 75), (200, 25), (270, 60)], fill="black", width=4
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="firma.png")


def _companies(district: District, coordinator: User) -> list[Pledge]:
    """The companies and their pledges; returns the pledges the demo may allocate."""
    event = FundraisingEvent.objects.filter(
        district=district, name="Desayuno de recaudación 2026"
    ).first() or event_create(
        actor=coordinator,
        district=district,
        name="Desayuno de recaudación 2026",
        date=RATE_DATE,
        place="Auditorio municipal de Santa Anita",
    )
    pledges: list[Pledge] = []
    companies: list[Company] = []
    for name, ruc, activity, contact, offers in COMPANIES:
        company, _created = Company.objects.get_or_create(
            ruc=ruc,
            defaults={
                "district": district,
                "name": name,
                "activity": activity,
                "contact_name": contact,
                "contact_email": f"contacto.{ruc}@example.org",
            },
        )
        companies.append(company)
        if company.pledges.exists():
            pledges.extend(company.pledges.exclude(note=RESERVED))
            continue
        for kind, currency, amount, description, state in offers:
            fields: dict[str, object] = {
                "company": company,
                "event": event,
                "kind": kind,
                "currency": currency,
                "exchange_rate": RATE,
                "rate_date": RATE_DATE,
            }
            if kind == "money":
                fields["amount"] = Decimal(amount)
            else:
                fields.update(
                    description=description,
                    quantity=Decimal("1"),
                    unit="lote",
                    estimated_value_pen=Decimal(amount),
                )
            reserved = state.endswith("*")
            state = state.rstrip("*")
            if reserved:
                fields["note"] = RESERVED
            pledge = pledge_create(by=coordinator, **fields)
            path = {
                "pledged": [],
                "confirmed": ["confirmed"],
                "received": ["confirmed", "received"],
                "withdrawn": ["withdrawn"],
            }[state]
            for step in path:
                pledge = pledge_set_state(pledge=pledge, state=step, by=coordinator)
            if not reserved:
                pledges.append(pledge)
    _invite_to_breakfast(event, companies, coordinator)
    # The demo's company login acts for the first company: its pledges, documents, invitations.
    company_representative_add(company=companies[0], email="company@example.org", added_by=None)
    return pledges


def _invite_to_breakfast(
    event: FundraisingEvent, companies: list[Company], coordinator: User
) -> None:
    """Invite the companies at once; only those invited now are recorded as having come, so
    a second run changes nothing (not even answers a coordinator corrected since)."""
    invited = set(event.invitations.values_list("company_id", flat=True))
    if not event_invite(actor=coordinator, event=event, companies=companies):
        return
    new = event.invitations.exclude(company_id__in=invited).values_list("pk", flat=True)
    event_attendance_record(
        actor=coordinator,
        event=event,
        answers=[
            InvitationAnswer(invitation_id=pk, status=Invitation.Status.CONFIRMED, attended=True)
            for pk in new
        ],
    )


def _spaces(district: District) -> list[PublicSpace]:
    from mapping.models import PublicSpace

    spaces = list(
        PublicSpace.objects.filter(district=district, intervention__isnull=True).order_by(
            "-latest_verified_survey__observed_at", "name"
        )[:10]
    )
    existing = Intervention.objects.filter(district=district).count()
    centre = (district.centre_lon or -76.965, district.centre_lat or -12.043)
    number = 1
    while len(spaces) + existing < 10:
        space, _created = PublicSpace.objects.get_or_create(
            district=district,
            name=f"Parque vecinal demostración {number}",
            defaults={
                "category": "park",
                "geometry": {
                    "type": "Point",
                    "coordinates": [centre[0] + number * 0.001, centre[1] - number * 0.001],
                },
            },
        )
        number += 1
        if not Intervention.objects.filter(public_space=space).exists() and space not in spaces:
            spaces.append(space)
    return spaces[: max(0, 10 - existing)]


def _survey(
    space: PublicSpace, surveyor: User | None, moment: str, score: int, when: datetime
) -> Survey:
    from mapping.models import Survey

    fields = {f.name for f in Survey._meta.get_fields()}
    defaults: dict[str, object] = {"space": space, "observed_at": when, "status": "verified"}
    optional = {
        "surveyor": surveyor,
        "submitted_at": when,
        "reviewed_at": when,
        "condition_score": score,
        "notes": "Ficha de cierre de la intervención" if moment == "after" else "",
    }
    defaults.update({k: v for k, v in optional.items() if k in fields})
    survey, _created = Survey.objects.get_or_create(
        client_uuid=uuid.uuid5(DEMO_NAMESPACE, f"{space.pk}-{moment}"), defaults=defaults
    )
    return survey


def _proposals(district: District) -> list[Proposal]:
    """The festival's outstanding proposals not yet turned into interventions (none when the
    festival is not installed: this app knows its model only by name)."""
    try:
        proposal_model = apps.get_model("festival", "Proposal")
    except LookupError:
        return []
    return list(
        proposal_model.objects.filter(
            team__is_outstanding=True,
            public_space__district=district,
            intervention__isnull=True,
            public_space__intervention__isnull=True,
        ).select_related("team", "public_space")[:3]
    )


@transaction.atomic
def seed(*, password: str, out: TextIO) -> None:
    district = District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)
    # The demo coordinator (seeded by the platform demo, which runs first) does the work.
    coordinator = User.objects.get(email="coordinator@example.org")
    surveyor = User.objects.filter(email="surveyor@example.org").first()
    pledges = _companies(district, coordinator)

    template, created = KitTemplate.objects.get_or_create(
        district=district,
        name="Kit de parque vecinal",
        defaults={"description": "Mobiliario, materiales y herramientas para un parque."},
    )
    if created:
        for name, category, unit, quantity, cost, care in TEMPLATE_ITEMS:
            KitTemplateItem.objects.create(
                template=template,
                name=name,
                category=category,
                unit=unit,
                quantity=Decimal(quantity),
                unit_cost_pen=Decimal(cost),
                care=care,
            )

    today = timezone.localdate()
    # Each new intervention with the start date it was created with (the model's is optional).
    new: list[tuple[Intervention, date]] = []
    proposals = _proposals(district)
    spaces = _spaces(district)
    for index, (status, progress, large) in enumerate(
        PLAN[Intervention.objects.filter(district=district).count() :]
    ):
        starts = today - timedelta(days=30 * (index + 1))
        if proposals:
            intervention = intervention_create_from_proposal(
                proposal=proposals.pop(0), by=coordinator, starts_on=starts
            )
        elif spaces:
            space = spaces.pop(0)
            intervention = intervention_create(
                district=district,
                public_space=space,
                title=f"Mejoramiento de {space.name}",
                description="Co-diseño y co-ejecución con los vecinos durante tres meses.",
                by=coordinator,
                starts_on=starts,
            )
        else:
            break
        intervention.status, intervention.progress = status, progress
        intervention.large_scale = (
            large and not Intervention.objects.filter(district=district, large_scale=True).exists()
        )
        intervention.save()
        new.append((intervention, starts))

    allocatable = [p for p in pledges if p.state in Pledge.ALLOCATABLE]
    for number, (intervention, starts) in enumerate(new):
        if intervention.status == "planned":
            continue
        # Each intervention starts from a different pledge, so several companies appear.
        shift = number % max(len(allocatable), 1)
        rotation = allocatable[shift:] + allocatable[:shift]
        kit_create_from_template(actor=coordinator, intervention=intervention, template=template)
        BudgetLine.objects.create(
            intervention=intervention,
            description="Mano de obra y transporte municipal",
            source="municipal",
            amount_pen=Decimal("1200.00"),
        )
        BudgetLine.objects.create(
            intervention=intervention,
            description="Faenas vecinales (jornales valorizados)",
            source="community",
            amount_pen=Decimal("600.00"),
        )
        for item in KitItem.objects.filter(kit__intervention=intervention).with_funding():
            # Finish the item from the pledges in order; the co-design ones stay half-funded.
            need = item.missing_pen if intervention.status != "co_design" else item.missing_pen / 2
            for pledge in rotation:
                if need <= 0:
                    break
                pledge.refresh_from_db()
                left = pledge.value_pen - sum(a.amount_pen for a in pledge.allocations.all())
                if pledge.state not in Pledge.ALLOCATABLE or left <= 0:
                    continue
                amount = min(left, need).quantize(Decimal("0.01"))
                pledge_allocate(pledge=pledge, item=item, amount_pen=amount, by=coordinator)
                need -= amount
            if intervention.status in ("execution", "closing", "finished"):
                kit_deliver(
                    item=item,
                    quantity=item.quantity,
                    date=starts + timedelta(days=35),
                    received_by="Presidenta de la junta vecinal",
                    signature=_signature(),
                    by=coordinator,
                )
        activity_record(
            actor=coordinator,
            intervention=intervention,
            kind="workshop",
            date=starts + timedelta(days=7),
            who="Elenco, junta vecinal y arquitecta voluntaria",
            what="Taller de co-diseño: mapa de deseos y maqueta del parque.",
        )
        if intervention.status in ("execution", "closing", "finished"):
            activity_record(
                actor=coordinator,
                intervention=intervention,
                kind="support_visit",
                date=starts + timedelta(days=40),
                who="Ingeniero de la Gerencia de Obras",
                what="Revisión del anclaje de las bancas y del drenaje.",
            )
        if intervention.status in ("closing", "finished"):
            guide = guide_build(actor=coordinator, intervention=intervention)
            guide.responsible_email = "representative@example.org"
            guide.rules = "El parque es de todos: cuidemos el mobiliario y las plantas."
            guide.save()
            MaintenanceTask.objects.get_or_create(
                guide=guide,
                title="Riego de plantones",
                defaults={"first_on": today + timedelta(days=2), "every_months": 1},
            )
            MaintenanceTask.objects.get_or_create(
                guide=guide,
                title="Barnizado de bancas",
                defaults={"first_on": today + timedelta(days=60), "every_months": 6},
            )
        if intervention.status == "finished":
            space = intervention.public_space
            before = intervention.survey_before or _survey(
                space, surveyor, "before", 38, timezone.now() - timedelta(days=200)
            )
            after = _survey(space, surveyor, "after", 78, timezone.now() - timedelta(days=5))
            intervention.survey_before, intervention.survey_after = before, after
            intervention.save(update_fields=["survey_before", "survey_after"])

    from interventions import demo_perception

    demo_perception.seed(district=district, coordinator=coordinator, out=out)

    total = Intervention.objects.filter(district=district).count()
    out.write(
        f"Interventions: {Company.objects.filter(district=district).count()} companies, "
        f"{Pledge.objects.filter(company__district=district).count()} pledges, "
        f"{total} interventions in {district.name}.\n"
    )
