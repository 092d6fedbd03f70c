"""Demo data of platform_app: one verified login per role, in Santa Anita.

Called by ``manage.py seed_demo`` (never in the production profile). Idempotent: running it
again keeps existing data and only resets the demo passwords.
"""

from __future__ import annotations

from typing import TextIO

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction

from platform_app.demo_logins import demo_password_set
from platform_app.demo_platform import seed_platform
from platform_app.demo_registry import seed_registry
from platform_app.models import District, User
from platform_app.permissions import Role
from platform_app.services.places import district_desk_set, user_grant_role

DEMO_USERS: tuple[tuple[str, Role, str, str], ...] = (
    ("coordinator@example.org", Role.COORDINATOR, "Rosa", "Quispe"),
    ("desk@example.org", Role.DESK, "Julio", "Mamani"),
    ("surveyor@example.org", Role.SURVEYOR, "Lucía", "Huamán"),
    ("reviewer@example.org", Role.REVIEWER, "Elena", "Vargas"),
    ("judge@example.org", Role.JUDGE, "Carmen", "Flores"),
    ("member@example.org", Role.MEMBER, "Pedro", "Condori"),
    ("representative@example.org", Role.REPRESENTATIVE, "Ana", "Torres"),
    # Acts for the first demo company (tied to it by the interventions demo).
    ("company@example.org", Role.COMPANY, "Sofía", "Paredes"),
    ("resident@example.org", Role.RESIDENT, "Miguel", "Ramos"),
)


@transaction.atomic
def seed(*, password: str, out: TextIO) -> None:
    district = District.objects.get(ubigeo=settings.DEFAULT_DISTRICT_UBIGEO)
    for email, role, first_name, last_name in DEMO_USERS:
        user, _created = User.objects.get_or_create(
            email=email,
            defaults={"first_name": first_name, "last_name": last_name, "district": district},
        )
        # Coordinators manage the platform's data in the administration too.
        user.is_staff = role == Role.COORDINATOR
        demo_password_set(user, password)
        user.save()
        user_grant_role(user=user, role=role, district=district)
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    out.write(f"Demo logins ready in {district.name}: {len(DEMO_USERS)} roles.\n")
    if not district.desk_address:  # demo values; the coordinator sets the real ones
        district_desk_set(
            district=district,
            actor=None,
            address="Palacio Municipal de Santa Anita, mesa de inscripción (primer piso)",
            hours="Lunes a viernes de 8:30 a 16:30; sábados de 9:00 a 13:00",
            phone="01 363 0000",
        )
    seed_registry(password=password, out=out)  # the organization registry
    seed_platform(password=password, out=out)  # the collaborative platform
