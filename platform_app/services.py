"""Writes of platform_app: one function per action, keyword-only, in one transaction."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat, ExtractYear, LPad
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from platform_app.gazetteer import DistrictRecord, SectorRecord
from platform_app.models import (
    Activity,
    AgendaItem,
    Agreement,
    AgreementFollowUp,
    Attendance,
    Campaign,
    Contact,
    DataRequest,
    Delivery,
    District,
    Invitation,
    Meeting,
    Member,
    Objective,
    Organization,
    OrganizationEvent,
    OrganizationInvitation,
    PlatformSettings,
    RegistryImport,
    RoleGuideVersion,
    Sector,
    User,
)
from platform_app.permissions import Role
from platform_app.places import organization_turf
from santaanita import queueing
from santaanita.files import DOCUMENTS, ensure_checked
from santaanita.outbox import outbox_forget, outbox_purge
from santaanita.page_cache import changes_pages

logger = logging.getLogger(__name__)

# Page families (santaanita/page_cache.py) of what the public pages show from this app:
# the district and its sectors (home, map page), and the public organizations.
DISTRICT_PAGES = "pages:districts"
ORGANIZATION_PAGES = "pages:organizations"


def delivery_schedule(
    *,
    recipient: str,
    kind: str,
    object_key: str,
    subject: str,
    body: str,
    html_body: str = "",
    ics: str = "",
    language: str = "es-pe",
    send_at: datetime | None = None,
    district: District | None = None,
    erase_after_sending: bool = False,
) -> Delivery:
    """Record one email to send at ``send_at`` (now by default); idempotent on its key.

    Scheduling the same (recipient, kind, object) twice returns the first row untouched,
    so a scan or a request that runs twice never queues two emails.
    """
    from platform_app.tasks import send_delivery

    send_at = send_at or timezone.now()
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                recipient=recipient.lower(),
                kind=kind,
                object_key=object_key,
                subject=subject[:255],
                body=body,
                html_body=html_body,
                ics=ics,
                language=language,
                scheduled_for=send_at,
                district=district,
                erase_after_sending=erase_after_sending,
            )
    except IntegrityError:
        return Delivery.objects.get(recipient=recipient.lower(), kind=kind, object_key=object_key)
    if send_at <= timezone.now():
        # A broker that is down leaves the row pending for deliveries_enqueue_due.
        queueing.enqueue_on_commit(send_delivery, [(delivery.pk,)])
    return delivery


def delivery_send(*, delivery_id: int) -> bool:
    """Claim and send one delivery. Returns False when another worker has it or it is done.

    The claim commits before the email leaves, so a concurrent duplicate task sees the row
    taken. If sending fails the claim is released (status back to pending) and the error
    propagates for the task's bounded retry.
    """
    now = timezone.now()
    if not Delivery.objects.claim(delivery_id, now):
        return False
    delivery = Delivery.objects.get(pk=delivery_id)
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.body,
        to=[delivery.recipient],
        headers={"Message-ID": delivery.message_id},
    )
    if delivery.html_body:
        message.attach_alternative(delivery.html_body, "text/html")
    if delivery.ics:
        message.attach("invitation.ics", delivery.ics, "text/calendar; method=PUBLISH")
    try:
        message.send()
    except Exception as exc:
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.PENDING, last_error=str(exc)[:2000]
        )
        raise
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    if delivery.erase_after_sending:
        _deliveries_redact(Delivery.objects.filter(pk=delivery_id))
        outbox_forget([delivery.recipient])
    return True


def _deliveries_redact(deliveries: QuerySet[Delivery]) -> int:
    """Blank the recipient and every text of these deliveries; what is still to be sent is
    cancelled. The row stays (its kind, object and dates), so the ledger still shows that a
    message went out, not to whom nor what it said."""
    count = 0
    for pk, status in deliveries.values_list("pk", "status"):
        Delivery.objects.filter(pk=pk).update(
            # Unique per row, and a reserved domain (RFC 2606) that can never receive mail.
            recipient=f"borrado-{pk}@anonimizado.invalid",
            subject="",
            body="",
            html_body="",
            ics="",
            last_error="",
            status=Delivery.Status.CANCELLED if status == Delivery.Status.PENDING else status,
        )
        count += 1
    return count


@changes_pages(ORGANIZATION_PAGES)
def personal_data_forget(
    *, email: str, phones: list[str], keep_delivery: Delivery | None = None
) -> None:
    """Remove a person from the delivery ledger and from the stored copies of sent emails:
    every message to them, and every message that mentions their email or phone.

    ``keep_delivery`` (the answer telling them it is done) is left to be sent; it is marked
    to be erased right after. The stored copies are rewritten once the transaction commits.
    """
    # Phones are stored as +51…; a text may quote the nine national digits alone.
    national = [phone.removeprefix("+51") for phone in phones]
    needles = [needle for needle in {email.lower(), *phones, *national} if needle]
    match = Q(recipient__iexact=email)
    for needle in needles:
        for column in ("subject", "body", "html_body", "ics", "last_error"):
            match |= Q(**{f"{column}__icontains": needle})
    deliveries = Delivery.objects.filter(match)
    if keep_delivery is not None:
        deliveries = deliveries.exclude(pk=keep_delivery.pk)
    _deliveries_redact(deliveries)
    transaction.on_commit(lambda: outbox_forget(needles))


def deliveries_purge(*, now: datetime | None = None) -> int:
    """The daily retention job: drop the texts of deliveries older than
    ``DELIVERY_BODY_RETENTION_DAYS``, and the stored copies of emails as old.

    A message's text is only needed while it may be resent or asked about; the row itself
    (recipient, kind, object, dates) stays, because it is what keeps a reminder from being
    sent twice. Returns how many deliveries lost their texts.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.DELIVERY_BODY_RETENTION_DAYS)
    purged = (
        Delivery.objects.filter(scheduled_for__lt=cutoff)
        .exclude(status__in=(Delivery.Status.PENDING, Delivery.Status.SENDING))
        .exclude(body="", html_body="", ics="")
        .update(body="", html_body="", ics="")
    )
    outbox_purge(before=cutoff)
    if purged:
        logger.info("Purged the texts of %d deliveries older than %s", purged, cutoff)
    return purged


def delivery_fail(*, delivery_id: int, error: str) -> None:
    """Give up on a delivery after its retries, so the scan stops picking it up."""
    Delivery.objects.filter(pk=delivery_id).exclude(status=Delivery.Status.SENT).update(
        status=Delivery.Status.FAILED, last_error=error[:2000]
    )


DELIVERY_BATCH_SIZE = 50


def deliveries_enqueue_due(*, now: datetime | None = None) -> int:
    """The periodic scan: enqueue the due deliveries, in batches. Beat and the loop call it.

    A batch per DELIVERY_BATCH_SIZE deliveries rather than a task each: publishing a task
    costs more than sending a file or SMTP message, and a convocation reaches every member
    at once. Each delivery is still claimed on its own, so enqueuing a delivery twice, or a
    batch re-delivered after a worker died, sends nothing twice. Returns how many were
    enqueued: with the broker down none are, and they stay pending for the next scan.
    """
    from platform_app.tasks import send_deliveries

    due_ids = list(Delivery.objects.due(now or timezone.now()).values_list("pk", flat=True))
    batches = [
        (due_ids[start : start + DELIVERY_BATCH_SIZE],)
        for start in range(0, len(due_ids), DELIVERY_BATCH_SIZE)
    ]
    published = queueing.enqueue_each(send_deliveries, batches)
    enqueued = sum(len(batch) for (batch,) in batches[:published])
    if enqueued:
        logger.info("Enqueued %d due deliveries", enqueued)
    return enqueued


