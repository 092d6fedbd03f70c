"""Writes of the mapping app: one function per action, keyword-only, in one transaction."""

from __future__ import annotations

import csv
import io
import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from mapping.models import (
    SPACE_PAGES,
    Assignment,
    EquipmentItem,
    NeedItem,
    Observation,
    PublicSpace,
    QualityItem,
    Survey,
    SurveyPhoto,
    SurveyReview,
    check_span,
    map_changed,
)
from mapping.permissions import (
    may_add_photo,
    may_assign_surveyors,
    may_change_space,
    may_review_survey,
    may_survey,
)
from platform_app.models import District, Organization, User
from santaanita.files import IMAGES, Visibility, delete_on_commit, ensure_checked, move
from santaanita.geo import normalize_geometry
from santaanita.page_cache import changes_pages

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SurveyData:
    """The content of a survey form, already validated (see ``mapping.forms.SurveyForm``)."""

    observed_at: datetime
    notes: str = ""
    # feature -> (count, condition)
    equipment: dict[str, tuple[int, str]] = field(default_factory=dict)
    # item -> rating 0..3
    quality: dict[str, int] = field(default_factory=dict)
    # (zone, age group, sex, activity) -> count. The zone is part of the key: SOPARC counts
    # each target zone on its own, and one survey may cover several zones.
    observations: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    # (description, priority)
    needs: list[tuple[str, str]] = field(default_factory=list)
    # Typed in from the printed ficha rather than filled on the phone in the space.
    typed_from_paper: bool = False


def _write_details(survey: Survey, data: SurveyData) -> None:
    survey.equipment.all().delete()
    survey.quality_items.all().delete()
    survey.observations.all().delete()
    survey.needs.all().delete()
    EquipmentItem.objects.bulk_create(
        EquipmentItem(survey=survey, feature=f, count=count, condition=condition)
        for f, (count, condition) in data.equipment.items()
    )
    QualityItem.objects.bulk_create(
        QualityItem(survey=survey, item=item, rating=rating)
        for item, rating in data.quality.items()
    )
    Observation.objects.bulk_create(
        Observation(
            survey=survey,
            zone=zone,
            observed_at=data.observed_at,
            age_group=age,
            sex=sex,
            activity=activity,
            count=count,
        )
        for (zone, age, sex, activity), count in data.observations.items()
        if count
    )
    NeedItem.objects.bulk_create(
        NeedItem(survey=survey, description=text, priority=priority)
        for text, priority in data.needs
    )


@changes_pages(SPACE_PAGES)
def survey_submit(
    *,
    space: PublicSpace,
    surveyor: User,
    client_uuid: uuid.UUID,
    data: SurveyData,
    final: bool = True,
) -> tuple[Survey, bool]:
    """Save a survey (a draft, or submitted for review when ``final``); idempotent on UUID.

    Returns ``(survey, created)``. The phone generates ``client_uuid`` once per survey and
    resends it until it hears back, so the same UUID may arrive twice, even concurrently.
    The unique constraint on ``client_uuid`` decides: the losing insert gets an
    IntegrityError and returns the survey that won. A resend of a survey already submitted
    (or verified) changes nothing; a draft or returned survey is updated in place.
    """
    if not may_survey(surveyor, space):
        raise PermissionDenied(_("This space is not assigned to you."))
    existing = Survey.objects.filter(client_uuid=client_uuid).first()
    created = False
    if existing is None:
        try:
            with transaction.atomic():
                survey = Survey.objects.create(
                    space=space,
                    surveyor=surveyor,
                    client_uuid=client_uuid,
                    observed_at=data.observed_at,
                    notes=data.notes,
                    typed_from_paper=data.typed_from_paper,
                )
                created = True
                _finish(survey=survey, data=data, final=final)
            return survey, True
        except IntegrityError:
            # A concurrent request with the same UUID committed first: this is a resend.
            existing = Survey.objects.get(client_uuid=client_uuid)
    if existing.surveyor_id != surveyor.pk or existing.space_id != space.pk:
        raise PermissionDenied(_("This survey belongs to someone else."))
    with transaction.atomic():
        # Lock the row so that two resends of an editable survey apply one after the other.
        survey = Survey.objects.select_for_update().get(pk=existing.pk)
        if not survey.is_editable:
            return survey, created
        survey.observed_at = data.observed_at
        survey.notes = data.notes
        survey.typed_from_paper = data.typed_from_paper
        survey.save(update_fields=["observed_at", "notes", "typed_from_paper", "updated_at"])
        _finish(survey=survey, data=data, final=final)
    return survey, created


def _finish(*, survey: Survey, data: SurveyData, final: bool) -> None:
    _write_details(survey, data)
    survey.condition_score = survey.compute_condition_score()
    fields = ["condition_score", "updated_at"]
    if final:
        survey.status = Survey.Status.SUBMITTED
        survey.submitted_at = timezone.now()
        fields += ["status", "submitted_at"]
    survey.save(update_fields=fields)
    logger.info("survey %s saved (%s) by user %s", survey.pk, survey.status, survey.surveyor_id)


