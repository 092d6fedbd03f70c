"""Data-subject rights (Law 29733): requests confirmed by email, a copy of one's records, and
answers within the legal time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from platform_app.models import (
    Contact,
    DataRequest,
    District,
    Organization,
    OrganizationEvent,
    User,
)
from platform_app.permissions import may_answer_data_request
from platform_app.services.ledger import delivery_schedule, personal_data_forget
from platform_app.services.places import ORGANIZATION_PAGES
from platform_app.services.registry import CONFIRM_MAX_AGE, organization_event_record
from santaanita.page_cache import changes_pages

# --- Data subjects' rights (Law 29733) -------------------------------------------------

DATA_REQUEST_SALT = "platform_app.data-request"
DATA_COPY_SALT = "platform_app.data-copy"


def _add_working_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:  # national holidays are not modelled: a conservative count
            days -= 1
    return current


def data_request_submit(
    *,
    district: District,
    kind: str,
    name: str,
    email: str,
    details: str,
    confirm_url: Callable[[str], str],
) -> DataRequest:
    """Record a request and email its confirmation link; it counts once confirmed."""
    request = DataRequest.objects.create(
        district=district, kind=kind, name=name, email=email.lower(), details=details
    )
    token = signing.dumps({"r": request.pk}, salt=DATA_REQUEST_SALT)
    body = render_to_string(
        "platform_app/email/data_request_confirm.txt",
        {"data_request": request, "link": confirm_url(token)},
    )
    delivery_schedule(
        recipient=request.email,
        kind="registry.data_request",
        object_key=f"data-request:{request.pk}",
        subject=str(_("Confirm your request about your personal data")),
        body=body,
        district=district,
    )
    return request


def data_request_confirm(*, token: str) -> DataRequest:
    """The person proved they hold the email: the request opens and its deadline starts."""
    data = signing.loads(token, salt=DATA_REQUEST_SALT, max_age=CONFIRM_MAX_AGE)
    with transaction.atomic():
        request = DataRequest.objects.select_for_update().get(pk=data["r"])
        if request.status == DataRequest.Status.UNCONFIRMED:
            request.status = DataRequest.Status.OPEN
            request.confirmed_at = timezone.now()
            request.due_on = _add_working_days(
                timezone.localdate(), DataRequest.DEADLINE_DAYS[request.kind]
            )
            request.save(update_fields=["status", "confirmed_at", "due_on"])
    return request


def data_copy_token(*, data_request: DataRequest) -> str:
    return signing.dumps({"r": data_request.pk, "e": data_request.email}, salt=DATA_COPY_SALT)


def data_subject_records(*, district: District, email: str) -> list[dict[str, str | None]]:
    """Every personal datum the registry holds for this email, one dict per record."""
    records: list[dict[str, str | None]] = [
        {
            "kind": "contact",
            "organization": c.organization.name,
            "registration_code": c.organization.registration_code,
            "name": c.name,
            "phone": c.phone,
            "email": c.email,
        }
        for c in Contact.objects.filter(
            organization__district=district, email__iexact=email
        ).select_related("organization")
    ]
    records += [
        {
            "kind": "representative",
            "organization": o.name,
            "registration_code": o.registration_code,
            "name": "",
            "phone": "",
            "email": email,
        }
        for o in Organization.objects.filter(
            district=district, representatives__email__iexact=email
        )
    ]
    return records


@changes_pages(ORGANIZATION_PAGES)
def data_request_answer(
    *, data_request: DataRequest, actor: User, answer: str, anonymize: bool = False
) -> DataRequest:
    """A coordinator answers; for a cancellation, ``anonymize`` blanks every contact with
    that email and removes the person as representative, keeping the organizations'
    records (their history and counts) intact."""
    if not may_answer_data_request(actor, data_request):
        raise PermissionDenied
    with transaction.atomic():
        current = DataRequest.objects.select_for_update().get(pk=data_request.pk)
        if current.status != DataRequest.Status.OPEN:
            raise ValidationError(_("Only open requests can be answered."))
        erase = anonymize and current.kind == DataRequest.Kind.CANCELLATION
        email = current.email
        phones: list[str] = []
        if erase:
            now = timezone.now()
            contacts = list(
                Contact.objects.filter(
                    organization__district=current.district, email__iexact=current.email
                ).select_related("organization")
            )
            phones = sorted({c.phone for c in contacts if c.phone})
            for contact in contacts:
                contact.name = str(_("(anonymised)"))
                contact.phone = ""
                contact.email = ""
                contact.anonymized_at = now
                contact.save()
                organization_event_record(
                    contact.organization,
                    action=OrganizationEvent.Action.UPDATED,
                    actor=actor,
                    from_status=contact.organization.status,
                    reason=str(_("Contact anonymised at the data subject's request.")),
                    changes=["contact"],
                )
            for organization in Organization.objects.filter(
                district=current.district, representatives__email__iexact=current.email
            ):
                organization.representatives.remove(
                    *organization.representatives.filter(email__iexact=current.email)
                )
        current.status = DataRequest.Status.ANSWERED
        current.answer = answer
        current.answered_by = actor
        current.answered_at = timezone.now()
        current.save()
        answer_delivery = delivery_schedule(
            recipient=email,
            kind="registry.data_request_answer",
            object_key=f"data-request:{current.pk}",
            subject=str(_("Answer to your request about your personal data")),
            body=answer,
            district=current.district,
            erase_after_sending=erase,
        )
        if erase:
            personal_data_forget(email=email, phones=phones, keep_delivery=answer_delivery)
            # The requests themselves hold the address too: what was asked and answered,
            # and when, is kept as the proof of compliance; who asked is not.
            for data_request in DataRequest.objects.filter(
                district=current.district, email__iexact=email
            ):
                data_request.name = str(_("(anonymised)"))
                data_request.email = f"borrado-{data_request.pk}@anonimizado.invalid"
                data_request.details = ""
                data_request.save(update_fields=["name", "email", "details"])
            current.refresh_from_db()
    return current
