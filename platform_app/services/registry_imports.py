"""Importing organizations from a spreadsheet: checked row by row, written in batches, run in
the background with progress when large."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Value, When
from django.db.models.functions import Cast, Concat, ExtractYear, LPad
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from platform_app.models import (
    Contact,
    Delivery,
    District,
    Organization,
    OrganizationEvent,
    RegistryImport,
    User,
)
from platform_app.permissions import may_import_registry
from platform_app.services.places import ORGANIZATION_PAGES
from platform_app.services.registry import (
    ContactData,
    registration_code_prefix,
    registration_delivery,
)
from santaanita import queueing
from santaanita.page_cache import changes_pages

# Column names accepted in imported sheets (paper lists typed into a spreadsheet).
IMPORT_COLUMNS = {
    "name": ("name", "nombre", "organizacion", "organización"),
    "typology": ("typology", "tipologia", "tipología", "tipo"),
    "sector": ("sector",),
    "address": ("address", "direccion", "dirección"),
    "members_count": ("members", "integrantes", "miembros"),
    "year_founded": ("year_founded", "fundacion", "fundación", "año"),
    "contact_name": ("contact_name", "contacto"),
    "contact_phone": ("phone", "telefono", "teléfono", "celular"),
    "contact_email": ("email", "correo"),
    "directory_consent": ("directory_consent", "directorio"),
}
YES = {"si", "sí", "yes", "x", "1", "true"}
# Rows checked between two progress writes: often enough for a live bar, rarely enough that
# writing it costs nothing next to checking the rows.
IMPORT_PROGRESS_EVERY = 500
IMPORT_BATCH_SIZE = 1000


@dataclass
class ImportReport:
    created: list[str]
    rejected: list[tuple[int, str]]  # (sheet row number, reason)

    @property
    def ok(self) -> bool:
        return not self.rejected


def _import_token(source: str, number: int) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{source}#{number}")


@changes_pages(ORGANIZATION_PAGES)
def organizations_import(
    *,
    district: District,
    rows: list[dict[str, str]],
    dry_run: bool,
    actor: User | None = None,
    source: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import organizations from sheet rows; with ``dry_run`` nothing is written and the
    report lists every row that would be rejected and why.

    Every row goes through the desk's form, so the rules are the desk's. The accepted rows
    are then written together, in one transaction, as ``organization_register`` would write
    each (record, registration code, main contact, history entry, receipt email): an import
    is all or nothing, and a process killed half-way leaves no organization behind.
    Re-importing the same sheet skips the rows the first import wrote (their submission
    token is derived from source and row number). ``progress(rows_done, rows_rejected)`` is
    called every ``IMPORT_PROGRESS_EVERY`` rows and once at the end.
    """
    from platform_app.forms import OrganizationForm
    from platform_app.models.registry import normalize_name

    typology_by_label: dict[str, str] = {}
    for language in ("es", "en"):  # sheets are typed in Spanish, sometimes in English
        with translation.override(language):
            typology_by_label |= {
                str(label).lower(): value for value, label in Organization.Typology.choices
            }
    sector_rows = list(district.sectors.all())
    sectors = {str(s.number): s.pk for s in sector_rows}
    # One read of the district's live names and earlier import tokens instead of one query
    # per row; the unique constraint still guards the final write.
    live = dict(
        Organization.objects.filter(
            district=district,
            status__in=(Organization.Status.PENDING, Organization.Status.VERIFIED),
        ).values_list("normalized_name", "registration_code")
    )
    tokens = {_import_token(source, number) for number in range(2, len(rows) + 2)}
    imported_before = set(
        Organization.objects.filter(submission_token__in=tokens).values_list(
            "submission_token", flat=True
        )
    )
    report = ImportReport(created=[], rejected=[])
    accepted: list[tuple[int, dict[str, Any], ContactData]] = []
    seen: set[str] = set()
    form = OrganizationForm(district=district, sectors=sector_rows)

    for number, raw in enumerate(rows, start=2):
        done = number - 2
        if progress is not None and done and done % IMPORT_PROGRESS_EVERY == 0:
            progress(done, len(report.rejected))
        values = {
            field: next((raw[a] for a in aliases if raw.get(a)), "")
            for field, aliases in IMPORT_COLUMNS.items()
        }
        typology = values["typology"].lower()
        data = {
            **values,
            "typology": typology_by_label.get(typology, typology),
            "sector": sectors.get(values["sector"].lower().removeprefix("sector ").strip(), ""),
            "directory_consent": "on" if values["directory_consent"].lower() in YES else "",
            "legal_status": Organization.LegalStatus.INFORMAL,
        }
        form.rebind(data)
        if not form.is_valid():
            reasons = "; ".join(
                f"{form.fields[f].label if f in form.fields else f}: {' '.join(map(str, e))}"
                for f, e in form.errors.items()
            )
            report.rejected.append((number, reasons))
            continue
        normalized = normalize_name(form.cleaned_data["name"])
        if normalized in seen:
            report.rejected.append((number, _("Repeats an earlier row of the sheet.")))
            continue
        seen.add(normalized)
        if not dry_run and _import_token(source, number) in imported_before:
            continue  # this very row was imported before
        if normalized in live:
            report.rejected.append(
                (number, _("Already registered as %(code)s.") % {"code": live[normalized]})
            )
            continue
        if dry_run:
            report.created.append(form.cleaned_data["name"])
            continue
        accepted.append((number, form.organization_fields(), form.contact()))
    if accepted:
        try:
            report.created = _organizations_write(
                district=district, accepted=accepted, actor=actor, source=source
            )
        except IntegrityError:
            # A desk clerk registered one of these names while the sheet was being checked.
            raise ValidationError(
                _(
                    "Another registration of one of these names arrived during the import; "
                    "nothing was imported. Run the import again."
                ),
                code="concurrent",
            ) from None
    if progress is not None:
        progress(len(rows), len(report.rejected))
    return report