def reminders_scan(*, now: datetime | None = None) -> int:
    """The one periodic job: let each app schedule what has become due, then send.

    Each entry of settings.REMINDER_SCANS is a dotted path to a function taking keyword
    ``now`` that schedules deliveries (with ``delivery_schedule``, idempotent on its key) for
    the reminders due by then. Listing them in settings keeps platform_app from importing
    the apps above it. Celery beat and the ``run_reminders`` loop both call this.
    """
    now = now or timezone.now()
    for path in settings.REMINDER_SCANS:
        import_string(path)(now=now)
    return deliveries_enqueue_due(now=now)


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


# --- Organization registry (issue 3) ---------------------------------------------------

CONFIRM_SALT = "platform_app.organization-confirm"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 14  # two weeks to click the link


class DuplicateOrganizationError(Exception):
    """The district already has a live record with this (normalised) name."""

    def __init__(self, existing: Organization) -> None:
        super().__init__(existing.name)
        self.existing = existing


class StaleOrganizationError(Exception):
    """The record changed after the form was read; saving would overwrite someone's edit.

    ``current`` is the record as it is now, so the form can keep what was typed and carry
    the current version: sent again, knowingly, it replaces the other change."""

    def __init__(self, current: Organization) -> None:
        super().__init__(current.registration_code)
        self.current = current


@dataclass(frozen=True)
class ContactData:
    name: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class RegistrationResult:
    organization: Organization
    created: bool


def _unsaved_error() -> ValidationError:
    """A database constraint refused the write for a reason the checks before it did not
    foresee: a form error in words, never the constraint's own message."""
    return ValidationError(
        _("The record could not be saved as it is; review the data and try again."),
        code="constraint",
    )


def _code_prefix(district: District) -> str:
    words = [w for w in district.name.replace("-", " ").split() if w[:1].isalpha()]
    if len(words) >= 2:
        return (words[0][0] + words[1][0]).upper()
    return district.name[:2].upper()


def _record(
    organization: Organization,
    *,
    action: str,
    actor: User | None,
    from_status: str = "",
    reason: str = "",
    changes: list[str] | None = None,
) -> OrganizationEvent:
    return OrganizationEvent.objects.create(
        organization=organization,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        from_status=from_status,
        to_status=organization.status,
        reason=reason,
        changes=changes or [],
    )


def organization_confirm_token(*, organization: Organization, email: str) -> str:
    return signing.dumps({"o": organization.pk, "e": email.lower()}, salt=CONFIRM_SALT)


@changes_pages(ORGANIZATION_PAGES)
def organization_register(
    *,
    district: District,
    fields: dict[str, Any],
    contact: ContactData | None,
    channel: str,
    submission_token: uuid.UUID | None,
    actor: User | None = None,
    campaign: Campaign | None = None,
    confirm_url: Callable[[str], str] | None = None,
    turf: list[str] | None = None,
) -> RegistrationResult:
    """Create one organization with its main contact, history entry and receipt email.

    Idempotent on ``submission_token``: a double click or a retried POST returns the record
    the first submit created (``created`` False). A record with the same normalised name
    in the district raises ``DuplicateOrganizationError``; the unique constraint makes that
    hold under concurrency (see ``Organization.Meta.constraints``).
    """
    if submission_token is not None:
        earlier = Organization.objects.filter(submission_token=submission_token).first()
        if earlier is not None:
            return RegistrationResult(earlier, created=False)
    organization = Organization(
        district=district,
        channel=channel,
        submission_token=submission_token,
        entered_by=actor if channel == Organization.Channel.DESK else None,
        campaign=campaign,
        **fields,
    )
    # Constraints are left to the database (the INSERT below): the unique name is decided
    # there under concurrency and answered as DuplicateOrganizationError.
    organization.full_clean(
        exclude=["registration_code", "submission_token"], validate_constraints=False
    )
    try:
        # The savepoint keeps an outer transaction usable when the INSERT loses a race.
        with transaction.atomic():
            organization.save()
            organization.registration_code = (
                f"{_code_prefix(district)}-{organization.created_at.year}-{organization.pk:04d}"
            )
            organization.save(update_fields=["registration_code"])
            if contact is not None:
                Contact.objects.create(
                    organization=organization,
                    name=contact.name,
                    phone=contact.phone,
                    email=contact.email.lower(),
                )
            if turf:
                _turf_replace(organization, turf)
            _record(organization, action=OrganizationEvent.Action.REGISTERED, actor=actor)
    except IntegrityError:
        if submission_token is not None:
            earlier = Organization.objects.filter(submission_token=submission_token).first()
            if earlier is not None:
                return RegistrationResult(earlier, created=False)
        existing = (
            Organization.objects.filter(
                district=district,
                normalized_name=organization.normalized_name,
                status__in=(Organization.Status.PENDING, Organization.Status.VERIFIED),
            )
            .order_by("pk")
            .first()
        )
        if existing is None:
            raise _unsaved_error() from None
        raise DuplicateOrganizationError(existing) from None
    if contact is not None and contact.email:
        _send_registration_email(organization, contact.email, confirm_url)
    return RegistrationResult(organization, created=True)


def _registration_delivery(
    organization: Organization,
    email: str,
    confirm_url: Callable[[str], str] | None,
    language: str,
) -> Delivery:
    """The receipt email of a registration, not yet saved."""
    link = ""
    if confirm_url is not None:
        link = confirm_url(organization_confirm_token(organization=organization, email=email))
    context = {"organization": organization, "confirm_link": link}
    with translation.override(language):
        subject = str(
            _("Registration %(code)s received") % {"code": organization.registration_code}
        )
        body = render_to_string("platform_app/email/organization_registered.txt", context)
    return Delivery(
        recipient=email.lower(),
        kind="registry.registered",
        object_key=f"organization:{organization.pk}",
        subject=subject[:255],
        body=body,
        language=language,
        district=organization.district,
    )


def _send_registration_email(
    organization: Organization, email: str, confirm_url: Callable[[str], str] | None
) -> None:
    language = translation.get_language() or settings.LANGUAGE_CODE
    receipt = _registration_delivery(organization, email, confirm_url, language)
    delivery_schedule(
        recipient=receipt.recipient,
        kind=receipt.kind,
        object_key=receipt.object_key,
        subject=receipt.subject,
        body=receipt.body,
        language=language,
        district=organization.district,
    )


@changes_pages(ORGANIZATION_PAGES)
def organization_confirm_email(*, token: str) -> Organization:
    """Confirm the submitter's email: verify (or create) their account, make them the
    organization's representative. Raises ``signing.BadSignature`` on a bad or old token.

    Clicking twice is harmless: every step is get-or-create.
    """
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=data["o"])
        email = data["e"]
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            # No password yet: the representative sets one with "forgot password" if they
            # want to sign in; the registration itself never needed an account.
            user = User.objects.create_user(email=email, district=organization.district)
        address, _created = EmailAddress.objects.get_or_create(
            user=user,
            email=email,
            defaults={"primary": not EmailAddress.objects.filter(user=user).exists()},
        )
        if not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])
        user_grant_role(user=user, role=Role.REPRESENTATIVE)
        organization.representatives.add(user)
        if organization.email_confirmed_at is None:
            organization.email_confirmed_at = timezone.now()
            organization.save(update_fields=["email_confirmed_at", "updated_at"])
            _record(organization, action=OrganizationEvent.Action.CONFIRMED, actor=user)
    return organization


