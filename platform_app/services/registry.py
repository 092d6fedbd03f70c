"""The registry of organizations: registration (public form and desk), email confirmation,
updates by staff with a version check, and verification."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from platform_app.messaging import services as messaging
from platform_app.messaging.models import Channel
from platform_app.models import (
    Campaign,
    Contact,
    Delivery,
    District,
    Organization,
    OrganizationEvent,
    User,
)
from platform_app.permissions import (
    Role,
    may_edit_organization,
    may_use_desk,
    may_verify_organization,
)
from platform_app.places import organization_turf
from platform_app.services.ledger import delivery_schedule
from platform_app.services.places import ORGANIZATION_PAGES, user_grant_role
from santaanita.page_cache import changes_pages
from santaanita.versioned import lock_at_version

logger = logging.getLogger(__name__)

# --- Organization registry --------------------------------------------------------------

CONFIRM_SALT = "platform_app.organization-confirm"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 14  # two weeks to click the link


class DuplicateOrganizationError(Exception):
    """The district already has a live record with this (normalised) name."""

    def __init__(self, existing: Organization) -> None:
        super().__init__(existing.name)
        self.existing = existing


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


def registration_code_prefix(district: District) -> str:
    words = [w for w in district.name.replace("-", " ").split() if w[:1].isalpha()]
    if len(words) >= 2:
        return (words[0][0] + words[1][0]).upper()
    return district.name[:2].upper()


def organization_event_record(
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
    fields: dict[str, object],
    contact: ContactData | None,
    channel: str,
    submission_token: uuid.UUID | None,
    actor: User | None = None,
    campaign: Campaign | None = None,
    confirm_url: Callable[[str], str] | None = None,
    turf: list[str] | None = None,
    typed_from_paper: bool = False,
) -> RegistrationResult:
    """Create one organization with its main contact, history entry and receipt email.

    Idempotent on ``submission_token``: a double click or a retried POST returns the record
    the first submit created (``created`` False). A record with the same normalised name
    in the district raises ``DuplicateOrganizationError``; the unique constraint makes that
    hold under concurrency (see ``Organization.Meta.constraints``).

    The public channels are open to anyone (the form asks no account; ``actor`` is whoever
    entered it, if signed in); a desk entry is made by the desk staff of the district.
    """
    if channel == Organization.Channel.DESK and (
        actor is None or not may_use_desk(actor, district)
    ):
        raise PermissionDenied
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
        typed_from_paper=typed_from_paper and channel == Organization.Channel.DESK,
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
            prefix = registration_code_prefix(district)
            year = organization.created_at.year
            organization.registration_code = f"{prefix}-{year}-{organization.pk:04d}"
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
            organization_event_record(
                organization, action=OrganizationEvent.Action.REGISTERED, actor=actor
            )
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
    elif contact is not None and channel == Organization.Channel.DESK:
        _send_registration_text(organization, contact.phone)
    return RegistrationResult(organization, created=True)


def _send_registration_text(organization: Organization, phone: str) -> None:
    """A walk-in registered at the desk with only a mobile gets the registration code by SMS
    (the online form sends a confirmation code instead). A landline gets nothing: the desk
    hands over the printed receipt."""
    from santaanita.phones import is_mobile

    if not phone or not is_mobile(phone):
        return
    text = _("Santa Anita: your organization's registration code is %(code)s.") % {
        "code": organization.registration_code
    }
    delivery_schedule(
        recipient=phone,
        kind="registry.registered",
        object_key=f"organization:{organization.pk}",
        subject=text,
        body=text,
        channel=Channel.SMS,
        text=text,
        link=organization.get_absolute_url(),
        district=organization.district,
    )


def registration_delivery(
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
    receipt = registration_delivery(organization, email, confirm_url, language)
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
        organization_representative_confirm(
            organization=organization, user=user, by=OrganizationEvent.Action.CONFIRMED
        )
    return organization


def organization_representative_confirm(
    *, organization: Organization, user: User, by: OrganizationEvent.Action
) -> None:
    """Make the person who confirmed a registration (by the emailed link, ``CONFIRMED``, or
    the SMS code, ``PHONE_CONFIRMED``) its representative, and record the first
    confirmation of each kind. Run inside the caller's transaction, on a locked record."""
    user_grant_role(user=user, role=Role.REPRESENTATIVE)
    organization.representatives.add(user)
    field = (
        "email_confirmed_at" if by == OrganizationEvent.Action.CONFIRMED else "phone_confirmed_at"
    )
    if getattr(organization, field) is None:
        setattr(organization, field, timezone.now())
        organization.save(update_fields=[field, "updated_at"])
        organization_event_record(organization, action=by, actor=user)


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
    fields: dict[str, object],
    contact: ContactData | None,
    actor: User,
    version: int,
    review_changes: bool = False,
    turf: list[str] | None = None,
) -> Organization:
    """Save an edit made from a form that read ``version``; refuse if it is stale.

    The row is locked (``select_for_update``) while its version is compared and bumped,
    so of two clerks saving the same record at once the second gets StaleEdit
    instead of silently overwriting the first. With ``review_changes`` (representatives),
    a verified record whose name, typology or sector changes returns to pending.
    """
    if not may_edit_organization(actor, organization):
        raise PermissionDenied
    with transaction.atomic():
        current = lock_at_version(Organization.objects.filter(pk=organization.pk), version=version)
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
        organization_event_record(
            current, action=action, actor=actor, from_status=from_status, changes=changed
        )
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
    if not may_verify_organization(actor, organization):
        raise PermissionDenied
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
        event = organization_event_record(
            current,
            action=actions[decision],
            actor=actor,
            from_status=from_status,
            reason=reason,
        )
        recipients = {messaging.reach_of_user(u) for u in current.representatives.all()}
        recipients |= {messaging.reach_of_contact(c) for c in current.contacts.all()}
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
        for reach in sorted(filter(None, recipients), key=lambda r: r.address):
            delivery_schedule(
                recipient=reach.address,
                channel=reach.channel,
                link=current.get_absolute_url(),
                kind="registry.decision",
                object_key=f"organization:{current.pk}:event:{event.pk}",
                subject=subject,
                body=body,
                language=language,
                district=current.district,
            )
    return current


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
