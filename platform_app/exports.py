"""Exports of the organization registry as CSV and XLSX."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from platform_app.models import Contact, Organization
from santaanita import writers

PUBLIC_COLUMNS: tuple[tuple[str, str], ...] = (
    ("registration_code", "Registration code"),
    ("name", "Name"),
    ("typology", "Typology"),
    ("sector", "Sector"),
    ("year_founded", "Year founded"),
    ("members_count", "Members"),
    ("activities", "Activities"),
    ("social_links", "Social networks"),
)
STAFF_COLUMNS: tuple[tuple[str, str], ...] = (
    ("status", "Status"),
    ("channel", "Channel"),
    ("address", "Address"),
    ("legal_status", "Legal status"),
    ("ruc", "RUC"),
    ("newly_constituted", "Newly constituted"),
    ("directory_consent", "Directory consent"),
    ("messages_consent", "Messages consent"),
    ("created_at", "Registered at"),
)
PERSONAL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("contact_name", "Contact"),
    ("contact_phone", "Phone"),
    ("contact_email", "Email"),
)


def _row(org: Organization, columns: Iterable[tuple[str, str]]) -> list[object]:
    contact = next(iter(org.contacts.all()), None)
    values: dict[str, object] = {
        "registration_code": org.registration_code,
        "name": org.name,
        "typology": org.get_typology_display(),
        "sector": org.sector.name if org.sector else "",
        "year_founded": org.year_founded or "",
        "members_count": org.members_count or "",
        "activities": org.activities,
        "social_links": " ".join(org.social_link_list),
        "status": org.get_status_display(),
        "channel": org.get_channel_display(),
        "address": org.address,
        "legal_status": org.get_legal_status_display(),
        "ruc": org.ruc,
        "newly_constituted": _("yes") if org.newly_constituted else _("no"),
        "directory_consent": _("yes") if org.directory_consent else _("no"),
        "messages_consent": _("yes") if org.messages_consent else _("no"),
        "created_at": timezone.localtime(org.created_at).strftime("%Y-%m-%d %H:%M"),
        "contact_name": contact.name if contact else "",
        "contact_phone": contact.phone if contact else "",
        "contact_email": contact.email if contact else "",
    }
    return [values[key] for key, _label in columns]


def organization_rows(
    organizations: QuerySet[Organization], *, personal: bool, staff: bool = True
) -> Iterator[list[object]]:
    """Header then one row per organization; contacts only when ``personal``."""
    columns = list(PUBLIC_COLUMNS)
    if staff:
        columns += STAFF_COLUMNS
    if personal:
        columns += PERSONAL_COLUMNS
        organizations = organizations.prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.filter(is_primary=True))
        )
    else:
        organizations = organizations.prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.none())
        )
    yield [_(label) for _key, label in columns]
    for org in organizations.order_by("name"):
        yield _row(org, columns)


def organizations_response(
    organizations: QuerySet[Organization], *, fmt: str, personal: bool, staff: bool
) -> HttpResponse:
    """CSV or XLSX; public exports pass ``staff`` and ``personal`` False."""
    rows = organization_rows(organizations, personal=personal, staff=staff)
    filename = f"organizaciones-{timezone.localdate().isoformat()}"
    if fmt == "csv":
        return writers.csv_response(rows, filename=f"{filename}.csv", bom=True)
    if fmt == "xlsx":
        return writers.xlsx_response(_("Organizations"), rows, filename=f"{filename}.xlsx")
    raise Http404