def _turf_replace(organization: Organization, keys: list[str]) -> bool:
    """Set the spaces the organization cares for; True when that changed them."""
    turf = organization_turf()
    if turf is None:
        return False
    return turf.replace(organization, keys)


# Changes to these fields of a verified record send it back to the coordinators' review.
REVIEWED_FIELDS = ("name", "typology", "sector")


@changes_pages(ORGANIZATION_PAGES)
def organization_update(
    *,
    organization: Organization,
    fields: dict[str, Any],
    contact: ContactData | None,
    actor: User,
    version: int,
    review_changes: bool = False,
    turf: list[str] | None = None,
) -> Organization:
    """Save an edit made from a form that read ``version``; refuse if it is stale.

    The row is locked (``select_for_update``) while its version is compared and bumped,
    so of two clerks saving the same record at once the second gets StaleOrganizationError
    instead of silently overwriting the first. With ``review_changes`` (representatives),
    a verified record whose name, typology or sector changes returns to pending.
    """
    with transaction.atomic():
        current = Organization.objects.select_for_update().get(pk=organization.pk)
        if current.version != version:
            raise StaleOrganizationError(current)
        changed = [name for name, value in fields.items() if getattr(current, name) != value]
        for name, value in fields.items():
            setattr(current, name, value)
        from_status = current.status
        if (
            review_changes
            and current.status == Organization.Status.VERIFIED
            and set(changed) & set(REVIEWED_FIELDS)
        ):
            current.status = Organization.Status.PENDING
        current.version += 1
        current.full_clean(
            exclude=["registration_code", "submission_token"], validate_constraints=False
        )
        try:
            with transaction.atomic():
                current.save()
        except IntegrityError:
            existing = (
                Organization.objects.filter(
                    district=current.district,
                    normalized_name=current.normalized_name,
                    status__in=(Organization.Status.PENDING, Organization.Status.VERIFIED),
                )
                .exclude(pk=current.pk)
                .first()
            )
            if existing is None:
                raise _unsaved_error() from None
            raise DuplicateOrganizationError(existing) from None
        if contact is not None:
            main = current.contacts.filter(is_primary=True).first()
            if main is None:
                Contact.objects.create(
                    organization=current,
                    name=contact.name,
                    phone=contact.phone,
                    email=contact.email.lower(),
                )
                changed.append("contact")
            elif (main.name, main.phone, main.email) != (
                contact.name,
                contact.phone,
                contact.email.lower(),
            ):
                main.name, main.phone, main.email = (
                    contact.name,
                    contact.phone,
                    contact.email.lower(),
                )
                main.save()
                changed.append("contact")
        if turf is not None and _turf_replace(current, turf):
            changed.append("turf")
        action = (
            OrganizationEvent.Action.RETURNED
            if current.status != from_status
            else OrganizationEvent.Action.UPDATED
        )
        _record(current, action=action, actor=actor, from_status=from_status, changes=changed)
    return current


@changes_pages(ORGANIZATION_PAGES)
def organization_verify(
    *,
    organization: Organization,
    actor: User,
    decision: str,
    reason: str = "",
    merged_into: Organization | None = None,
) -> Organization:
    """A coordinator's decision on a pending record: verified, rejected (with a reason) or
    merged into another record of the district. Kept in the history; representatives and the
    main contact are told by email after commit."""
    statuses = Organization.Status
    if decision not in (statuses.VERIFIED, statuses.REJECTED, statuses.MERGED):
        raise ValueError(decision)
    if decision == statuses.REJECTED and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the rejection.")})
    if decision == statuses.MERGED and (
        merged_into is None
        or merged_into.pk == organization.pk
        or merged_into.district_id != organization.district_id
    ):
        raise ValidationError({"merged_into": _("Choose another record of the same district.")})
    with transaction.atomic():
        # Locked so two coordinators deciding at once record one decision after the other.
        current = Organization.objects.select_for_update().get(pk=organization.pk)
        from_status = current.status
        if from_status != statuses.PENDING:
            raise ValidationError(_("This record has already been decided."))
        current.status = decision
        current.merged_into = merged_into if decision == statuses.MERGED else None
        current.version += 1
        current.save(update_fields=["status", "merged_into", "version", "updated_at"])
        if decision == statuses.MERGED and merged_into is not None:
            merged_into.representatives.add(*current.representatives.all())
        # Keyed by str: ``decision`` arrives as the plain value a form posted.
        actions: dict[str, OrganizationEvent.Action] = {
            statuses.VERIFIED: OrganizationEvent.Action.VERIFIED,
            statuses.REJECTED: OrganizationEvent.Action.REJECTED,
            statuses.MERGED: OrganizationEvent.Action.MERGED,
        }
        event = _record(
            current,
            action=actions[decision],
            actor=actor,
            from_status=from_status,
            reason=reason,
        )
        recipients = {u.email for u in current.representatives.all()}
        recipients |= {c.email for c in current.contacts.all() if c.email}
        language = settings.LANGUAGE_CODE
        with translation.override(language):
            subject = str(
                _("Your registration %(code)s: %(status)s")
                % {"code": current.registration_code, "status": current.get_status_display()}
            )
            body = render_to_string(
                "platform_app/email/organization_decision.txt",
                {"organization": current, "reason": reason, "merged_into": merged_into},
            )
        for email in sorted(recipients):
            delivery_schedule(
                recipient=email,
                kind="registry.decision",
                object_key=f"organization:{current.pk}:event:{event.pk}",
                subject=subject,
                body=body,
                language=language,
                district=current.district,
            )
    return current


# --- Collaborative platform (issue 5): members, meetings, agreements, reminders ----------

INVITATION_SALT = "platform_app.member-invitation"
INVITATION_MAX_AGE = 60 * 60 * 24 * 30  # a month to accept
REMINDER_HOUR = time(9, 0)  # agreement reminders and the digest go out at 09:00 in Lima


def platform_settings_get(*, district: District) -> PlatformSettings:
    settings_row, _created = PlatformSettings.objects.get_or_create(district=district)
    return settings_row


def _render_email(template: str, context: dict[str, Any], language: str) -> str:
    with translation.override(language):
        return render_to_string(f"platform_app/email/{template}.txt", context)


