"""Judges: appointment to a stage, the welcome link that sets their password, and declared
conflicts of interest."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from festival.models import (
    Edition,
    Judge,
    JudgeConflict,
    ScoreSheet,
    Stage,
    Team,
)
from festival.permissions import may_appoint_judge, may_declare_conflict
from platform_app.messaging import services as messaging
from platform_app.models import Organization, User
from platform_app.permissions import Role
from platform_app.services.ledger import delivery_schedule
from platform_app.services.places import user_grant_role

# --- Judges ------------------------------------------------------------------------------


def judge_appoint(
    *,
    edition: Edition,
    email: str,
    actor: User,
    stage: Stage | None = None,
    is_chair: bool = False,
    organization: Organization | None = None,
    company: str = "",
    first_name: str = "",
    last_name: str = "",
) -> Judge:
    """Appoint (or re-assign) a person to the edition's committee.

    A person without an account gets one without a password, and the email carries a signed
    link to choose it (``judge_welcome_accept``). The person gets the judge role and one
    email per assignment (the ledger key carries the stage, so re-saving the same
    assignment never sends twice). A stage has one chair: naming a new one takes the chair
    from the previous.
    """
    if not may_appoint_judge(actor, edition):
        raise PermissionDenied
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and not user.is_active:
        raise ValidationError({"email": _("This account is disabled.")})
    if stage is not None and stage.edition_id != edition.pk:
        raise ValidationError({"stage": _("The stage belongs to another edition.")})
    if is_chair and stage is None:
        raise ValidationError({"is_chair": _("A chair presides over a stage: choose one.")})
    with transaction.atomic():
        # The edition row serializes appointments, so two coordinators naming chairs of the
        # same stage at once leave one.
        Edition.objects.select_for_update().get(pk=edition.pk)
        if user is None:
            # Judges come from businesses and organizations and often have no account: one
            # is made without a password; the email lets the person choose it.
            user = User.objects.create_user(
                email=email,
                password=None,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                district=edition.district,
            )
            EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
        judge, _created = Judge.objects.update_or_create(
            edition=edition,
            user=user,
            defaults={
                "stage": stage,
                "is_chair": is_chair,
                "organization": organization,
                "company": company.strip(),
            },
        )
        if is_chair:
            Judge.objects.filter(stage=stage, is_chair=True).exclude(pk=judge.pk).update(
                is_chair=False
            )
        user_grant_role(user=user, role=Role.JUDGE, district=user.district or edition.district)
        _judge_notify(judge=judge)
    return judge


def _judge_notify(*, judge: Judge) -> None:
    user = judge.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "judge": judge,
            "edition": judge.edition,
            "stage": judge.stage,
            "link": settings.SITE_URL + reverse("festival:judge"),
            "welcome_link": (
                ""
                if user.has_usable_password()
                else settings.SITE_URL
                + reverse("festival:judge-welcome", args=[judge_welcome_token(user)])
            ),
        }
        reach = messaging.reach_of_user(user)
        if reach is None:
            return
        delivery_schedule(
            recipient=reach.address,
            channel=reach.channel,
            link=str(context["welcome_link"] or context["link"]),
            kind="festival.judge_appointed",
            object_key=f"judge:{judge.pk}:{judge.stage_id or 0}:{int(judge.is_chair)}",
            subject=_("You are a judge of %(edition)s") % {"edition": judge.edition.name},
            body=render_to_string("festival/email/judge_appointed.txt", context),
            language=user.language or settings.LANGUAGE_CODE,
            district=judge.edition.district,
        )


JUDGE_WELCOME_SALT = "festival.judge-welcome"
JUDGE_WELCOME_MAX_AGE = 60 * 60 * 24 * 30  # a month: appointments come weeks ahead


def judge_welcome_token(user: User) -> str:
    return signing.dumps(user.pk, salt=JUDGE_WELCOME_SALT)


def judge_welcome_user(token: str) -> User | None:
    """The account a welcome link is for, while it still has no password; None otherwise
    (a bad or expired link, or a password already chosen: the link works once)."""
    try:
        pk = signing.loads(token, salt=JUDGE_WELCOME_SALT, max_age=JUDGE_WELCOME_MAX_AGE)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or user.has_usable_password():
        return None
    return user


def judge_welcome_accept(*, user: User, password: str) -> User:
    """The person chose a password from the link sent to their address, which proves it."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)
    return user


def judge_conflict_declare(*, judge: Judge, team: Team, reason: str, actor: User) -> JudgeConflict:
    """A judge (or a coordinator for them) declares a conflict of interest with a team."""
    if not may_declare_conflict(actor, judge):
        raise PermissionDenied
    if team.edition_id != judge.edition_id:
        raise ValidationError(_("The team belongs to another edition."))
    if ScoreSheet.objects.filter(judge=judge, team=team).exists():
        raise ValidationError(
            _("This judge has already scored the team; ask a coordinator to review the sheet.")
        )
    conflict, _created = JudgeConflict.objects.get_or_create(
        judge=judge, team=team, defaults={"reason": reason}
    )
    return conflict
