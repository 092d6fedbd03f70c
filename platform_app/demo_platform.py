"""Demo data of the collaborative platform: about 25 members across the six
stakeholder sectors, the guide of roles, a work plan, six months of meetings with minutes
and agreements in every status, a closed vote and an open residents' poll. Called from
``platform_app.demo.seed``; idempotent (members are updated, the meetings and the rest are
created once)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TextIO

from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import timezone

from platform_app.decisions import services as decisions
from platform_app.decisions.models import Vote
from platform_app.demo_logins import demo_password_set
from platform_app.models import (
    Activity,
    Agreement,
    District,
    Meeting,
    Member,
    Objective,
    Organization,
    PlatformSettings,
    User,
)
from platform_app.permissions import Role
from platform_app.services.agreements import agreement_follow_up, agreement_record
from platform_app.services.meetings import (
    agenda_item_minutes_save,
    attendance_set,
    attendance_sheet_open,
    meeting_create,
    meeting_mark_held,
    meeting_minutes_approve,
    meeting_organizations_invite,
)
from platform_app.services.places import user_grant_role
from platform_app.services.workplan import role_guide_approve, role_guide_propose

# (email, first name, last name, sector, age group, status, language)
MEMBERS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("coordinator@example.org", "Rosa", "Quispe", "municipality", "adult", "active", "es-pe"),
    ("member@example.org", "Pedro", "Condori", "community", "adult", "active", "es-pe"),
    ("miembro01@example.org", "Jorge", "Salazar", "municipality", "adult", "active", "es-pe"),
    ("miembro02@example.org", "Elena", "Vargas", "municipality", "senior", "active", "es-pe"),
    ("miembro03@example.org", "Raúl", "Chávez", "municipality", "adult", "on_leave", "es-pe"),
    ("miembro04@example.org", "Patricia", "Rojas", "business", "adult", "active", "es-pe"),
    ("miembro05@example.org", "Luis", "Mendoza", "business", "adult", "active", "en"),
    ("miembro06@example.org", "Sofía", "Cárdenas", "business", "youth", "active", "es-pe"),
    ("miembro07@example.org", "Marta", "Huanca", "community", "senior", "active", "es-pe"),
    ("miembro08@example.org", "Teodoro", "Apaza", "community", "senior", "active", "es-pe"),
    ("miembro09@example.org", "Gladys", "Poma", "community", "adult", "left", "es-pe"),
    ("miembro10@example.org", "Carlos", "Inga", "community", "adult", "active", "es-pe"),
    ("miembro11@example.org", "Verónica", "Paredes", "academia", "adult", "active", "es-pe"),
    ("miembro12@example.org", "Andrés", "Villanueva", "academia", "adult", "active", "en"),
    ("miembro13@example.org", "Milagros", "Ccori", "academia", "youth", "active", "es-pe"),
    ("miembro14@example.org", "Kevin", "Yupanqui", "youth", "youth", "active", "es-pe"),
    ("miembro15@example.org", "Lucero", "Mamani", "youth", "youth", "active", "es-pe"),
    ("miembro16@example.org", "Brayan", "Soto", "youth", "youth", "active", "es-pe"),
    ("miembro17@example.org", "Daniela", "Ortiz", "youth", "youth", "on_leave", "es-pe"),
    ("miembro18@example.org", "Rocío", "Huamaní", "culture", "adult", "active", "es-pe"),
    ("miembro19@example.org", "Wilfredo", "Ccahuana", "culture", "senior", "active", "es-pe"),
    ("miembro20@example.org", "Fiorella", "Tello", "culture", "youth", "active", "es-pe"),
    ("miembro21@example.org", "Hugo", "Palomino", "culture", "adult", "active", "es-pe"),
    ("miembro22@example.org", "Norma", "Espinoza", "community", "senior", "active", "es-pe"),
    ("miembro23@example.org", "Iván", "Cusi", "business", "adult", "active", "es-pe"),
)

ROLES = (
    (
        "Coordinación",
        "Convocar y moderar las sesiones; representar a la plataforma ante la municipalidad; "
        "velar por el seguimiento de los acuerdos.",
        "Rinde cuentas en cada sesión ordinaria.",
    ),
    (
        "Secretaría técnica",
        "Preparar la agenda, redactar las actas por punto y registrar los acuerdos en línea.",
        "Publica el acta en un plazo de 7 días.",
    ),
    (
        "Comité del festival",
        "Organizar el festival «Zapatea Santa Anita» con los equipos de los cinco sectores.",
        "",
    ),
    (
        "Comité de intervenciones",
        "Acompañar las intervenciones ciudadanas y los kits financiados por las empresas.",
        "",
    ),
    (
        "Miembro de la plataforma",
        "Participar en las sesiones, asumir acuerdos y reportar su avance.",
        "Asistir al menos a 8 de las 12 sesiones ordinarias del año.",
    ),
)

AGREEMENTS = (
    ("Pintar las bancas del Parque Santa Rosa con los vecinos", "interventions"),
    ("Solicitar a la municipalidad dos luminarias para la losa Los Ficus", "platform"),
    ("Inscribir a los equipos de baile del sector 3", "festival"),
    ("Preparar el mapa de espacios públicos del sector 5", "platform"),
    ("Conseguir el auspicio de dos empresas para los kits", "interventions"),
    ("Redactar la propuesta de reglamento del festival", "festival"),
)

# The status each demo agreement ends in, so the board shows every one of them.
STATUS_CYCLE = ("done", "in_progress", "pending", "blocked", "done", "cancelled")


def _lima(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_default_timezone())


def _members(district: District, password: str) -> list[Member]:
    members = []
    for email, first, last, sector, age, status, language in MEMBERS:
        user, _created = User.objects.get_or_create(
            email=email,
            defaults={"first_name": first, "last_name": last, "district": district},
        )
        if _created:
            user.language = language
            demo_password_set(user, password)
            user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        # Coordinators already see and do everything on the platform; the others need the
        # member role (the demo's role logins keep exactly one role each).
        if status != Member.Status.LEFT and not user.groups.filter(name=Role.COORDINATOR.value):
            user_grant_role(user=user, role=Role.MEMBER, district=district)
        member, _created = Member.objects.update_or_create(
            district=district,
            user=user,
            defaults={"sector": sector, "age_group": age, "status": status},
        )
        members.append(member)
    return members


def _guide(district: District, members: list[Member], approving: Meeting) -> None:
    coordinator = members[0].user
    first = role_guide_propose(
        district=district,
        user=coordinator,
        introduction="Guía de roles y funciones de la Plataforma Colaborativa de Santa Anita.",
        change_summary="Primera versión acordada en la sesión de instalación.",
        roles=[{"name": n, "functions": f, "responsibilities": r} for n, f, r in ROLES[:3]],
    )
    role_guide_approve(guide=first, meeting=approving, actor=coordinator)
    for role, member in zip(first.roles.all(), members[:3], strict=False):
        role.holders.create(member=member, since=approving.starts_at.date())
    second = role_guide_propose(
        district=district,
        user=members[1].user,
        introduction=first.introduction,
        change_summary="Se agregan el comité de intervenciones y el rol de miembro.",
        roles=[{"name": n, "functions": f, "responsibilities": r} for n, f, r in ROLES],
    )
    role_guide_approve(guide=second, meeting=approving, actor=coordinator)
    second.roles.get(name="Comité de intervenciones").holders.create(member=members[5])


def _work_plan(district: District, members: list[Member], today: date) -> None:
    plan = (
        (
            "platform",
            "Consolidar la plataforma multiactor",
            (("Sesiones ordinarias mensuales", 60, 3), ("Guía de roles aprobada", 100, 1)),
        ),
        (
            "festival",
            "Realizar el festival «Zapatea Santa Anita»",
            (
                ("Convocatoria a los equipos de baile", 80, 2),
                ("Escenarios en los cinco sectores", 20, 3),
            ),
        ),
        (
            "interventions",
            "Mejorar cinco espacios públicos con intervenciones ciudadanas",
            (("Kits financiados por empresas", 40, 2), ("Guías de uso y mantenimiento", 0, 1)),
        ),
    )
    for order, (axis, title, activities) in enumerate(plan, start=1):
        objective = Objective.objects.create(district=district, axis=axis, order=order, title=title)
        for i, (name, progress, weight) in enumerate(activities):
            activity = Activity.objects.create(
                objective=objective,
                title=name,
                starts_on=today - timedelta(days=120),
                due_on=today + timedelta(days=60 * (i + 1)),
                status="done" if progress == 100 else ("in_progress" if progress else "planned"),
                progress=progress,
                weight=weight,
            )
            activity.responsible.set(members[order * 3 : order * 3 + 2])


def _decisions(district: District, coordinator: User, meeting: Meeting) -> None:
    """A closed vote of the members present at a past meeting, and an open residents' poll
    with one option per sector for the festival stage."""
    item = meeting.agenda_items.order_by("order").last()
    if item is None:
        return
    vote = decisions.vote_open(
        item=item,
        question="¿Aprobamos las bases del festival Zapatea Santa Anita?",
        kind=Vote.Kind.YES_NO,
        options=[],
        opened_by=coordinator,
    )
    options = list(vote.options.all())
    present = Member.objects.filter(attendances__meeting=meeting, attendances__present=True)
    for n, member in enumerate(present.order_by("pk")):
        # Mostly yes; every fourth member votes no or abstains.
        choice = options[0] if n % 4 else options[1 + (n // 4) % 2]
        decisions.ballot_cast(vote=vote, member=member, option=choice)
    decisions.vote_close(vote=vote, actor=coordinator)
    sectors = list(district.sectors.order_by("number"))
    decisions.poll_create(
        district=district,
        title="Escenarios del festival en cada sector",
        question="¿Qué espacio de tu sector debería recibir un escenario del festival?",
        decision="La plataforma elegirá un espacio por sector con estas respuestas.",
        options=[
            decisions.PollOptionData(label=f"{label} ({sector.name})", sector=sector)
            for sector in sectors
            for label in ("Parque principal", "Losa deportiva")
        ],
        created_by=coordinator,
    )


def seed_platform(*, password: str, out: TextIO) -> None:
    district = District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)
    members = _members(district, password)
    PlatformSettings.objects.update_or_create(
        district=district, defaults={"publish_agreements": True}
    )
    if Meeting.objects.filter(district=district).exists():
        out.write(f"Platform demo already present: {len(members)} members.\n")
        return
    coordinator = members[0].user
    today = timezone.localdate()
    active = [m for m in members if m.status == Member.Status.ACTIVE]
    meetings = []
    for months_ago in range(5, -1, -1):
        day = (today.replace(day=1) - timedelta(days=30 * months_ago)).replace(day=10)
        start = _lima(day, 19)
        meeting = meeting_create(
            district=district,
            kind=Meeting.Kind.ORDINARY,
            title=f"Sesión ordinaria de {start:%m/%Y}",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="Municipalidad de Santa Anita, salón de actos",
            latitude=-12.0431,
            longitude=-76.9714,
            agenda=["Informe de la coordinación", "Avance del festival"],
            created_by=coordinator,
        )
        meetings.append(meeting)
    meeting_create(
        district=district,
        kind=Meeting.Kind.EXTRAORDINARY,
        title="Sesión extraordinaria: presupuesto participativo",
        starts_at=_lima(today + timedelta(days=12), 20),
        ends_at=_lima(today + timedelta(days=12), 21),
        video_url="https://meet.jit.si/plataforma-santa-anita",
        agenda=["Propuestas para el presupuesto participativo"],
        created_by=coordinator,
    )
    past = [m for m in meetings if m.starts_at < timezone.now()]
    for index, meeting in enumerate(past):
        attendance_sheet_open(meeting=meeting)
        for n, member in enumerate(active):
            if (n + index) % 4:  # about three quarters attend
                attendance_set(meeting=meeting, member=member, present=True, actor=coordinator)
        item = meeting.agenda_items.earliest("order")
        agenda_item_minutes_save(
            item=item,
            actor=coordinator,
            minutes="La coordinación informó sobre las gestiones del mes y el avance del plan.",
        )
        for j in range(2):
            number = index * 2 + j
            description, axis = AGREEMENTS[number % len(AGREEMENTS)]
            agreement = agreement_record(
                agenda_item=item,
                description=description,
                responsible=[active[number % len(active)], active[(number + 7) % len(active)]],
                due_date=meeting.starts_at.date() + timedelta(days=25),
                axis=axis,
                user=coordinator,
            )
            status = STATUS_CYCLE[number % len(STATUS_CYCLE)]
            if status != Agreement.Status.PENDING:
                responsible = agreement.responsible.first()
                agreement_follow_up(
                    agreement=agreement,
                    user=responsible.user if responsible else coordinator,
                    new_status=status,
                    progress={"done": 100, "in_progress": 50, "blocked": 30, "cancelled": 0}[
                        status
                    ],
                    comment="Avance reportado en línea.",
                )
        meeting_mark_held(meeting=meeting, actor=coordinator)
        if index:
            meeting_minutes_approve(meeting=past[index - 1], approved_in=meeting, actor=coordinator)
    if past:
        _guide(district, members, past[0])
        _decisions(district, coordinator, past[-1])
    _work_plan(district, members, today)
    # Meetings by typology: a workshop for the registry's cultural organizations.
    workshop = meeting_create(
        district=district,
        kind=Meeting.Kind.ORDINARY,
        title="Taller con organizaciones culturales: Zapatea Santa Anita",
        starts_at=_lima(today + timedelta(days=9), 18),
        ends_at=_lima(today + timedelta(days=9), 20),
        place="Casa de la Cultura de Santa Anita",
        agenda=["Bases del festival", "Inscripción de elencos"],
        created_by=coordinator,
    )
    meeting_organizations_invite(
        meeting=workshop, actor=coordinator, typology=Organization.Typology.CULTURAL
    )
    out.write(
        f"Platform demo: {len(members)} members, {len(meetings) + 1} meetings, "
        f"{Agreement.objects.filter(district=district).count()} agreements.\n"
    )