def _organizations_write(
    *,
    district: District,
    accepted: list[tuple[int, dict[str, Any], ContactData]],
    actor: User | None,
    source: str,
) -> list[str]:
    """Write the accepted rows of an import in one transaction, in batches."""
    from platform_app.models.registry import normalize_name

    language = translation.get_language() or settings.LANGUAGE_CODE
    prefix = registration_code_prefix(district)
    with transaction.atomic():
        organizations = [
            Organization(
                district=district,
                channel=Organization.Channel.IMPORTED,
                submission_token=_import_token(source, number),
                normalized_name=normalize_name(fields["name"]),
                **fields,
            )
            for number, fields, _contact in accepted
        ]
        Organization.objects.bulk_create(organizations, batch_size=IMPORT_BATCH_SIZE)
        for organization in organizations:
            organization.registration_code = (
                f"{prefix}-{organization.created_at.year}-{organization.pk:04d}"
            )
        # The same codes, written by the database in one statement (a bulk_update of a
        # hundred thousand rows would send a CASE branch per row).
        pk_text = Cast("pk", output_field=CharField())
        Organization.objects.filter(
            pk__gte=organizations[0].pk,
            pk__lte=organizations[-1].pk,
            district=district,
            channel=Organization.Channel.IMPORTED,
            registration_code__isnull=True,
        ).update(
            registration_code=Concat(
                Value(f"{prefix}-"),
                Cast(ExtractYear("created_at", tzinfo=UTC), output_field=CharField()),
                Value("-"),
                Case(When(pk__lt=10000, then=LPad(pk_text, 4, Value("0"))), default=pk_text),
                output_field=CharField(),
            )
        )
        contacts = [
            (organization, contact)
            for organization, (_number, _fields, contact) in zip(
                organizations, accepted, strict=True
            )
        ]
        Contact.objects.bulk_create(
            [
                Contact(
                    organization=organization,
                    name=contact.name,
                    phone=contact.phone,
                    email=contact.email.lower(),
                )
                for organization, contact in contacts
            ],
            batch_size=IMPORT_BATCH_SIZE,
        )
        OrganizationEvent.objects.bulk_create(
            [
                OrganizationEvent(
                    organization=organization,
                    actor=actor,
                    action=OrganizationEvent.Action.REGISTERED,
                    to_status=organization.status,
                )
                for organization in organizations
            ],
            batch_size=IMPORT_BATCH_SIZE,
        )
        Delivery.objects.bulk_create(
            [
                registration_delivery(organization, contact.email, None, language)
                for organization, contact in contacts
                if contact.email
            ],
            batch_size=IMPORT_BATCH_SIZE,
            ignore_conflicts=True,
        )
    # The receipts leave with the next scan, a few at a time, not all from this process.
    return [organization.registration_code or "" for organization in organizations]


# --- Import of organizations in the background, with a progress bar ---------------------

