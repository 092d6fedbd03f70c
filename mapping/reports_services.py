"""Writes of problem reports: one function per action, keyword-only, in one transaction.

Views, the Open311 API, the admin's actions, the reminder scan and the demo all call these;
none writes a report another way. Each status change leaves a ``ReportUpdate`` with its
public note and schedules one email per supporter through the delivery ledger, keyed by the
update, so a retried request or scan never sends twice.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from shapely.geometry import Point, shape

from mapping.models import SPACE_PAGES, PublicSpace
from mapping.permissions import may_moderate_report, may_moderate_reports, may_work_report
from mapping.reports_models import (
    MunicipalArea,
    Report,
    ReportCategory,
    ReportPhoto,
    ReportStatus,
    ReportSupporter,
    ReportUpdate,
)
from platform_app.forms import validate_plain_text
from platform_app.models import District, Organization, User
from platform_app.services.ledger import delivery_schedule
from santaanita.files import IMAGES, ensure_checked
from santaanita.page_cache import pages_changed
from santaanita.phones import normalize_phone

DESCRIPTION_MAX = 1000
NOTE_MAX = 1000
MAX_PHOTOS = 3
# A point on the map is snapped to a space whose outline is at most this far (≈ 250 m).
SNAP_DEGREES = 0.0025
# Control characters other than tab and newlines: never typed by a person.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Who may move a report from which status to which. Moderators (coordinators) may make
# every move; the caring organization's representatives only the work moves.
MODERATOR_MOVES: dict[str, set[str]] = {
    ReportStatus.RECEIVED: {
        ReportStatus.ACKNOWLEDGED,
        ReportStatus.NOT_OURS,
        ReportStatus.DUPLICATE,
    },
    ReportStatus.ACKNOWLEDGED: {
        ReportStatus.IN_PROGRESS,
        ReportStatus.FIXED,
        ReportStatus.NOT_OURS,
        ReportStatus.DUPLICATE,
    },
    ReportStatus.IN_PROGRESS: {
        ReportStatus.FIXED,
        ReportStatus.NOT_OURS,
        ReportStatus.DUPLICATE,
    },
}
WORKER_MOVES: dict[str, set[str]] = {
    ReportStatus.ACKNOWLEDGED: {ReportStatus.IN_PROGRESS, ReportStatus.FIXED},
    ReportStatus.IN_PROGRESS: {ReportStatus.FIXED},
}


def reports_layer_version_key(ubigeo: str) -> str:
    return f"mapping:reports-layer-version:{ubigeo}"


def reports_layer_version(ubigeo: str) -> str:
    """The current version of a district's cached report layer; any report write moves it."""
    key = reports_layer_version_key(ubigeo)
    version = cache.get(key)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(key, version, 24 * 3600)
        version = cache.get(key, version)
    return str(version)


def _layer_changed(district: District) -> None:
    # After commit, so that no reader caches the old rows under the new version.
    key = reports_layer_version_key(district.ubigeo)
    transaction.on_commit(lambda: cache.set(key, uuid.uuid4().hex, 24 * 3600))
    # A space's page lists its open reports.
    pages_changed(SPACE_PAGES)


