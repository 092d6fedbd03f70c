"""Agreements taken in meetings: recording, carrying over to the next agenda, follow-up with
evidence, and their due and overdue reminders and digests.

Recording and following up act for a person, named ``user`` (the author of the history
entry they write), and ask ``platform_app.permissions`` first (PermissionDenied otherwise).
Carrying over and the reminders run on their own and take none.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from platform_app.messaging import services as messaging
from platform_app.models import (
    AgendaItem,
    Agreement,
    AgreementFollowUp,
    Meeting,
    Member,
    Organization,
    PlatformSettings,
    User,
)
from platform_app.permissions import Role, may_follow_up_agreement, require_meeting_action
from platform_app.services.ledger import deliveries_recipients, delivery_schedule, email_render
from platform_app.services.places import lima_datetime
from santaanita.files import DOCUMENTS, ensure_checked

REMINDER_HOUR = time(9, 0)  # agreement reminders and the digest go out at 09:00 in Lima


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
    meeting = agenda_item.meeting
    require_meeting_action(user, meeting, "record_agreement")
    now = now or timezone.now()
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
    evidence_file: File[bytes] | None = None,
    evidence_url: str = "",
    now: datetime | None = None,
) -> AgreementFollowUp:
    """A responsible person (or a coordinator) reports on an agreement.

    The agreement row is locked so two people reporting at once append to the history in
    order and the agreement ends with the last report's status and progress. Closing it
    takes it off the agendas of meetings not yet held.
    """
    if not may_follow_up_agreement(user, agreement):
        raise PermissionDenied
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
    already = deliveries_recipients(kind, object_key)
    count = 0
    for member in agreement.responsible.all():
        user = member.user
        reach = messaging.reach_of_user(user)
        if (
            not member.is_active
            or not member.remind_agreements
            or not user.is_active
            or reach is None
            or reach.address in already
        ):
            continue
        with translation.override(user.language):
            subject = {
                "agreement.due_soon": _("Agreement due on %(date)s"),
                "agreement.overdue": _("Overdue agreement (due %(date)s)"),
            }[kind] % {"date": formats.date_format(agreement.due_date, "SHORT_DATE_FORMAT")}
            body = email_render(
                kind.replace(".", "_"), {"agreement": agreement, "link": link}, user.language
            )
        delivery_schedule(
            recipient=reach.address,
            channel=reach.channel,
            text=f"{subject}: {agreement}",
            link=link,
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
            point = lima_datetime(agreement.due_date - timedelta(days=days), REMINDER_HOUR)
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
            point = lima_datetime(first + timedelta(days=7 * week), REMINDER_HOUR)
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
    point = lima_datetime(monday, REMINDER_HOUR)
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
        already = deliveries_recipients("agreement.digest", object_key)
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
                body = email_render(
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