def _lima(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


def _existing_recipients(kind: str, object_key: str) -> set[str]:
    # One read per reminder instead of one failed INSERT per recipient on every scan.
    return set(
        Delivery.objects.filter(kind=kind, object_key=object_key).values_list(
            "recipient", flat=True
        )
    )


# Members and invitations


def member_invite(
    *,
    district: District,
    email: str,
    sector: str,
    age_group: str,
    invited_by: User,
    accept_url: Callable[[str], str],
    organization: Organization | None = None,
    first_name: str = "",
    last_name: str = "",
) -> Invitation:
    """Record an invitation and email its signed link (valid for a month)."""
    with transaction.atomic():
        invitation = Invitation.objects.create(
            district=district,
            email=email.strip().lower(),
            sector=sector,
            age_group=age_group,
            organization=organization,
            first_name=first_name,
            last_name=last_name,
            invited_by=invited_by,
        )
        token = signing.dumps(invitation.pk, salt=INVITATION_SALT)
        context = {"invitation": invitation, "link": accept_url(token), "district": district}
        language = settings.LANGUAGE_CODE
        existing = User.objects.filter(email=invitation.email).first()
        if existing is not None:
            language = existing.language
        with translation.override(language):
            subject = _("Invitation to the Collaborative Platform of %(district)s") % {
                "district": district.name
            }
        delivery_schedule(
            recipient=invitation.email,
            kind="platform.invitation",
            object_key=f"invitation:{invitation.pk}",
            subject=subject,
            body=_render_email("invitation", context, language),
            language=language,
            district=district,
        )
    return invitation


def invitation_from_token(*, token: str) -> Invitation | None:
    """The invitation a link points to, if the signature is valid and recent."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return Invitation.objects.select_related("district").filter(pk=pk).first()


def member_join(*, invitation: Invitation, user: User) -> Member:
    """Make ``user`` a member as the invitation says; joining again reactivates."""
    with transaction.atomic():
        member, created = Member.objects.get_or_create(
            district=invitation.district,
            user=user,
            defaults={
                "sector": invitation.sector,
                "age_group": invitation.age_group,
                "organization": invitation.organization,
            },
        )
        if not created and member.status != Member.Status.ACTIVE:
            member.status = Member.Status.ACTIVE
            member.save(update_fields=["status"])
        user_grant_role(user=user, role=Role.MEMBER, district=invitation.district)
        Invitation.objects.filter(pk=invitation.pk).update(
            accepted_at=timezone.now(), member=member
        )
    return member


def invitation_accept_new_account(
    *, invitation: Invitation, first_name: str, last_name: str, password: str, language: str
) -> User:
    """Create the account an invitation is for. The signed link proved the address, so the
    email is recorded as verified."""
    with transaction.atomic():
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            language=language,
            district=invitation.district,
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        member_join(invitation=invitation, user=user)
    return user


def member_set_status(*, member: Member, status: str) -> Member:
    """Change a member's status; members who leave lose the member role's access."""
    with transaction.atomic():
        member.status = status
        member.save(update_fields=["status"])
        if status == Member.Status.LEFT:
            member.user.groups.remove(Group.objects.get(name=Role.MEMBER.value))
        else:
            user_grant_role(user=member.user, role=Role.MEMBER)
    return member


def member_feed_token_reset(*, member: Member) -> Member:
    """Revoke the calendar feed address: the old secret URL stops working at once."""
    import secrets

    member.feed_token = secrets.token_urlsafe(32)
    member.save(update_fields=["feed_token"])
    return member


# Meetings


def _monthly_dates(first: datetime, count: int) -> list[datetime]:
    """The same weekday of the same week of each month (the 2nd Tuesday, say), in Lima;
    a fifth weekday that a month lacks becomes that month's last one."""
    local = timezone.localtime(first)
    nth = (local.day - 1) // 7
    result = []
    for i in range(count):
        month_index = local.month - 1 + i
        year, month = local.year + month_index // 12, month_index % 12 + 1
        day = date(year, month, 1)
        offset = (local.weekday() - day.weekday()) % 7
        candidate = day + timedelta(days=offset + 7 * nth)
        while candidate.month != month:
            candidate -= timedelta(days=7)
        result.append(_lima(candidate, local.time().replace(tzinfo=None)))
    return result


def meeting_create(
    *,
    district: District,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    created_by: User | None,
    place: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    place_url: str = "",
    video_url: str = "",
    agenda: list[str] | None = None,
    series: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Schedule a meeting: its agenda, open agreements carried onto it (ordinary meetings)
    and its convocation to every active member."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = Meeting(
            district=district,
            kind=kind,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            latitude=latitude,
            longitude=longitude,
            place_url=place_url,
            video_url=video_url,
            series=series,
            created_by=created_by,
        )
        meeting.full_clean()
        meeting.save()
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, order=i, title=line)
            for i, line in enumerate((agenda or []), start=1)
            if line.strip()
        )
        if meeting.kind == Meeting.Kind.ORDINARY:
            agreements_carry_over(meeting=meeting, now=now)
        meeting_convoke(meeting=meeting, now=now)
    return meeting


def meeting_plan_series(
    *,
    district: District,
    first_starts_at: datetime,
    duration: timedelta,
    count: int,
    title: str,
    place: str,
    created_by: User | None,
    latitude: float | None = None,
    longitude: float | None = None,
    place_url: str = "",
    agenda: list[str] | None = None,
    now: datetime | None = None,
) -> list[Meeting]:
    """Plan ``count`` monthly ordinary meetings in one step (one transaction)."""
    if not 1 <= count <= 24:
        raise ValidationError(_("A series has between 1 and 24 meetings."))
    series = uuid.uuid4()
    with transaction.atomic():
        return [
            meeting_create(
                district=district,
                kind=Meeting.Kind.ORDINARY,
                title=title,
                starts_at=start,
                ends_at=start + duration,
                place=place,
                latitude=latitude,
                longitude=longitude,
                place_url=place_url,
                agenda=agenda,
                series=series,
                created_by=created_by,
                now=now,
            )
            for start in _monthly_dates(first_starts_at, count)
        ]


MEETING_CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "place", "video_url", "kind")


def meeting_update(
    *, meeting: Meeting, changes: dict[str, Any], now: datetime | None = None
) -> Meeting:
    """Change a meeting. A new time gets a new convocation and new reminders (their keys
    carry the start time), and whatever was pending for the old time is cancelled."""
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the row: two coordinators moving the same meeting must not both bump SEQUENCE
        # from the same value, or calendars would ignore the second change.
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        old_occurrence = locked.occurrence
        changed = False
        for field, value in changes.items():
            if getattr(locked, field) != value:
                setattr(locked, field, value)
                changed = (
                    changed
                    or field in MEETING_CALENDAR_FIELDS
                    or field
                    in (
                        "latitude",
                        "longitude",
                    )
                )
        locked.full_clean()
        if changed:
            locked.sequence += 1
        locked.save()
        if locked.occurrence != old_occurrence:
            _meeting_deliveries_cancel(meeting=locked, keep_occurrence=locked.occurrence)
        meeting_convoke(meeting=locked, now=now)
    return locked


def _meeting_deliveries_cancel(*, meeting: Meeting, keep_occurrence: str | None) -> int:
    pending = Delivery.objects.filter(
        object_key__startswith=f"meeting:{meeting.pk}:", status=Delivery.Status.PENDING
    )
    if keep_occurrence:
        pending = pending.exclude(object_key__startswith=f"meeting:{meeting.pk}:{keep_occurrence}")
    return pending.update(status=Delivery.Status.CANCELLED)


def meeting_cancel(*, meeting: Meeting, now: datetime | None = None) -> Meeting:
    now = now or timezone.now()
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        locked.status = Meeting.Status.CANCELLED
        locked.sequence += 1
        locked.save(update_fields=["status", "sequence", "updated_at"])
        _meeting_deliveries_cancel(meeting=locked, keep_occurrence=None)
        if locked.starts_at > now:
            _meeting_notify(
                meeting=locked, kind="meeting.cancelled", send_at=now, suffix="cancelled"
            )
    return locked