def clean_text(value: str, *, field: str, limit: int, required: bool) -> str:
    """Plain text as a person typed it: trimmed, bounded, no markup, no control characters.

    Refused rather than cleaned silently, so what is stored is what the person meant."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError(
            {
                field: _("Write at most %(limit)s characters (you wrote %(count)s).")
                % {"limit": limit, "count": len(value)}
            }
        )
    if CONTROL.search(value):
        raise ValidationError({field: _("The text contains control characters; remove them.")})
    try:
        validate_plain_text(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    return value


def clean_contact(*, email: str, phone: str) -> tuple[str, str]:
    email = (email or "").strip().lower()
    phone = (phone or "").strip()
    if email:
        try:
            if len(email) > 254 or CONTROL.search(email):
                raise ValidationError("too long or control characters")
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError(
                {"email": _("Write a valid email address, such as name@example.org.")}
            ) from exc
    if phone:
        if len(phone) > 30:
            raise ValidationError({"phone": _("Use only digits, spaces or dashes.")})
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
    return email, phone


def clean_point(latitude: object, longitude: object) -> tuple[float, float]:
    """Coordinates as numbers in range (WGS84), or a Spanish error on the fields."""
    try:
        lat = float(cast(str, latitude))
        lon = float(cast(str, longitude))
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            {"latitude": _("Give the latitude and longitude as decimal numbers.")}
        ) from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or lat != lat or lon != lon:
        raise ValidationError({"latitude": _("These coordinates are outside the map.")})
    return lat, lon


def space_nearest(*, district: District | None, latitude: float, longitude: float) -> PublicSpace:
    """The public space nearest to a point on the map (its outline, not its centre: a point
    inside a large park belongs to that park), within about 250 m; else a field error."""
    spaces = PublicSpace.objects.in_bbox(
        longitude - SNAP_DEGREES,
        latitude - SNAP_DEGREES,
        longitude + SNAP_DEGREES,
        latitude + SNAP_DEGREES,
    ).only("pk", "geometry", "district_id")
    if district is not None:
        spaces = spaces.filter(district=district)
    point = Point(longitude, latitude)
    best: tuple[float, PublicSpace] | None = None
    for space in spaces:
        distance = shape(space.geometry).distance(point)
        if distance <= SNAP_DEGREES and (best is None or distance < best[0]):
            best = (distance, space)
    if best is None:
        raise ValidationError(
            {"latitude": _("There is no public space near this point; pick one from the list.")}
        )
    return PublicSpace.objects.select_related("district", "sector").get(pk=best[1].pk)


def _area_for(district_id: int, category: str) -> MunicipalArea | None:
    return MunicipalArea.objects.filter(district_id=district_id, category=category).first()


def _link(path: str) -> str:
    return settings.SITE_URL + path


def _notify(*, report: Report, update: ReportUpdate) -> None:
    """One email per supporter with an email address, keyed by the update."""
    link = _link(report.get_absolute_url())
    with override(settings.LANGUAGE_CODE):
        subject = _("Your report #%(number)s: %(status)s") % {
            "number": report.pk,
            "status": update.get_status_display(),
        }
        body = _(
            "The report #%(number)s (%(category)s) is now: %(status)s.\n\n%(note)s\n\n"
            "Follow it at %(link)s"
        ) % {
            "number": report.pk,
            "category": report.get_category_display(),
            "status": update.get_status_display(),
            "note": update.note,
            "link": link,
        }
    for email in report.supporters.exclude(email="").values_list("email", flat=True).distinct():
        delivery_schedule(
            recipient=email,
            kind="report_status",
            object_key=f"report:{report.pk}:update:{update.pk}",
            subject=subject,
            body=body,
            district=report.district,
        )


def report_submit(
    *,
    space: PublicSpace,
    category: str,
    description: str,
    photos: Sequence[UploadedFile[bytes]] = (),
    email: str = "",
    phone: str = "",
    device: str = "",
    user: User | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    client_uuid: uuid.UUID | None = None,
) -> Report:
    """Record a resident's report of a problem in ``space`` and route it.

    Anonymous reports are accepted (no contact: nobody can be told what happened). The
    report goes to the organization that cares for the space (the first by name when several
    do; a coordinator may route it elsewhere) and to the district's municipal area for its
    category. Photos are checked and re-encoded before anything is written, so a bad photo
    leaves no report behind. Sent again with the same ``client_uuid``, it returns the first.
    """
    if client_uuid is not None:
        existing = Report.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing
    if category not in ReportCategory.values:
        raise ValidationError({"category": _("Choose a category from the list.")})
    description = clean_text(description, field="description", limit=DESCRIPTION_MAX, required=True)
    email, phone = clean_contact(email=email, phone=phone)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            {"photos": _("Send at most %(count)s photos.") % {"count": MAX_PHOTOS}}
        )
    cleaned = []
    for upload in photos:
        try:
            cleaned.append(ensure_checked(upload, accept=IMAGES))
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from exc
    if latitude is None or longitude is None:
        latitude, longitude = space.centroid_lat, space.centroid_lon
    organization = space.organizations.order_by("name").first()
    report_uuid = client_uuid or uuid.uuid4()
    try:
        with transaction.atomic():
            report = Report.objects.create(
                district=space.district,
                space=space,
                sector=space.sector,
                category=category,
                description=description,
                latitude=latitude,
                longitude=longitude,
                organization=organization,
                area=_area_for(space.district_id, category),
                client_uuid=report_uuid,
            )
            ReportSupporter.objects.create(
                report=report,
                is_reporter=True,
                email=email,
                phone=phone,
                device=device[:64],
                user=user,
            )
            for content in cleaned:
                photo = ReportPhoto(report=report)
                photo.image.save(cast(str, content.name), content, save=False)
                photo.save()
            update = ReportUpdate.objects.create(report=report, status=ReportStatus.RECEIVED)
            _notify(report=report, update=update)
            _notify_routed(report=report)
            _layer_changed(report.district)
    except IntegrityError:
        # The same report arrived twice at once: the other request stored it.
        return Report.objects.get(client_uuid=report_uuid)
    return report


def _notify_routed(*, report: Report) -> None:
    """Tell whoever the report was routed to: the municipal area's email and the caring
    organization's representatives. Keyed by the recipient's role in it, so routing it again
    to the same area or organization tells nobody twice."""
    recipients: list[tuple[str, str]] = []
    if report.area is not None and report.area.email:
        recipients.append((report.area.email, f"area:{report.area_id}"))
    if report.organization is not None:
        recipients += [
            (email, f"organization:{report.organization_id}")
            for email in report.organization.representatives.values_list("email", flat=True)
        ]
    if not recipients:
        return
    with override(settings.LANGUAGE_CODE):
        subject = _("New report #%(number)s: %(category)s in %(space)s") % {
            "number": report.pk,
            "category": report.get_category_display(),
            "space": report.space.name,
        }
        body = f"{report.description}\n\n{_link(report.get_absolute_url())}"
    for email, role in recipients:
        delivery_schedule(
            recipient=email,
            kind="report_routed",
            object_key=f"report:{report.pk}:{role}",
            subject=subject,
            body=body,
            district=report.district,
        )


def report_me_too(
    *,
    report: Report,
    email: str = "",
    phone: str = "",
    device: str = "",
    user: User | None = None,
) -> ReportSupporter:
    """Add a "me too" to an open report instead of a duplicate. A device counts once: a
    second tap from the same phone returns the first supporter."""
    if not report.is_open or report.hidden:
        raise ValidationError(_("This report is closed; report the problem again if it is back."))
    email, phone = clean_contact(email=email, phone=phone)
    device = device[:64]
    if device:
        existing = ReportSupporter.objects.filter(report=report, device=device).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            supporter = ReportSupporter.objects.create(
                report=report, email=email, phone=phone, device=device, user=user
            )
    except IntegrityError:
        return ReportSupporter.objects.get(report=report, device=device)
    _layer_changed(report.district)
    return supporter


def _locked(report: Report) -> Report:
    """The report's row, locked: two coordinators acting at once change it one after the
    other, and the second sees the first's status when it checks its move."""
    return Report.objects.select_for_update().select_related("district", "space").get(pk=report.pk)


