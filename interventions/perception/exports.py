"""Open data: the anonymized perception answers and every indicator, as CSV and JSON,
with a data dictionary (docs/impact.md).

Anonymization. No answer carries a name, phone, email, exact date or internal key. Quasi-
identifiers are blanked where they would single out fewer than ``MIN_CELL`` people of a
wave: the sector when the wave has fewer than five counted answers in it, the age band and
sex together when their (sector, age band, sex) group is smaller than five, the nearest
space when fewer than five answers of the wave name it. Indicator cells resting on fewer
than five answers are left empty with a note. Answers flagged as possible duplicates are
left out, as they are from the index, so the published index can be recomputed from these
rows alone (tests/interventions/test_perception_open_data.py does).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict, TypeVar, cast

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from interventions.models import (
    SCALE_LABELS,
    PerceptionResponse,
    QuestionnaireVersion,
    SectorPopulation,
    Wave,
)
from interventions.perception.index import COHESIVE_SCORE, MIN_CELL, district_estimates
from interventions.perception.index import sector_estimates as _sector_estimates

if TYPE_CHECKING:
    from interventions.perception.index import Estimate
    from platform_app.models import District

# One row of a published table: column name → a cell (text, a number, or empty).
Row = dict[str, object]
_T = TypeVar("_T")


class _AnswerRow(TypedDict):
    """One counted answer as read for publication, before the suppression rule."""

    wave__name: str
    wave__kind: str
    version__number: int
    channel: str
    collected_on: datetime.date
    sector__number: int | None
    age_band: str
    sex: str
    public_space_id: int | None
    answers: dict[str, int]
    cohesion_score: Decimal | None
    cohesive: bool | None


def _codes(district: District) -> list[str]:
    """Every question code of the district's versions, in first-seen order."""
    seen: dict[str, None] = {}
    for version in QuestionnaireVersion.objects.filter(district=district).order_by("number"):
        for question in version.questions.all():
            seen.setdefault(question.code, None)
    return list(seen)


def answer_rows(district: District) -> list[Row]:
    """The anonymized, suppressed answers of every wave of ``district`` (three queries)."""
    rows = [
        _AnswerRow(**row)
        for row in PerceptionResponse.objects.filter(wave__district=district)
        .counted()
        .order_by("wave__starts_on", "pk")
        .values(
            "wave__name",
            "wave__kind",
            "version__number",
            "channel",
            "collected_on",
            "sector__number",
            "age_band",
            "sex",
            "public_space_id",
            "answers",
            "cohesion_score",
            "cohesive",
        )
    ]
    sectors = Counter((r["wave__name"], r["sector__number"]) for r in rows)
    spaces = Counter((r["wave__name"], r["public_space_id"]) for r in rows)
    for row in rows:
        if sectors[(row["wave__name"], row["sector__number"])] < MIN_CELL:
            row["sector__number"] = None
    groups = Counter((r["wave__name"], r["sector__number"], r["age_band"], r["sex"]) for r in rows)
    codes = _codes(district)
    result = []
    for row in rows:
        small = groups[(row["wave__name"], row["sector__number"], row["age_band"], row["sex"])]
        space = row["public_space_id"]
        out: Row = {
            "wave": row["wave__name"],
            "wave_kind": row["wave__kind"],
            "questionnaire_version": row["version__number"],
            "channel": row["channel"],
            "collected_month": row["collected_on"].strftime("%Y-%m"),
            "sector": row["sector__number"],
            "age_band": "" if small < MIN_CELL else row["age_band"],
            "sex": "" if small < MIN_CELL else row["sex"],
            "public_space": space
            if space and spaces[(row["wave__name"], space)] >= MIN_CELL
            else None,
        }
        for code in codes:
            out[code] = row["answers"].get(code)
        out["cohesion_score"] = str(row["cohesion_score"])
        out["cohesive"] = row["cohesive"]
        result.append(out)
    return result


def dictionary(district: District) -> dict[str, object]:
    """What every column means, the questions of each version and the index's parameters."""
    versions = QuestionnaireVersion.objects.filter(district=district).prefetch_related("questions")
    return {
        "district": {"ubigeo": district.ubigeo, "name": district.name},
        "suppression": _("Cells with fewer than %(n)s respondents are empty (see docs/impact.md).")
        % {"n": MIN_CELL},
        "index": {
            "item_rescaling": "(value - 1) * 25",
            "respondent_score": _("mean of the answered index items, when at least half"),
            "cohesive_if_score_at_least": str(COHESIVE_SCORE),
            "district_estimate": _(
                "sum over sectors with at least 5 answers of population weight × share "
                "cohesive; weights renormalised over those sectors"
            ),
            "confidence_interval": _("95 %, stratified variance with finite-population correction"),
            "minimum_cell": MIN_CELL,
        },
        "sector_populations": [
            {
                "sector": p.sector.number,
                "name": p.sector.name,
                "population": p.population,
                "source": p.source,
                "year": p.year,
            }
            for p in SectorPopulation.objects.filter(sector__district=district)
            .select_related("sector")
            .order_by("sector__number")
        ],
        "columns": {
            "wave": _("Name of the survey wave"),
            "wave_kind": _("baseline or follow_up"),
            "questionnaire_version": _("Version of the questionnaire the person answered"),
            "channel": _("volunteer, kiosk or public"),
            "collected_month": _("Month of the answer (YYYY-MM); the day is not published"),
            "sector": _("Sector number; empty when optional or suppressed"),
            "age_band": _("18_29, 30_44, 45_59, 60_plus; empty when optional or suppressed"),
            "sex": _("female, male, other; empty when optional or suppressed"),
            "public_space": _("Id of the nearest public space named (see /api/spaces/)"),
            "cohesion_score": _("Respondent's cohesion score, 0–100"),
            "cohesive": _("True when the score is at least 62.5"),
            "<question code>": _("Answer from 1 (least favourable) to 5; empty if skipped"),
        },
        "questionnaire_versions": [
            {
                "number": v.number,
                "title": v.title,
                "questions": [
                    {
                        "code": q.code,
                        "text": q.text,
                        "dimension": q.dimension,
                        "scale": q.scale,
                        "labels": [str(label) for label in SCALE_LABELS[q.scale]],
                        "in_index": q.in_index,
                    }
                    for q in v.questions.all()
                ],
            }
            for v in versions.order_by("number")
        ],
    }