def _meeting_notify(
    *,
    meeting: Meeting,
    kind: str,
    send_at: datetime,
    suffix: str,
    only_reminded: bool = False,
    with_ics: bool = False,
    enqueue: bool = True,
) -> int:
    """Schedule one email per active member for this meeting at its current time.

    The same ledger rows ``delivery_schedule`` writes, inserted in bulk: a meeting reaches
    every member at once, and one INSERT per recipient made a scan of 200 meetings for 2,000
    members take minutes. ``ignore_conflicts`` on the unique (recipient, kind, key) keeps it
    idempotent when two scans overlap. Rows already there but not yet sent get the current
    text and calendar file (the place changed before the convocation went out). With
    ``enqueue`` the due rows are handed to the workers after commit; the scan passes False
    because ``deliveries_enqueue_due`` enqueues everything due right after.
    """
    from platform_app.calendars import meeting_ics
    from platform_app.tasks import send_delivery

    object_key = f"meeting:{meeting.pk}:{meeting.occurrence}:{suffix}"
    members = Member.objects.active().filter(district_id=meeting.district_id)
    if only_reminded:
        members = members.filter(remind_meetings=True)
    recipients = [
        (e.lower(), lang) for e, lang in members.values_list("user__email", "user__language")
    ]
    already = _existing_recipients(kind, object_key)
    ics = meeting_ics(meeting) if with_ics else ""
    link = settings.SITE_URL + meeting_url(meeting)
    rendered: dict[str, tuple[str, str]] = {}
    for language in {lang for _email, lang in recipients}:
        with translation.override(language):
            subject = {
                "meeting.convocation": _("Convocation: %(meeting)s"),
                "meeting.reminder": _("Reminder: %(meeting)s"),
                "meeting.cancelled": _("Cancelled: %(meeting)s"),
            }[kind] % {"meeting": meeting}
            body = _render_email(
                kind.replace(".", "_"), {"meeting": meeting, "link": link}, language
            )
        rendered[language] = (subject[:255], body)
    new_rows = [
        Delivery(
            recipient=email,
            kind=kind,
            object_key=object_key,
            subject=rendered[language][0],
            body=rendered[language][1],
            ics=ics,
            language=language,
            scheduled_for=send_at,
            district_id=meeting.district_id,
        )
        for email, language in recipients
        if email not in already
    ]
    with transaction.atomic():
        Delivery.objects.bulk_create(new_rows, ignore_conflicts=True, batch_size=500)
        if already:
            for language, (subject, body) in rendered.items():
                Delivery.objects.filter(
                    kind=kind,
                    object_key=object_key,
                    status=Delivery.Status.PENDING,
                    language=language,
                ).exclude(body=body, ics=ics).update(subject=subject, body=body, ics=ics)
        if enqueue and send_at <= timezone.now():
            due_ids = list(
                Delivery.objects.filter(
                    kind=kind, object_key=object_key, status=Delivery.Status.PENDING
                ).values_list("pk", flat=True)
            )
            queueing.enqueue_on_commit(send_delivery, [(pk,) for pk in due_ids])
    return len(new_rows)


def meeting_url(meeting: Meeting) -> str:
    from django.urls import reverse

    return reverse("platform_app:meeting-detail", args=[meeting.pk])


def meeting_convoke(*, meeting: Meeting, now: datetime | None = None) -> int:
    """Schedule the convocation (with the .ics) to every active member: at once, or
    ``convocation_days`` before a meeting further away. Idempotent per start time."""
    now = now or timezone.now()
    if meeting.status != Meeting.Status.SCHEDULED or meeting.starts_at <= now:
        return 0
    config = platform_settings_get(district=meeting.district)
    send_at = max(now, meeting.starts_at - timedelta(days=config.convocation_days))
    return _meeting_notify(
        meeting=meeting,
        kind="meeting.convocation",
        send_at=send_at,
        suffix="convocation",
        with_ics=True,
    )


def _convocation_time(meeting: Meeting, config: PlatformSettings) -> datetime:
    scheduled = (
        Delivery.objects.filter(
            kind="meeting.convocation",
            object_key=f"meeting:{meeting.pk}:{meeting.occurrence}:convocation",
        )
        .order_by("scheduled_for")
        .values_list("scheduled_for", flat=True)
        .first()
    )
    return scheduled or meeting.starts_at - timedelta(days=config.convocation_days)


def meetings_remind_due(*, now: datetime) -> int:
    """Schedule the reminders before meetings that have become due by ``now``.

    Only the latest lead time reached counts (after an outage we send the 2-hour reminder,
    not the 48-hour one as well), and a lead time reached before the convocation went out is
    skipped: the convocation itself was the reminder.
    """
    configs: dict[int, PlatformSettings] = {}
    count = 0
    horizon = now + timedelta(hours=24 * 30)
    for meeting in Meeting.objects.starting_between(now, horizon).select_related("district"):
        config = configs.get(meeting.district_id) or platform_settings_get(
            district=meeting.district
        )
        configs[meeting.district_id] = config
        reached = [
            h for h in config.reminder_leads() if meeting.starts_at - timedelta(hours=h) <= now
        ]
        if not reached:
            continue
        lead = min(reached)
        point = meeting.starts_at - timedelta(hours=lead)
        if _convocation_time(meeting, config) >= point:
            continue
        count += _meeting_notify(
            meeting=meeting,
            kind="meeting.reminder",
            send_at=point,
            suffix=f"{lead}h",
            only_reminded=True,
            enqueue=False,
        )
    return count


def attendance_sheet_open(*, meeting: Meeting) -> int:
    """Put every active member on the meeting's sheet (absent until ticked). Re-opening adds
    only newcomers: ignore_conflicts keeps the ticks already made."""
    members = (
        Member.objects.active()
        .filter(district_id=meeting.district_id)
        .exclude(attendances__meeting=meeting)
    )
    created = Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member=m) for m in members], ignore_conflicts=True
    )
    return len(created)


def attendance_set(*, meeting: Meeting, member: Member, present: bool) -> Attendance:
    attendance, _created = Attendance.objects.update_or_create(
        meeting=meeting, member=member, defaults={"present": present}
    )
    return attendance


def agenda_item_add(*, meeting: Meeting, title: str, description: str = "") -> AgendaItem:
    last = meeting.agenda_items.order_by("-order").values_list("order", flat=True).first() or 0
    return AgendaItem.objects.create(
        meeting=meeting, order=last + 1, title=title, description=description
    )


def agenda_item_minutes_save(*, item: AgendaItem, minutes: str) -> AgendaItem:
    item.minutes = minutes
    item.save(update_fields=["minutes"])
    return item


def meeting_mark_held(*, meeting: Meeting) -> Meeting:
    """Close the meeting: its reminders stop and it becomes the one whose minutes the next
    meeting approves."""
    with transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(
            status=Meeting.Status.HELD, updated_at=timezone.now()
        )
        _meeting_deliveries_cancel(meeting=meeting, keep_occurrence=None)
    meeting.refresh_from_db()
    return meeting


def meeting_minutes_approve(*, meeting: Meeting, approved_in: Meeting) -> Meeting:
    if meeting.status != Meeting.Status.HELD or approved_in.starts_at <= meeting.starts_at:
        raise ValidationError(_("Minutes are approved by a later meeting, once held."))
    meeting.minutes_approved_in = approved_in
    meeting.save(update_fields=["minutes_approved_in", "updated_at"])
    return meeting


# Agreements