def report_acknowledge(
    *,
    report: Report,
    user: User,
    note: str = "",
    organization: Organization | None = None,
    area: MunicipalArea | None = None,
) -> Report:
    """A coordinator looks at a received report and routes it: to the caring organization
    and the municipal area (those chosen, else those found on arrival), and acknowledges it."""
    if not may_moderate_report(user, report):
        raise PermissionDenied
    note = clean_text(note, field="note", limit=NOTE_MAX, required=False)
    if organization is not None and organization.district_id != report.district_id:
        raise ValidationError({"organization": _("Choose an organization of the district.")})
    if area is not None and area.district_id != report.district_id:
        raise ValidationError({"area": _("Choose a municipal area of the district.")})
    with transaction.atomic():
        report = _locked(report)
        if report.status != ReportStatus.RECEIVED:
            raise ValidationError(_("This report was already acknowledged."))
        now = timezone.now()
        report.organization = organization or report.organization
        report.area = area or report.area
        report.status = ReportStatus.ACKNOWLEDGED
        report.acknowledged_at = now
        report.moderated_at = report.moderated_at or now
        report.save()
        update = ReportUpdate.objects.create(
            report=report, status=report.status, note=note, author=user
        )
        _notify(report=report, update=update)
        _notify_routed(report=report)
        _layer_changed(report.district)
    return report


