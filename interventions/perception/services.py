"""The one write path of the perception survey and the baseline figures.

Keyword-only, typed, ``<entity>_<verb>``: views, the API, the demo and the benchmark call
these. Recording an answer is idempotent on the key the phone or page made before sending,
so a resend after a dropped connection never counts a person twice.

The writes a coordinator makes take them as ``actor`` (``by`` where the name is also the
author recorded) and ask ``interventions.perception.permissions`` first (PermissionDenied
otherwise); ``None`` is the platform acting on its own (demo data, the benchmark), which
no page or API action passes. Recording an answer takes no actor: the public link needs no
account, and the pages check the volunteer before they call it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from interventions.models import (
    ImpactPlan,
    PerceptionResponse,
    Question,
    QuestionnaireVersion,
    ReferenceValue,
    SectorPopulation,
    Wave,
)
from interventions.perception import permissions
from interventions.perception.index import COHESIVE_SCORE, respondent_score
from mapping.models import SPACE_PAGES
from platform_app.models import District, Sector, User
from santaanita import page_cache
from santaanita.versioned import lock_at_version

# Bumped by every write that changes a published figure; the dashboard and the index pages
# cache their figures under it, so a new answer shows at once and a read costs no query.
GENERATION_KEY = "impact:generation"


def figures_changed() -> None:
    # A space's page shows residents' perception of it (settings.SPACE_PAGE_PANELS).
    page_cache.bump(GENERATION_KEY, SPACE_PAGES)


def figures_generation() -> int:
    return page_cache.versions((GENERATION_KEY,))[0]


@dataclass(frozen=True)
class QuestionData:
    code: str
    dimension: str
    scale: str
    text: str
    in_index: bool


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def questionnaire_publish(
    *,
    district: District,
    title: str,
    consent_text: str,
    questions: Iterable[QuestionData],
    by: User | None,
    note: str = "",
) -> QuestionnaireVersion:
    """Publish the next version of the district's questionnaire.

    Versions are never edited: answers already given keep the version they answered. The
    district's rows are locked while the next number is taken, so two coordinators
    publishing at once get versions n and n+1 instead of a unique-key error.
    """
    _require(by is None or permissions.may_manage_survey(by, district))
    questions = list(questions)
    if not questions:
        raise ValidationError(_("A questionnaire needs at least one question."))
    codes = [q.code for q in questions]
    if len(set(codes)) != len(codes):
        raise ValidationError(_("Each question needs its own code."))
    if not any(q.in_index for q in questions):
        raise ValidationError(_("At least one question must count in the social-cohesion index."))
    with transaction.atomic():
        District.objects.select_for_update().get(pk=district.pk)
        last = QuestionnaireVersion.objects.filter(district=district).order_by("-number").first()
        version = QuestionnaireVersion(
            district=district,
            number=(last.number + 1) if last else 1,
            title=title,
            consent_text=consent_text,
            note=note,
            created_by=by,
        )
        version.full_clean()
        version.save()
        rows = [
            Question(
                version=version,
                position=position,
                code=q.code,
                dimension=q.dimension,
                scale=q.scale,
                text=q.text,
                in_index=q.in_index,
            )
            for position, q in enumerate(questions, start=1)
        ]
        for row in rows:
            row.full_clean(exclude=["version"])
        Question.objects.bulk_create(rows)
    return version


def wave_create(
    *,
    actor: User | None,
    district: District,
    name: str,
    kind: str,
    questionnaire: QuestionnaireVersion,
    starts_on: date,
    ends_on: date,
    margin_of_error: Decimal = Decimal(10),
    confidence: int = Wave.Confidence.NINETY_FIVE,
) -> Wave:
    _require(actor is None or permissions.may_manage_survey(actor, district))
    if questionnaire.district_id != district.pk:
        raise ValidationError(_("The questionnaire belongs to another district."))
    wave = Wave(
        district=district,
        name=name,
        kind=kind,
        questionnaire=questionnaire,
        starts_on=starts_on,
        ends_on=ends_on,
        margin_of_error=margin_of_error,
        confidence=confidence,
    )
    wave.full_clean()
    wave.save()
    figures_changed()
    return wave


def wave_set_open(*, actor: User | None, wave: Wave, is_open: bool) -> Wave:
    _require(actor is None or permissions.may_manage_survey(actor, wave.district))
    Wave.objects.filter(pk=wave.pk).update(is_open=is_open)
    wave.is_open = is_open
    figures_changed()  # the public page shows the progress of open waves only
    return wave


@dataclass(frozen=True)
class Answer:
    """One respondent's answers as they arrive from a phone, a kiosk or the public link."""

    client_uuid: uuid.UUID
    answers: Mapping[str, int]
    collected_on: date
    version_number: int | None = None
    sector: Sector | None = None
    age_band: str = ""
    sex: str = ""
    public_space: Any = None


def _version_for(wave: Wave, number: int | None) -> QuestionnaireVersion:
    """The version the person answered: the one their phone loaded when it says so (a
    coordinator may publish a new one while a volunteer collects offline), else the wave's."""
    if number is None or number == wave.questionnaire.number:
        return wave.questionnaire
    found = QuestionnaireVersion.objects.filter(district=wave.district, number=number).first()
    if found is None:
        raise ValidationError(_("Unknown questionnaire version."))
    return found