def agreement_record(
    *,
    agenda_item: AgendaItem,
    description: str,
    responsible: list[Member],
    due_date: date,
    user: User,
    axis: str = "platform",
    organizations: list[Organization] | None = None,
    now: datetime | None = None,
) -> Agreement:
    """Record an agreement in the minutes of an agenda item, with its first history entry,
    and put it on the agenda of the next ordinary meeting."""
    now = now or timezone.now()
    meeting = agenda_item.meeting
    with transaction.atomic():
        agreement = Agreement(
            district_id=meeting.district_id,
            agenda_item=agenda_item,
            description=description,
            due_date=due_date,
            axis=axis,
        )
        agreement.full_clean()
        agreement.save()
        agreement.responsible.set(responsible)
        agreement.responsible_organizations.set(organizations or [])
        AgreementFollowUp.objects.create(
            agreement=agreement,
            author=user,
            comment=_("Recorded in the minutes of %(meeting)s.") % {"meeting": meeting},
            new_status=agreement.status,
        )
        following = (
            Meeting.objects.filter(
                district_id=meeting.district_id,
                kind=Meeting.Kind.ORDINARY,
                status=Meeting.Status.SCHEDULED,
                starts_at__gt=max(meeting.starts_at, now),
            )
            .order_by("starts_at")
            .first()
        )
        if following is not None:
            agreements_carry_over(meeting=following, now=now)
    return agreement


def agreements_carry_over(*, meeting: Meeting, now: datetime | None = None) -> int:
    """Put every agreement still open, recorded at an earlier meeting, on this ordinary
    meeting's agenda. Idempotent: the (meeting, agreement) pair is unique."""
    if meeting.kind != Meeting.Kind.ORDINARY or meeting.status != Meeting.Status.SCHEDULED:
        return 0
    open_agreements = (
        Agreement.objects.open()
        .filter(
            district_id=meeting.district_id, agenda_item__meeting__starts_at__lt=meeting.starts_at
        )
        .exclude(carried_to__meeting=meeting)
        .order_by("due_date", "pk")
    )
    last = meeting.agenda_items.order_by("-order").values_list("order", flat=True).first() or 0
    items = [
        AgendaItem(
            meeting=meeting,
            order=last + i,
            title=_("Follow-up of agreement: %(agreement)s")
            % {"agreement": agreement.description[:180]},
            carried_agreement=agreement,
        )
        for i, agreement in enumerate(open_agreements, start=1)
    ]
    return len(AgendaItem.objects.bulk_create(items, ignore_conflicts=True))


def agreement_follow_up(
    *,
    agreement: Agreement,
    user: User,
    new_status: str,
    progress: int | None = None,
    comment: str = "",
    evidence_file: Any = None,
    evidence_url: str = "",
    now: datetime | None = None,
) -> AgreementFollowUp:
    """A responsible person (or a coordinator) reports on an agreement.

    The agreement row is locked so two people reporting at once append to the history in
    order and the agreement ends with the last report's status and progress. Closing it
    takes it off the agendas of meetings not yet held.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if new_status == Agreement.Status.DONE:
            progress = 100
        followup = AgreementFollowUp(
            agreement=locked,
            author=user,
            comment=comment,
            evidence_url=evidence_url,
            old_status=locked.status,
            new_status=new_status,
            progress=locked.progress if progress is None else progress,
        )
        if evidence_file:
            checked = ensure_checked(evidence_file, accept=DOCUMENTS)
            followup.evidence_file = checked
            followup.evidence_name = checked.original_name
        followup.full_clean()
        followup.save()
        locked.status = new_status
        locked.progress = followup.progress
        locked.closed_at = None if locked.is_open else now
        locked.save(update_fields=["status", "progress", "closed_at", "updated_at"])
        if not locked.is_open:
            AgendaItem.objects.filter(
                carried_agreement=locked,
                meeting__status=Meeting.Status.SCHEDULED,
                meeting__starts_at__gt=now,
                agreements__isnull=True,
            ).delete()
    agreement.refresh_from_db()
    return followup


def _agreement_notify(
    *, agreement: Agreement, kind: str, object_key: str, send_at: datetime, link: str
) -> int:
    already = _existing_recipients(kind, object_key)
    count = 0
    for member in agreement.responsible.all():
        user = member.user
        if (
            not member.is_active
            or not member.remind_agreements
            or not user.is_active
            or user.email.lower() in already
        ):
            continue
        with translation.override(user.language):
            subject = {
                "agreement.due_soon": _("Agreement due on %(date)s"),
                "agreement.overdue": _("Overdue agreement (due %(date)s)"),
            }[kind] % {"date": formats.date_format(agreement.due_date, "SHORT_DATE_FORMAT")}
            body = _render_email(
                kind.replace(".", "_"), {"agreement": agreement, "link": link}, user.language
            )
        delivery_schedule(
            recipient=user.email,
            kind=kind,
            object_key=object_key,
            subject=subject,
            body=body,
            language=user.language,
            send_at=send_at,
            district=agreement.district,
        )
        count += 1
    return count


def agreements_remind_due(*, now: datetime) -> int:
    """Before the due date (``agreement_reminder_days`` ahead), on the day after it and then
    weekly until the agreement is closed. The due date and the week number are in the key,
    so each occurrence is sent once and a new due date starts afresh."""
    from django.urls import reverse

    today = timezone.localdate(now)
    configs = {c.district_id: c for c in PlatformSettings.objects.all()}
    longest = max([c.agreement_reminder_days for c in configs.values()] + [3])
    agreements = (
        Agreement.objects.open()
        .filter(due_date__lte=today + timedelta(days=longest))
        .select_related("district")
        .prefetch_related("responsible__user")
    )
    count = 0
    for agreement in agreements:
        days = (
            configs[agreement.district_id].agreement_reminder_days
            if agreement.district_id in configs
            else 3
        )
        link = settings.SITE_URL + reverse("platform_app:agreement-detail", args=[agreement.pk])
        if agreement.due_date > today or (agreement.due_date == today and days == 0):
            point = _lima(agreement.due_date - timedelta(days=days), REMINDER_HOUR)
            if point <= now:
                count += _agreement_notify(
                    agreement=agreement,
                    kind="agreement.due_soon",
                    object_key=f"agreement:{agreement.pk}:due:{agreement.due_date.isoformat()}",
                    send_at=point,
                    link=link,
                )
        elif agreement.due_date < today:
            first = agreement.due_date + timedelta(days=1)
            week = (today - first).days // 7
            point = _lima(first + timedelta(days=7 * week), REMINDER_HOUR)
            if point <= now:
                count += _agreement_notify(
                    agreement=agreement,
                    kind="agreement.overdue",
                    object_key=(
                        f"agreement:{agreement.pk}:overdue:{agreement.due_date.isoformat()}:w{week}"
                    ),
                    send_at=point,
                    link=link,
                )
    return count


def agreements_digest_due(*, now: datetime) -> int:
    """Monday 09:00: each district's coordinators get the list of overdue agreements."""
    from django.urls import reverse

    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    point = _lima(monday, REMINDER_HOUR)
    if now < point:
        return 0
    iso = monday.isocalendar()
    count = 0
    overdue = Agreement.objects.overdue(today).select_related("district", "agenda_item__meeting")
    by_district: dict[int, list[Agreement]] = {}
    for agreement in overdue:
        by_district.setdefault(agreement.district_id, []).append(agreement)
    for district_id, agreements in by_district.items():
        object_key = f"digest:{district_id}:{iso.year}-W{iso.week:02d}"
        already = _existing_recipients("agreement.digest", object_key)
        coordinators = (
            User.objects.filter(
                is_active=True, groups__name=Role.COORDINATOR.value, district_id=district_id
            )
            .exclude(memberships__district_id=district_id, memberships__receive_digest=False)
            .distinct()
        )
        link = settings.SITE_URL + reverse("platform_app:agreement-board") + "?overdue=1"
        for user in coordinators:
            if user.email.lower() in already:
                continue
            with translation.override(user.language):
                subject = _("%(count)d overdue agreements") % {"count": len(agreements)}
                body = _render_email(
                    "agreement_digest",
                    {"agreements": agreements, "link": link, "today": today},
                    user.language,
                )
            delivery_schedule(
                recipient=user.email,
                kind="agreement.digest",
                object_key=object_key,
                subject=subject,
                body=body,
                language=user.language,
                send_at=point,
                district=agreements[0].district,
            )
            count += 1
    return count