# Sheets up to this many rows are checked (or imported) within the request: a second or two.
# Larger ones run in the background: a Celery task with Redis, the run_reminders loop in
# the embedded mode; the page follows the RegistryImport row either way.
IMPORT_INLINE_ROWS = 500
# An import that has not written its progress for this long died with its process.
IMPORT_STALE_AFTER = timedelta(minutes=5)


def registry_import_start(
    *,
    district: District,
    actor: User,
    rows: list[dict[str, str]],
    source: str,
    dry_run: bool = False,
) -> RegistryImport:
    """Record an import (or dry run) of a sheet's rows and run it: at once for a small
    sheet, else in the background. Returns the import, finished or queued.

    ``actor`` is the coordinator who sent the sheet; the background run that follows is the
    system's (``registry_import_run``, ``organizations_import``) and checks nothing again.
    """
    if not may_import_registry(actor, district):
        raise PermissionDenied
    from celery import current_app

    from platform_app.tasks import import_organizations

    job = RegistryImport.objects.create(
        district=district,
        actor=actor,
        token=uuid.uuid4().hex,
        source=source[:255],
        dry_run=dry_run,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        total=len(rows),
        rows=rows,
    )
    if len(rows) <= IMPORT_INLINE_ROWS:
        registry_import_run(import_id=job.pk)
    elif not current_app.conf.task_always_eager:
        job_id = job.pk

        def publish() -> None:
            # A broker that does not answer must not leave the import queued for ever:
            # it fails at once, with nothing imported, and the coordinator tries later.
            if not queueing.enqueue_each(import_organizations, [(job_id,)]):
                _import_fail(
                    job_id,
                    str(
                        _(
                            "The import could not start: the task queue is not answering. "
                            "Nothing was imported; try again in a few minutes."
                        )
                    ),
                )

        transaction.on_commit(publish)
    # Otherwise (embedded mode, no worker) the run_reminders loop picks it up.
    job.refresh_from_db()
    return job


def _import_progress(job_id: int, done: int, rejected: int) -> None:
    RegistryImport.objects.filter(pk=job_id).update(
        done=done, rejected=rejected, heartbeat_at=timezone.now()
    )


@changes_pages(ORGANIZATION_PAGES)
def registry_import_run(*, import_id: int) -> RegistryImport | None:
    """Run one queued import, writing its progress as it goes; its report when done.

    The status moves from queued to running by a conditional update, so of two runners (a
    re-delivered task, the loop) only one imports. A run that fails leaves a report saying
    so, and, the organizations being written in one transaction at the end, no record.
    """
    claimed = RegistryImport.objects.filter(
        pk=import_id, status=RegistryImport.Status.QUEUED
    ).update(status=RegistryImport.Status.RUNNING, heartbeat_at=timezone.now())
    job = RegistryImport.objects.filter(pk=import_id).first()
    if not claimed or job is None:
        return job  # another runner has it, or it is finished
    try:
        with translation.override(job.language):
            report = organizations_import(
                district=job.district,
                rows=job.rows,
                dry_run=job.dry_run,
                actor=job.actor,
                source=job.source,
                progress=lambda done, rejected: _import_progress(job.pk, done, rejected),
            )
    except ValidationError as error:
        _import_fail(job.pk, " ".join(error.messages))
    except Exception:
        _import_fail(job.pk, str(_("The import failed because of an internal error.")))
        raise
    else:
        RegistryImport.objects.filter(pk=job.pk).update(
            status=RegistryImport.Status.DONE,
            report={"created": report.created, "rejected": [list(r) for r in report.rejected]},
            rows=[],
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


def _import_fail(job_id: int, error: str) -> None:
    RegistryImport.objects.filter(pk=job_id).update(
        status=RegistryImport.Status.FAILED, error=error, rows=[], finished_at=timezone.now()
    )


def registry_imports_scan(*, now: datetime | None = None) -> int:
    """Part of the periodic scan: mark as failed the imports whose process died (no
    progress for ``IMPORT_STALE_AFTER``), and, in the embedded mode, run the queued ones.
    Returns how many were run."""
    from celery import current_app

    now = now or timezone.now()
    for job_id in RegistryImport.objects.filter(
        status=RegistryImport.Status.RUNNING, heartbeat_at__lt=now - IMPORT_STALE_AFTER
    ).values_list("pk", flat=True):
        _import_fail(job_id, str(_("The import was interrupted; nothing was imported.")))
    if not current_app.conf.task_always_eager:
        return 0  # the Celery worker runs them
    queued = list(
        RegistryImport.objects.filter(status=RegistryImport.Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for job_id in queued:
        registry_import_run(import_id=job_id)
    return len(queued)