def report_status_change(
    *,
    report: Report,
    user: User,
    status: str,
    note: str = "",
    duplicate_of: Report | None = None,
) -> Report:
    """Move a report on (in progress, fixed, not ours, duplicate) with a public note.

    "Fixed" starts the follow-up clock: ``REPORT_FOLLOWUP_DAYS`` later the reporter is asked
    whether it really was. "Duplicate" names the report it repeats, whose supporters then
    include this report's (they hear of the one that will be fixed).
    """
    if not may_work_report(user, report):
        raise PermissionDenied
    note = clean_text(note, field="note", limit=NOTE_MAX, required=False)
    with transaction.atomic():
        report = _locked(report)
        moves = MODERATOR_MOVES if may_moderate_report(user, report) else WORKER_MOVES
        if status not in moves.get(report.status, set()):
            raise ValidationError(
                {
                    "status": _("A report that is “%(current)s” cannot become “%(next)s”.")
                    % {
                        "current": report.get_status_display(),
                        "next": ReportStatus(status).label
                        if status in ReportStatus.values
                        else status,
                    }
                }
            )
        if status == ReportStatus.DUPLICATE:
            if duplicate_of is None or duplicate_of.pk == report.pk or not duplicate_of.is_open:
                raise ValidationError(
                    {"duplicate_of": _("Give the number of the open report this one repeats.")}
                )
            if duplicate_of.district_id != report.district_id:
                raise ValidationError(
                    {"duplicate_of": _("Give the number of the open report this one repeats.")}
                )
            report.duplicate_of = duplicate_of
        now = timezone.now()
        report.status = status
        if report.acknowledged_at is None:
            report.acknowledged_at = now
        report.moderated_at = report.moderated_at or now
        if status == ReportStatus.FIXED:
            report.fixed_at = now
            report.followup_due_at = now + timedelta(days=settings.REPORT_FOLLOWUP_DAYS)
            report.confirmed_fixed = None
        report.save()
        update = ReportUpdate.objects.create(report=report, status=status, note=note, author=user)
        if status == ReportStatus.DUPLICATE and duplicate_of is not None:
            _supporters_join(source=report, target=duplicate_of)
        _notify(report=report, update=update)
        _layer_changed(report.district)
    return report


def _supporters_join(*, source: Report, target: Report) -> None:
    taken = set(target.supporters.exclude(device="").values_list("device", flat=True))
    ReportSupporter.objects.bulk_create(
        [
            ReportSupporter(
                report=target,
                email=s.email,
                phone=s.phone,
                device="" if s.device in taken else s.device,
                user=s.user,
            )
            for s in source.supporters.all()
        ]
    )