def platform_schedule_due(*, now: datetime) -> None:
    """The platform's reminder scan (listed in settings.REMINDER_SCANS)."""
    # Agreements recorded after the next meeting was planned reach its agenda here too.
    next_ordinary = (
        Meeting.objects.upcoming(now)
        .filter(kind=Meeting.Kind.ORDINARY)
        .order_by("district_id", "starts_at")
    )
    seen: set[int] = set()
    for meeting in next_ordinary.only("pk", "district_id", "kind", "status", "starts_at"):
        if meeting.district_id not in seen:
            seen.add(meeting.district_id)
            agreements_carry_over(meeting=meeting, now=now)
    meetings_remind_due(now=now)
    agreements_remind_due(now=now)
    agreements_digest_due(now=now)


def role_guide_propose(
    *,
    district: District,
    user: User,
    introduction: str,
    change_summary: str,
    roles: list[dict[str, str]],
) -> RoleGuideVersion:
    """A member proposes a new version of the guide; holders of roles kept by name carry over."""
    from platform_app.models import GuideRole, RoleHolder

    with transaction.atomic():
        current = RoleGuideVersion.objects.filter(
            district=district, status=RoleGuideVersion.Status.APPROVED
        ).first()
        number = (
            RoleGuideVersion.objects.filter(district=district)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
            or 0
        ) + 1
        guide = RoleGuideVersion.objects.create(
            district=district,
            number=number,
            introduction=introduction,
            change_summary=change_summary,
            proposed_by=user,
        )
        old_roles = {r.name: r for r in current.roles.all()} if current else {}
        for i, role in enumerate(roles, start=1):
            new_role = GuideRole.objects.create(
                guide=guide,
                order=i,
                name=role["name"],
                functions=role.get("functions", ""),
                responsibilities=role.get("responsibilities", ""),
            )
            if role["name"] in old_roles:
                RoleHolder.objects.bulk_create(
                    RoleHolder(role=new_role, member_id=h.member_id, since=h.since)
                    for h in old_roles[role["name"]].holders.all()
                )
    return guide


@changes_pages(ORGANIZATION_PAGES)
def role_guide_approve(*, guide: RoleGuideVersion, meeting: Meeting) -> RoleGuideVersion:
    """A meeting approves a proposed version; the one in force becomes a previous version."""
    if meeting.district_id != guide.district_id or guide.status != RoleGuideVersion.Status.PROPOSED:
        raise ValidationError(
            _("Only a proposed version can be approved, by a meeting of its platform.")
        )
    with transaction.atomic():
        RoleGuideVersion.objects.filter(
            district_id=guide.district_id, status=RoleGuideVersion.Status.APPROVED
        ).update(status=RoleGuideVersion.Status.SUPERSEDED)
        guide.status = RoleGuideVersion.Status.APPROVED
        guide.approved_in = meeting
        guide.save(update_fields=["status", "approved_in"])
    return guide


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
    prefix = _code_prefix(district)
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
                _registration_delivery(organization, contact.email, None, language)
                for organization, contact in contacts
                if contact.email
            ],
            batch_size=IMPORT_BATCH_SIZE,
            ignore_conflicts=True,
        )
    # The receipts leave with the next scan, a few at a time, not all from this process.
    return [organization.registration_code or "" for organization in organizations]


@changes_pages(ORGANIZATION_PAGES)
def objective_create(
    *, district: District, axis: str, title: str, description: str = ""
) -> Objective:
    """A new objective of the district's work plan, placed after the existing ones."""
    order = Objective.objects.filter(district=district, axis=axis).count() + 1
    objective = Objective(
        district=district, axis=axis, title=title, description=description, order=order
    )
    objective.full_clean()
    objective.save()
    return objective


@changes_pages(ORGANIZATION_PAGES)
def activity_create(
    *,
    objective: Objective,
    title: str,
    starts_on: date,
    due_on: date,
    responsible: list[Member],
    weight: int = 1,
) -> Activity:
    """A new activity of an objective, with its responsible members (of the same district)."""
    if any(member.district_id != objective.district_id for member in responsible):
        raise ValidationError({"responsible": _("Responsible members belong to the district.")})
    with transaction.atomic():
        activity = Activity(
            objective=objective, title=title, starts_on=starts_on, due_on=due_on, weight=weight
        )
        activity.full_clean()
        activity.save()
        activity.responsible.set(responsible)
    return activity


class StaleObjectiveError(Exception):
    """The objective was edited after the form was read; saving would overwrite that edit."""

    def __init__(self, current: Objective) -> None:
        super().__init__(current.title)
        self.current = current


@changes_pages(ORGANIZATION_PAGES)
def objective_update(
    *, objective: Objective, version: int, axis: str, title: str, description: str = ""
) -> Objective:
    """A coordinator edits an objective from a form that read ``version``.

    The row is locked while its version is compared and bumped, so of two coordinators
    saving the same objective at once the second gets StaleObjectiveError (with the current
    values) instead of silently overwriting the first. An objective moved to another axis
    goes after that axis's objectives, as a new one would.
    """
    with transaction.atomic():
        current = Objective.objects.select_for_update().get(pk=objective.pk)
        if current.version != version:
            raise StaleObjectiveError(current)
        if axis != current.axis:
            current.order = (
                Objective.objects.filter(district_id=current.district_id, axis=axis).count() + 1
            )
        current.axis, current.title, current.description = axis, title, description
        current.full_clean()
        current.version += 1
        current.save(update_fields=["axis", "order", "title", "description", "version"])
    return current


class StaleActivityError(Exception):
    """The activity was reported on or re-planned after the form was read; saving would
    overwrite that change."""

    def __init__(self, current: Activity) -> None:
        super().__init__(current.title)
        self.current = current


@changes_pages(ORGANIZATION_PAGES)
def activity_report(
    *,
    activity: Activity,
    user: User,
    status: str,
    progress: int,
    version: int,
    now: datetime | None = None,
) -> Activity:
    """A responsible member (or a coordinator) reports an activity's status and progress.

    The report carries the version it was made from; the row is locked while the version is
    compared and bumped, so of two people reporting at once the second gets
    StaleActivityError with the current values instead of overwriting the first.
    """
    now = now or timezone.now()
    with transaction.atomic():
        current = Activity.objects.select_for_update().get(pk=activity.pk)
        if current.version != version:
            raise StaleActivityError(current)
        current.status = status
        current.progress = 100 if status == Activity.Status.DONE else progress
        current.full_clean()
        current.version += 1
        current.updated_at = now
        current.updated_by = user
        current.save(update_fields=["status", "progress", "version", "updated_at", "updated_by"])
    return current