def cohesion_rows(district: District) -> list[Row]:
    """The index per wave for the district and each sector; cells under five answers empty."""
    waves = list(Wave.objects.filter(district=district).order_by("starts_on", "pk"))
    rows: list[Row] = []
    for wave, found in zip(waves, district_estimates([district.pk])[district.pk], strict=True):
        rows.append(_cohesion_row(wave, _("District"), found))
    names = dict(district.sectors.values_list("pk", "name"))
    for sector_pk, pairs in _sector_estimates(district).items():
        for wave, found in pairs:
            rows.append(_cohesion_row(wave, names.get(sector_pk, ""), found))
    return rows


def _cohesion_row(wave: Wave, area: str, found: Estimate | None) -> Row:
    return {
        "wave": wave.name,
        "wave_kind": wave.kind,
        "area": area,
        "percent": None if found is None else str(found.percent),
        "ci_low": None if found is None else str(found.low),
        "ci_high": None if found is None else str(found.high),
        "answers": None if found is None else found.n,
        "note": _("fewer than 5 answers") if found is None else "",
    }


def _indicator(
    area: str,
    key: str,
    value: object,
    *,
    label: str = "",
    goal: str = "",
    unit: str = "",
    definition: str = "",
) -> Row:
    return {
        "area": area,
        "indicator": key,
        "label": label,
        "value": value,
        "goal": goal,
        "unit": unit,
        "in_progress": "",
        "definition": definition,
    }


def indicator_rows(district: District) -> list[Row]:
    from interventions import dashboard

    figures, sectors = dashboard.cached_district(district)
    rows: list[Row] = [
        {
            "area": _("District"),
            "indicator": t.key,
            "label": str(t.label),
            "value": str(t.value) if t.measurable else None,
            "goal": str(t.goal),
            "unit": t.unit,
            "in_progress": str(t.in_progress),
            "definition": str(t.definition),
        }
        for t in figures.targets()
    ]
    for row in sectors:
        rows.extend(
            _indicator(row.name, key, value)
            for key, value in (
                ("organizations", row.organizations),
                ("interventions", row.interventions),
                ("improved_spaces", f"{row.improved}/{row.at_risk}"),
                ("private_share", str(row.private_share) if row.funding_total else None),
                ("cohesion", str(row.cohesion.percent) if row.cohesion else None),
            )
        )
    rows.extend(
        _indicator(
            _("District"),
            f"private_share_{year.year}",
            str(year.share) if year.total else None,
            goal="30",
            unit="%",
        )
        for year in figures.year_shares
    )
    rows.extend(
        _indicator(
            _("District"),
            f"baseline_{reference.key}",
            str(reference.value),
            label=reference.get_key_display(),
            unit=reference.unit,
            definition=f"{reference.observed_on:%Y-%m-%d} · {reference.source}",
        )
        for reference in figures.references
    )
    return rows


DATASETS: dict[str, Callable[[District], list[Row]]] = {
    "respuestas": answer_rows,
    "cohesion": cohesion_rows,
    "indicadores": indicator_rows,
}


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    return value


def kept_rows(district: District, name: str) -> list[Row]:
    """A dataset's rows (see ``_kept``)."""
    return _kept(district, name, DATASETS[name])


def _kept(district: District, name: str, builder: Callable[[District], _T]) -> _T:
    """A dataset's rows, kept in the cache until the next perception write (the generation
    in the key) or for ten minutes (the indicators: one): the answers of a district are read
    whole to apply the suppression rule, which a page of the API must not redo each time."""
    from interventions.perception.services import figures_generation

    key = f"open-data:{district.pk}:{name}:{figures_generation()}:{get_language()}"
    # The indicators carry other apps' facts too: no longer than the dashboard keeps them.
    seconds = 60 if name == "indicadores" else 60 * 10
    # What ``builder`` returned, now or when it was kept: never None.
    return cast(_T, cache.get_or_set(key, lambda: builder(district), seconds))


def dataset_response(*, district: District, name: str, fmt: str) -> HttpResponse:
    dictionary_asked = name == "diccionario" and fmt == "json"
    if not dictionary_asked and not (name in DATASETS and fmt in ("csv", "json")):
        raise Http404
    filename = f"{name}-{district.slug}.{fmt}"
    if fmt == "json":
        payload = (
            _kept(district, name, dictionary) if dictionary_asked else kept_rows(district, name)
        )
        response = HttpResponse(
            json.dumps(payload, ensure_ascii=False, default=_plain),
            content_type="application/json; charset=utf-8",
        )
    else:
        rows = kept_rows(district, name)
        buffer = io.StringIO()
        columns = list(rows[0]) if rows else []
        writer = csv.DictWriter(buffer, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