@changes_pages(SPACE_PAGES)
def survey_review(*, survey: Survey, reviewer: User, approve: bool, comment: str = "") -> Survey:
    """Approve (verify) or return a submitted survey; approval updates the space's condition.

    The row is locked so two reviewers clicking at once produce one decision; the second
    finds the survey no longer submitted and gets a ValidationError.
    """
    if not may_review_survey(reviewer, survey):
        raise PermissionDenied(_("You cannot review surveys of this district."))
    if not approve and not comment.strip():
        raise ValidationError(_("Say what needs fixing when returning a survey."))
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != Survey.Status.SUBMITTED:
            raise ValidationError(_("Only submitted surveys can be reviewed."))
        survey.status = Survey.Status.VERIFIED if approve else Survey.Status.RETURNED
        survey.reviewer = reviewer
        survey.reviewed_at = timezone.now()
        survey.review_comment = comment.strip()
        survey.save(
            update_fields=["status", "reviewer", "reviewed_at", "review_comment", "updated_at"]
        )
        # The survey holds the latest decision; each decision is also kept on its own, so
        # a "returned" comment is not lost when the corrected survey is approved.
        SurveyReview.objects.create(
            survey=survey,
            reviewer=reviewer,
            decision=SurveyReview.Decision.APPROVED if approve else SurveyReview.Decision.RETURNED,
            comment=survey.review_comment,
            decided_at=survey.reviewed_at,
        )
        if approve:
            space_apply_latest_survey(space=survey.space)
            _photos_publish(survey)
    logger.info(
        "survey %s %s by user %s", survey.pk, "verified" if approve else "returned", reviewer.pk
    )
    return survey


def _photos_publish(survey: Survey) -> None:
    """An approved survey's photos become public: copied under public/ (where nginx or the
    object store serve them to everyone) and the private copies deleted once this commits.
    A rollback leaves each photo pointing at its private copy, which still exists."""
    replaced = []
    for photo in survey.photos.all():
        old = move(photo.image, visibility=Visibility.PUBLIC)
        if old is not None:
            photo.save(update_fields=["image"])
            replaced.append(old)
    delete_on_commit(replaced)


@changes_pages(SPACE_PAGES)
def space_apply_latest_survey(*, space: PublicSpace) -> PublicSpace:
    """Copy the latest verified survey's score and needs onto the space."""
    latest = (
        Survey.objects.filter(space=space, status=Survey.Status.VERIFIED)
        .order_by("-observed_at", "-pk")
        .first()
    )
    space = PublicSpace.objects.select_for_update().get(pk=space.pk)
    space.latest_verified_survey = latest
    space.condition_score = latest.condition_score if latest else None
    space.condition_updated_at = latest.reviewed_at if latest else None
    if latest is not None:
        needs = [n.description for n in latest.needs.all()]
        space.needs = "\n".join(needs)
        if latest.notes:
            space.condition_summary = latest.notes
    space.save()
    return space


@changes_pages(SPACE_PAGES)
def survey_photo_add(
    *,
    survey: Survey,
    user: User,
    upload: UploadedFile[bytes],
    caption: str = "",
    client_uuid: uuid.UUID | None = None,
) -> SurveyPhoto:
    """Store a photo once ``santaanita.files`` has checked and re-encoded it (EXIF dropped).

    A photo queued on a phone carries ``client_uuid``; sending it again (the answer to the
    first upload was lost) returns the stored photo instead of a second copy.
    """
    if not may_add_photo(user, survey):
        raise PermissionDenied(_("You cannot add photos to this survey."))
    if client_uuid is not None:
        existing = SurveyPhoto.objects.filter(survey=survey, client_uuid=client_uuid).first()
        if existing is not None:
            return existing
    cleaned = ensure_checked(upload, accept=IMAGES)
    photo = SurveyPhoto(survey=survey, caption=caption, client_uuid=client_uuid)
    # A checked file is always named; ContentFile.name is optional only in general.
    photo.image.save(cast(str, cleaned.name), cleaned, save=False)
    try:
        with transaction.atomic():
            photo.save()
    except IntegrityError:
        # The same upload arrived twice at once: the other request stored it.
        photo.image.delete(save=False)
        return SurveyPhoto.objects.get(survey=survey, client_uuid=client_uuid)
    if survey.status == Survey.Status.VERIFIED:
        # A photo added to an approved survey is as public as the ones approved with it.
        _photos_publish(survey)
        photo.refresh_from_db(fields=["image"])
    return photo