@changes_pages(ORGANIZATION_PAGES)
def activity_update(
    *,
    activity: Activity,
    version: int,
    title: str,
    starts_on: date,
    due_on: date,
    weight: int,
    responsible: list[Member],
) -> Activity:
    """A coordinator changes an activity's plan (title, dates, weight, responsible members)
    from a form that read ``version``.

    Same lock-compare-bump as activity_report, on the same version: a change of plan made
    from a copy older than the last report (or the last change) is refused with
    StaleActivityError rather than saved over it. Status and progress are the responsible
    members' reports and stay untouched, and so do ``updated_at``/``updated_by``, which tell
    who reported last.
    """
    if any(member.district_id != activity.objective.district_id for member in responsible):
        raise ValidationError({"responsible": _("Responsible members belong to the district.")})
    with transaction.atomic():
        current = Activity.objects.select_for_update().get(pk=activity.pk)
        if current.version != version:
            raise StaleActivityError(current)
        current.title, current.starts_on, current.due_on, current.weight = (
            title,
            starts_on,
            due_on,
            weight,
        )
        current.full_clean()  # Activity.clean: the due date cannot come before the start
        current.version += 1
        current.save(update_fields=["title", "starts_on", "due_on", "weight", "version"])
        current.responsible.set(responsible)
    return current


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


def data_subject_records(*, district: District, email: str) -> list[dict[str, Any]]:
    """Every personal datum the registry holds for this email, one dict per record."""
    records: list[dict[str, Any]] = [
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
                _record(
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


# --- Meetings by typology (issue 3, item 7) --------------------------------------------


@dataclass(frozen=True)
class OrganizationInviteResult:
    invited: int  # organizations on the meeting's list after this call (new ones)
    emails: int  # emails newly scheduled (a re-send schedules none)
    without_consent: int  # matching organizations left out: no consent to receive messages


def _organization_recipients(organization: Organization) -> dict[str, str]:
    """The emails of an organization's contacts and representatives, with their language.

    Uses the prefetched ``contacts`` and ``representatives``; anonymised contacts have no
    email left, so they drop out by themselves.
    """
    recipients: dict[str, str] = {}
    for contact in organization.contacts.all():
        if contact.email:
            recipients.setdefault(contact.email.lower(), settings.LANGUAGE_CODE)
    for user in organization.representatives.all():
        if user.is_active and user.email:
            recipients[user.email.lower()] = user.language
    return recipients


def meeting_organizations_invite(
    *,
    meeting: Meeting,
    actor: User | None,
    typology: str = "",
    sector: Sector | None = None,
) -> OrganizationInviteResult:
    """Invite every live organization of a typology and/or sector of the meeting's district.

    Only organizations that consented to receive messages (Law 29733: the registration form
    asks it separately) are put on the list and emailed: one email per contact or
    representative, keyed by meeting, start time and organization in the delivery ledger,
    so sending the invitations again (or inviting an overlapping sector) sends nothing twice
    while a moved meeting is announced again for its new time.
    """
    from platform_app.calendars import meeting_ics

    if not typology and sector is None:
        raise ValidationError(_("Choose a typology, a sector or both."))
    if not meeting.is_open or meeting.starts_at <= timezone.now():
        raise ValidationError(_("Only upcoming scheduled meetings take invitations."))
    if sector is not None and sector.district_id != meeting.district_id:
        raise ValidationError(_("The sector belongs to another district."))
    matching = Organization.objects.filter(
        district_id=meeting.district_id,
        status__in=(Organization.Status.PENDING, Organization.Status.VERIFIED),
    )
    if typology:
        matching = matching.filter(typology=typology)
    if sector is not None:
        matching = matching.filter(sector=sector)
    without_consent = matching.filter(messages_consent=False).count()
    organizations = list(
        matching.filter(messages_consent=True).prefetch_related("contacts", "representatives")
    )
    ics = meeting_ics(meeting)
    emails = 0
    with transaction.atomic():
        already = set(
            OrganizationInvitation.objects.filter(meeting=meeting).values_list(
                "organization_id", flat=True
            )
        )
        OrganizationInvitation.objects.bulk_create(
            [
                OrganizationInvitation(meeting=meeting, organization=o, invited_by=actor)
                for o in organizations
                if o.pk not in already
            ],
            ignore_conflicts=True,  # a concurrent invite of an overlapping list
        )
        for organization in organizations:
            object_key = f"meeting:{meeting.pk}:{meeting.occurrence}:org:{organization.pk}"
            sent_to = _existing_recipients("meeting.organization_invitation", object_key)
            for email, language in _organization_recipients(organization).items():
                if email in sent_to:
                    continue
                with translation.override(language):
                    subject = _("Invitation: %(meeting)s") % {"meeting": meeting}
                body = _render_email(
                    "meeting_organization_invitation",
                    {"meeting": meeting, "organization": organization},
                    language,
                )
                delivery_schedule(
                    recipient=email,
                    kind="meeting.organization_invitation",
                    object_key=object_key,
                    subject=subject,
                    body=body,
                    ics=ics,
                    language=language,
                    district=meeting.district,
                )
                emails += 1
    return OrganizationInviteResult(
        invited=len({o.pk for o in organizations} - already),
        emails=emails,
        without_consent=without_consent,
    )


def organization_attendance_set(
    *, meeting: Meeting, organization: Organization, present: bool
) -> OrganizationInvitation:
    """Tick an invited organization present or absent; only invited organizations count."""
    invitation = OrganizationInvitation.objects.get(meeting=meeting, organization=organization)
    if invitation.present != present:
        invitation.present = present
        invitation.save(update_fields=["present", "updated_at"])
    return invitation


# --- Import in the background with a progress bar (issue 3, item 10) --------------------

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
    sheet, else in the background. Returns the import, finished or queued."""
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


# --- District: the registration desk's contact ------------------------------------------


def district_desk_set(
    *, district: District, actor: User | None, address: str, hours: str, phone: str
) -> District:
    """Set where and when residents find the registration desk. The phone is stored as
    +51… so that pages can dial it (``tel:``) whatever way it was typed."""
    from santaanita.peru import normalize_phone

    district.desk_address = address.strip()
    district.desk_hours = hours.strip()
    district.desk_phone = normalize_phone(phone) if phone.strip() else ""
    district.save(update_fields=["desk_address", "desk_hours", "desk_phone"])
    logger.info("District %s desk contact set by %s", district.pk, actor.pk if actor else None)
    return district


# --- Registry: the new representative's password ----------------------------------------


def representative_password_set(*, token: str, password: str) -> User:
    """Give the representative who just confirmed their email a password, so that they can
    sign in without finding "Forgot your password?". The emailed link proves the address;
    it sets a first password only: once the account has one, the link cannot change it (an
    old email in the wrong hands must not take the account over). Raises
    ``signing.BadSignature`` on a bad or old link, ``PermissionDenied`` otherwise."""
    from django.core.exceptions import PermissionDenied

    data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    with transaction.atomic():
        user = (
            User.objects.select_for_update()
            .filter(email__iexact=data["e"], emailaddress__verified=True)
            .first()
        )
        # Locked: two tabs setting the first password at once; the second finds it set.
        if user is None or user.has_usable_password():
            raise PermissionDenied
        user.set_password(password)
        user.save(update_fields=["password"])
    logger.info("Representative %s set a first password", user.pk)
    return user