def report_hide(
    *,
    report: Report,
    user: User,
    reason: str,
    photo: ReportPhoto | None = None,
    update: ReportUpdate | None = None,
) -> Report:
    """Hide abusive or personal content, with the reason: the whole report, or one of its
    photos or notes. The row stays (for the record and the measures); the public stops
    seeing it."""
    if not may_moderate_report(user, report):
        raise PermissionDenied
    reason = clean_text(reason, field="reason", limit=255, required=True)
    with transaction.atomic():
        report = _locked(report)
        if photo is not None:
            ReportPhoto.objects.filter(pk=photo.pk, report=report).update(hidden=True)
        elif update is not None:
            ReportUpdate.objects.filter(pk=update.pk, report=report).update(hidden=True)
        else:
            report.hidden = True
        report.hidden_reason = reason
        report.moderated_at = timezone.now()
        report.save()
        _layer_changed(report.district)
    return report


def report_followup_answer(*, supporter: ReportSupporter, fixed: bool) -> Report:
    """A supporter answers "was it fixed?". The reporter's answer is the report's; a "no"
    to a fixed report reopens it (in progress again) with a public note."""
    with transaction.atomic():
        report = _locked(supporter.report)
        ReportSupporter.objects.filter(pk=supporter.pk).update(
            confirmed_fixed=fixed, answered_at=timezone.now()
        )
        if supporter.is_reporter and report.status == ReportStatus.FIXED:
            report.confirmed_fixed = fixed
        if not fixed and report.status == ReportStatus.FIXED:
            report.status = ReportStatus.IN_PROGRESS
            report.fixed_at = None
            report.followup_due_at = None
            report.confirmed_fixed = False if supporter.is_reporter else None
            report.reopened_count += 1
            report.save()
            with override(settings.LANGUAGE_CODE):
                note = _("A neighbour says the problem is not fixed; the report is open again.")
            update = ReportUpdate.objects.create(report=report, status=report.status, note=note)
            _notify(report=report, update=update)
            _layer_changed(report.district)
        else:
            report.save()
    return report


def reports_schedule_followups(*, now: datetime) -> int:
    """The reminder scan's part (``REMINDER_SCANS``): ask "was it fixed?" of every supporter
    with an email, for each report fixed ``REPORT_FOLLOWUP_DAYS`` ago. Keyed by the time it
    was fixed, so a scan that runs twice asks once, and a report fixed again is asked again."""
    asked = 0
    for report in Report.objects.followup_due(now).select_related("district"):
        fixed_key = f"{report.fixed_at:%Y%m%d%H%M%S}" if report.fixed_at else "0"
        with override(settings.LANGUAGE_CODE):
            subject = _("Was it fixed? Report #%(number)s") % {"number": report.pk}
            intro = _(
                "The report #%(number)s (%(category)s) was marked fixed. Was it? Answer here:"
            ) % {"number": report.pk, "category": report.get_category_display()}
        for supporter in report.supporters.exclude(email=""):
            link = _link(reverse("mapping:report-followup", args=[supporter.token]))
            delivery_schedule(
                recipient=supporter.email,
                kind="report_followup",
                object_key=f"report:{report.pk}:fixed:{fixed_key}",
                subject=subject,
                body=f"{intro}\n{link}",
                district=report.district,
            )
            asked += 1
        Report.objects.filter(pk=report.pk, followup_due_at=report.followup_due_at).update(
            followup_due_at=None
        )
    return asked


def area_set(*, district: District, category: str, name: str, email: str, user: User) -> None:
    """Name the municipal area that handles ``category`` in ``district`` (empty: none)."""
    if not may_moderate_reports(user, district):
        raise PermissionDenied
    if category not in ReportCategory.values:
        raise ValidationError({"category": _("Choose a category from the list.")})
    name = clean_text(name, field=f"name_{category}", limit=200, required=False)
    email, _phone = clean_contact(email=email, phone="")
    if not name:
        MunicipalArea.objects.filter(district=district, category=category).delete()
        return
    MunicipalArea.objects.update_or_create(
        district=district, category=category, defaults={"name": name, "email": email}
    )