def assignment_create(
    *, space: PublicSpace, surveyor: User, assigned_by: User, due_date: date | None = None
) -> Assignment:
    """Assign a space to a surveyor (idempotent: assigning twice reactivates the first)."""
    if not may_assign_surveyors(assigned_by, space.district):
        raise PermissionDenied(_("You cannot assign spaces in this district."))
    if surveyor.district_id != space.district_id:
        raise ValidationError(_("The surveyor works in another district."))
    assignment, _created = Assignment.objects.update_or_create(
        space=space,
        surveyor=surveyor,
        defaults={"active": True, "assigned_by": assigned_by, "due_date": due_date},
    )
    return assignment


@changes_pages(SPACE_PAGES)
def space_save(
    *, space: PublicSpace, user: User, organizations: Iterable[Organization] | None = None
) -> PublicSpace:
    """Create or change a space (and its caring organizations) in one transaction."""
    if not may_change_space(user, space):
        raise PermissionDenied(_("You cannot change the spaces of this district."))
    with transaction.atomic():
        if not space.pk:
            space.slug = _unique_slug(space.district, space.name)
        space.save()
        if organizations is not None:
            space.organizations.set(organizations)
    logger.info("space %s saved by user %s", space.pk, user.pk)
    return space


@changes_pages(SPACE_PAGES)
def organization_spaces_set(*, organization: Organization, space_ids: set[int]) -> bool:
    """The spaces an organization says it cares for (the other side of ``space_save``'s
    caring organizations); ids outside its district are ignored. True when they changed."""
    wanted = set(
        PublicSpace.objects.in_district(organization.district)
        .filter(pk__in=space_ids)
        .values_list("pk", flat=True)
    )
    current = set(organization.public_spaces.values_list("pk", flat=True))
    if wanted == current:
        return False
    organization.public_spaces.set(wanted)
    # The map filters on caring organizations: its cached windows must see the change.
    map_changed(organization.district.ubigeo)
    return True


# --- Import ------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # row, name, reason
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.rejected


def _records_from_geojson(text: str) -> list[dict[str, Any]]:
    data = json.loads(text)
    features = data.get("features", []) if isinstance(data, dict) else []
    return [
        {**(f.get("properties") or {}), "geometry": f.get("geometry")}
        for f in features
        if isinstance(f, dict)
    ]


def _records_from_csv(text: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for row in csv.DictReader(io.StringIO(text)):
        record: dict[str, Any] = dict(row)
        try:
            lon, lat = float(row.get("lon") or ""), float(row.get("lat") or "")
            record["geometry"] = {"type": "Point", "coordinates": [lon, lat]}
        except ValueError:
            record["geometry"] = None
        records.append(record)
    return records


@changes_pages(SPACE_PAGES)
def spaces_import(*, district: District, text: str, fmt: str, dry_run: bool = True) -> ImportReport:
    """Import spaces from GeoJSON or CSV (columns name, category, address, lat, lon).

    Every row is checked first: readable geometry, inside the district, not a duplicate
    (same name as an existing space of the district or an earlier row). With ``dry_run``
    nothing is written; otherwise the valid rows are created in one transaction.
    """
    records = _records_from_geojson(text) if fmt == "geojson" else _records_from_csv(text)
    report = ImportReport(dry_run=dry_run)
    boundary = shape(district.boundary) if district.boundary else None
    seen = {n.casefold() for n in district.public_spaces.values_list("name", flat=True)}
    valid: list[PublicSpace] = []
    categories = set(PublicSpace.Category.values)
    for number, record in enumerate(records, start=1):
        name = str(record.get("name") or "").strip()
        if not name:
            report.rejected.append((number, name, _("no name")))
            continue
        try:
            normalized = normalize_geometry(record.get("geometry"))  # type: ignore[arg-type]
        except ValidationError as exc:
            report.rejected.append(
                (number, name, _("invalid geometry: %s") % " ".join(exc.messages))
            )
            continue
        try:
            check_span(normalized.bbox)
        except ValidationError as exc:
            report.rejected.append((number, name, " ".join(exc.messages)))
            continue
        if boundary is not None and not boundary.intersects(shape(normalized.geojson)):
            report.rejected.append((number, name, _("outside the district")))
            continue
        if name.casefold() in seen:
            report.rejected.append((number, name, _("duplicate")))
            continue
        seen.add(name.casefold())
        category = str(record.get("category") or "other")
        valid.append(
            PublicSpace(
                district=district,
                name=name,
                category=category if category in categories else PublicSpace.Category.OTHER,
                address=str(record.get("address") or "")[:255],
                geometry=normalized.geojson,
            )
        )
    if not dry_run:
        with transaction.atomic():
            for space in valid:
                space.slug = _unique_slug(district, space.name)
                space.save()
    report.created = [s.name for s in valid]
    return report


def _unique_slug(district: District, name: str) -> str:
    from django.utils.text import slugify

    base = slugify(name)[:200] or "espacio"
    slug, n = base, 2
    while PublicSpace.objects.filter(district=district, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