def _clean(wave: Wave, answer: Answer, questions: list[Question]) -> PerceptionResponse:
    by_code = {q.code: q for q in questions}
    values: dict[str, int] = {}
    for code, value in answer.answers.items():
        if code not in by_code:
            raise ValidationError(_("Unknown question: %(code)s") % {"code": code})
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise ValidationError(_("Answers are numbers from 1 to 5."))
        values[code] = value
    if not values:
        raise ValidationError(_("Answer at least one question."))
    if answer.sector is not None and answer.sector.district_id != wave.district_id:
        raise ValidationError(_("That sector is not in the wave's district."))
    space = answer.public_space
    if space is not None and space.district_id != wave.district_id:
        raise ValidationError(_("That space is not in the wave's district."))
    if answer.age_band and answer.age_band not in PerceptionResponse.AgeBand.values:
        raise ValidationError(_("Unknown age band."))
    if answer.sex and answer.sex not in PerceptionResponse.Sex.values:
        raise ValidationError(_("Unknown option for sex."))
    score = respondent_score(values, [q.code for q in questions if q.in_index])
    return PerceptionResponse(
        wave=wave,
        client_uuid=answer.client_uuid,
        answers=values,
        cohesion_score=score,
        cohesive=None if score is None else score >= COHESIVE_SCORE,
        sector=answer.sector,
        age_band=answer.age_band,
        sex=answer.sex,
        public_space=space,
        collected_on=answer.collected_on,
    )


def perception_response_record(
    *,
    wave: Wave,
    answer: Answer,
    channel: str,
    consented: bool,
    duplicate_suspected: bool = False,
) -> tuple[PerceptionResponse, bool]:
    """Record one respondent's anonymous answers; returns (response, created).

    Idempotent on ``answer.client_uuid``: the phone makes the key before the first send and
    resends it after a dropped connection, so the second copy finds the first (read first;
    two copies racing both pass the read and the unique constraint keeps one: the loser
    reads the winner's row). Refused without consent and on a closed wave.
    """
    existing = PerceptionResponse.objects.filter(client_uuid=answer.client_uuid).first()
    if existing is not None:
        if existing.wave_id != wave.pk:
            raise ValidationError(_("This answer was already recorded in another wave."))
        return existing, False
    if not consented:
        raise ValidationError(_("The respondent's consent is required."))
    if not wave.is_open:
        raise ValidationError(_("This wave is closed."))
    version = _version_for(wave, answer.version_number)
    response = _clean(wave, answer, list(version.questions.all()))
    response.version = version
    response.channel = channel
    response.duplicate_suspected = duplicate_suspected
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        return PerceptionResponse.objects.get(client_uuid=answer.client_uuid), False
    figures_changed()
    return response, True


def perception_responses_bulk_record(
    *, wave: Wave, answers: Iterable[Answer], channel: str, batch_size: int = 2000
) -> int:
    """Record many consented answers at once (demo data, the benchmark, an import of a
    paper round): the same validation and scoring as one by one, in batches; answers whose
    key is already recorded are skipped. Returns how many were new."""
    version = wave.questionnaire
    questions = list(version.questions.all())
    rows = []
    for answer in answers:
        row = _clean(wave, answer, questions)
        row.version, row.channel = version, channel
        rows.append(row)
    before = PerceptionResponse.objects.filter(wave=wave).count()
    with transaction.atomic():
        PerceptionResponse.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
    figures_changed()
    return PerceptionResponse.objects.filter(wave=wave).count() - before


def sector_population_set(
    *, actor: User | None, sector: Sector, population: int, source: str, year: int
) -> None:
    _require(actor is None or permissions.may_manage_survey(actor, sector.district))
    SectorPopulation.objects.update_or_create(
        sector=sector, defaults={"population": population, "source": source, "year": year}
    )
    figures_changed()


def impact_plan_set(
    *, actor: User | None, district: District, first_year: int, results_year: int
) -> ImpactPlan:
    _require(actor is None or permissions.may_edit_references(actor, district))
    if not 2000 <= first_year <= 2100 or not 2000 <= results_year <= 2100:
        raise ValidationError(_("Give years between 2000 and 2100."))
    plan, _created = ImpactPlan.objects.update_or_create(
        district=district, defaults={"first_year": first_year, "results_year": results_year}
    )
    figures_changed()
    return plan


def reference_value_set(
    *,
    district: District,
    key: str,
    value: Decimal,
    observed_on: date,
    source: str,
    unit: str = "",
    period: str = "",
    version: int | None = None,
    by: User | None = None,
) -> ReferenceValue:
    """Create or correct a dated baseline figure with its source.

    ``version`` is the one the edit form was read at: the row is locked while it is
    compared, so of two coordinators correcting the same figure the second gets
    StaleEdit with the current value instead of silently undoing the first's change.
    """
    _require(by is None or permissions.may_edit_references(by, district))
    if not source.strip():
        raise ValidationError({"source": _("Every reference value needs its source.")})
    with transaction.atomic():
        current: ReferenceValue | None
        try:
            current = lock_at_version(
                ReferenceValue.objects.filter(district=district, key=key), version=version
            )
        except ReferenceValue.DoesNotExist:
            current = None  # a first figure: nothing to overwrite
        reference = current or ReferenceValue(district=district, key=key)
        reference.value, reference.unit, reference.period = value, unit, period
        reference.observed_on, reference.source, reference.updated_by = observed_on, source, by
        reference.version = (current.version + 1) if current else 0
        reference.full_clean()
        reference.save()
    figures_changed()
    return reference
