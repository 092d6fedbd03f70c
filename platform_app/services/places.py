"""Districts, sectors, each district's registration desk, the roles and passwords of
accounts, and the page families their writes change."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import date, datetime, time

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from platform_app.gazetteer import DistrictRecord, SectorRecord
from platform_app.models import (
    District,
    PlatformSettings,
    Sector,
    User,
)
from platform_app.permissions import Role, may_set_desk_contact
from santaanita.page_cache import changes_pages

logger = logging.getLogger(__name__)

# Page families (santaanita/page_cache.py) of what the public pages show from this app:
# the district and its sectors (home, map page), and the public organizations.
DISTRICT_PAGES = "pages:districts"
ORGANIZATION_PAGES = "pages:organizations"


def user_grant_role(*, user: User, role: Role, district: District | None = None) -> None:
    user.groups.add(Group.objects.get(name=role.value))
    if district is not None and user.district_id != district.pk:
        user.district = district
        user.save(update_fields=["district"])


@changes_pages(DISTRICT_PAGES)
def districts_import(*, records: list[DistrictRecord]) -> tuple[int, int]:
    """Create or update districts by UBIGEO. Returns (created, updated)."""
    created = updated = 0
    with transaction.atomic():
        for record in records:
            fields = asdict(record)
            ubigeo = fields.pop("ubigeo")
            _district, was_created = District.objects.update_or_create(
                ubigeo=ubigeo, defaults=fields
            )
            created += was_created
            updated += not was_created
    return created, updated


@changes_pages(DISTRICT_PAGES)
def sectors_import(*, district: District, records: list[SectorRecord]) -> tuple[int, int]:
    """Create or update a district's sectors by number. Returns (created, updated)."""
    created = updated = 0
    with transaction.atomic():
        for record in records:
            fields = asdict(record)
            number = fields.pop("number")
            _sector, was_created = Sector.objects.update_or_create(
                district=district, number=number, defaults=fields
            )
            created += was_created
            updated += not was_created
    return created, updated


def platform_settings_get(*, district: District) -> PlatformSettings:
    settings_row, _created = PlatformSettings.objects.get_or_create(district=district)
    return settings_row


def lima_datetime(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


# --- District: the registration desk's contact ------------------------------------------


def district_desk_set(
    *, district: District, actor: User | None, address: str, hours: str, phone: str
) -> District:
    """Set where and when residents find the registration desk. The phone is stored as
    +51… so that pages can dial it (``tel:``) whatever way it was typed.

    ``actor`` is the person who set it (the admin), checked; None when the system does (the
    demo data).
    """
    from santaanita.phones import normalize_phone

    if actor is not None and not may_set_desk_contact(actor, district):
        raise PermissionDenied

    district.desk_address = address.strip()
    district.desk_hours = hours.strip()
    district.desk_phone = normalize_phone(phone) if phone.strip() else ""
    district.save(update_fields=["desk_address", "desk_hours", "desk_phone"])
    logger.info("District %s desk contact set by %s", district.pk, actor.pk if actor else None)
    return district
