"""Meetings of the platform: planning (single and monthly series), convocation and reminders,
attendance, agenda and minutes, and invitations to organizations by typology.

A service that acts for a person takes them as ``actor`` (``created_by`` when planning, the
name the meeting row keeps) and asks ``platform_app.permissions`` first, raising
PermissionDenied: an API write or an admin action that calls it cannot skip the rule. The
reminder scan, the convocation and the attendance sheet (opened by the vote as well) run on
their own and take none.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from platform_app.messaging import services as messaging
from platform_app.messaging.models import Channel
from platform_app.models import (
    AgendaItem,
    Attendance,
    Delivery,
    District,
    Meeting,
    Member,
    Organization,
    OrganizationInvitation,
    PlatformSettings,
    Sector,
    User,
)
from platform_app.permissions import require_meeting_action, require_work_in
from platform_app.services.agreements import (
    agreements_carry_over,
    agreements_digest_due,
    agreements_remind_due,
)
from platform_app.services.ledger import (
    deliveries_recipients,
    delivery_schedule,
    email_render,
)
from platform_app.services.places import lima_datetime, platform_settings_get
from santaanita import queueing

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
        result.append(lima_datetime(candidate, local.time().replace(tzinfo=None)))
    return result


def meeting_create(
    *,
    district: District,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    created_by: User,
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
    require_work_in(created_by, district, "plan_meetings")
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
    created_by: User,
    latitude: float | None = None,
    longitude: float | None = None,
    place_url: str = "",
    agenda: list[str] | None = None,
    now: datetime | None = None,
) -> list[Meeting]:
    """Plan ``count`` monthly ordinary meetings in one step (one transaction)."""
    require_work_in(created_by, district, "plan_meetings")
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
    *, meeting: Meeting, actor: User, changes: dict[str, object], now: datetime | None = None
) -> Meeting:
    """Change a meeting. A new time gets a new convocation and new reminders (their keys
    carry the start time), and whatever was pending for the old time is cancelled."""
    require_meeting_action(actor, meeting, "change")
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


def meeting_cancel(*, meeting: Meeting, actor: User, now: datetime | None = None) -> Meeting:
    require_meeting_action(actor, meeting, "change")
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
    reaches = {
        reach: lang
        for email, lang, phone, channel in members.values_list(
            "user__email",
            "user__language",
            "user__messaging_profile__phone",
            "user__messaging_profile__channel",
        )
        if (reach := messaging.reach_of(email=email, phone=phone or "", channel=channel or ""))
    }
    recipients = [(reach.address, lang) for reach, lang in reaches.items()]
    channels = {reach.address: reach.channel for reach in reaches}
    already = deliveries_recipients(kind, object_key)
    ics = meeting_ics(meeting) if with_ics else ""
    link = settings.SITE_URL + meeting_url(meeting)
    rendered: dict[str, tuple[str, str, str]] = {}
    for language in {lang for _email, lang in recipients}:
        with translation.override(language):
            subject = {
                "meeting.convocation": _("Convocation: %(meeting)s"),
                "meeting.reminder": _("Reminder: %(meeting)s"),
                "meeting.cancelled": _("Cancelled: %(meeting)s"),
            }[kind] % {"meeting": meeting}
            body = email_render(
                kind.replace(".", "_"), {"meeting": meeting, "link": link}, language
            )
            # A text message is all a phone-only member sees: the hour and the place too.
            text = _("%(subject)s, %(time)s, %(place)s") % {
                "subject": subject,
                "time": formats.time_format(timezone.localtime(meeting.starts_at), "H:i"),
                "place": meeting.place,
            }
        rendered[language] = (subject[:255], body, text)
    new_rows = [
        messaging.delivery_row(
            channel=channels[address],
            recipient=address,
            kind=kind,
            object_key=object_key,
            subject=rendered[language][0],
            body=rendered[language][1],
            text=rendered[language][2],
            ics=ics,
            language=language,
            send_at=send_at,
            district_id=meeting.district_id,
            link=meeting_url(meeting),
        )
        for address, language in recipients
        if address not in already
    ]
    with transaction.atomic():
        Delivery.objects.bulk_create(new_rows, ignore_conflicts=True, batch_size=500)
        if already:
            for language, (subject, body, text) in rendered.items():
                pending = Delivery.objects.filter(
                    kind=kind,
                    object_key=object_key,
                    status=Delivery.Status.PENDING,
                    language=language,
                )
                pending.filter(channel=Channel.EMAIL).exclude(body=body, ics=ics).update(
                    subject=subject, body=body, ics=ics
                )
                for channel in messaging.TEXT_CHANNELS:
                    fields = messaging.text_fields(
                        channel=channel, kind=kind, text=text, link=meeting_url(meeting)
                    )
                    pending.filter(channel=channel).exclude(body=fields["body"]).update(
                        subject=subject, **fields
                    )
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


def attendance_set(*, meeting: Meeting, member: Member, present: bool, actor: User) -> Attendance:
    require_meeting_action(actor, meeting, "take_attendance")
    attendance, _created = Attendance.objects.update_or_create(
        meeting=meeting, member=member, defaults={"present": present}
    )
    return attendance


def agenda_item_add(
    *, meeting: Meeting, actor: User, title: str, description: str = ""
) -> AgendaItem:
    require_meeting_action(actor, meeting, "add_agenda_item")
    last = meeting.agenda_items.order_by("-order").values_list("order", flat=True).first() or 0
    return AgendaItem.objects.create(
        meeting=meeting, order=last + 1, title=title, description=description
    )


def agenda_item_minutes_save(*, item: AgendaItem, actor: User, minutes: str) -> AgendaItem:
    require_meeting_action(actor, item.meeting, "write_minutes")
    item.minutes = minutes
    item.save(update_fields=["minutes"])
    return item


def meeting_mark_held(*, meeting: Meeting, actor: User) -> Meeting:
    """Close the meeting: its reminders stop and it becomes the one whose minutes the next
    meeting approves."""
    require_meeting_action(actor, meeting, "change")
    with transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(
            status=Meeting.Status.HELD, updated_at=timezone.now()
        )
        _meeting_deliveries_cancel(meeting=meeting, keep_occurrence=None)
    meeting.refresh_from_db()
    return meeting


def meeting_minutes_approve(*, meeting: Meeting, approved_in: Meeting, actor: User) -> Meeting:
    """The meeting ``approved_in`` approves the minutes of ``meeting``, held before it."""
    require_meeting_action(actor, approved_in, "change")
    if meeting.status != Meeting.Status.HELD or approved_in.starts_at <= meeting.starts_at:
        raise ValidationError(_("Minutes are approved by a later meeting, once held."))
    meeting.minutes_approved_in = approved_in
    meeting.save(update_fields=["minutes_approved_in", "updated_at"])
    return meeting


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


# --- Meetings by typology: organizations invited -------------------------------------------


@dataclass(frozen=True)
class OrganizationInviteResult:
    invited: int  # organizations on the meeting's list after this call (new ones)
    emails: int  # emails newly scheduled (a re-send schedules none)
    without_consent: int  # matching organizations left out: no consent to receive messages


def organization_recipients(organization: Organization) -> dict[messaging.Reach, str]:
    """How to reach an organization's contacts and representatives (email, or their phone
    when they have no email or chose it), with their language.

    Uses the prefetched ``contacts`` and ``representatives``; anonymised contacts have no
    email nor phone left, so they drop out by themselves.
    """
    recipients: dict[messaging.Reach, str] = {}
    for contact in organization.contacts.all():
        if reach := messaging.reach_of_contact(contact):
            recipients.setdefault(reach, settings.LANGUAGE_CODE)
    for user in organization.representatives.all():
        if user.is_active and (reach := messaging.reach_of_user(user)):
            recipients[reach] = user.language
    return recipients


def meeting_organizations_invite(
    *,
    meeting: Meeting,
    actor: User,
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

    require_meeting_action(actor, meeting, "invite")
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
        matching.filter(messages_consent=True).prefetch_related(
            "contacts", "representatives__messaging_profile"
        )
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
            sent_to = deliveries_recipients("meeting.organization_invitation", object_key)
            for reach, language in organization_recipients(organization).items():
                if reach.address in sent_to:
                    continue
                with translation.override(language):
                    subject = _("Invitation: %(meeting)s") % {"meeting": meeting}
                body = email_render(
                    "meeting_organization_invitation",
                    {"meeting": meeting, "organization": organization},
                    language,
                )
                delivery_schedule(
                    recipient=reach.address,
                    channel=reach.channel,
                    link=meeting_url(meeting),
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
    *, meeting: Meeting, organization: Organization, present: bool, actor: User
) -> OrganizationInvitation:
    """Tick an invited organization present or absent; only invited organizations count."""
    require_meeting_action(actor, meeting, "take_organization_attendance")
    invitation = OrganizationInvitation.objects.get(meeting=meeting, organization=organization)
    if invitation.present != present:
        invitation.present = present
        invitation.save(update_fields=["present", "updated_at"])
    return invitation
