"""The social-cohesion index: equal to a plain computation over the exported anonymized
answers, weighted by sector population, compared with the baseline, and never a figure of
fewer than five respondents in a public page, export or the API."""

from __future__ import annotations

import csv
import io
import json
import math
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interventions import dashboard
from interventions.perception.index import cohesion_by_district
from tests.interventions.perception_helpers import POPULATIONS, answer, setup_survey

pytestmark = pytest.mark.django_db

# Per sector: (cohesive answers at level 5, not cohesive at level 2); the fifth sector has
# only three answers, below the minimum cell.
MIX = [(12, 8), (6, 9), (5, 5), (3, 7), (2, 1)]


def _fill(wave, district):
    for sector, (good, bad) in zip(district.sectors.order_by("number"), MIX, strict=True):
        for n in range(good):
            answer(wave, 5, sector=sector, age_band="30_44", sex="female" if n % 2 else "male")
        for _ in range(bad):
            answer(wave, 2, sector=sector, age_band="60_plus", sex="female")


def _recompute(csv_text: str, dictionary: dict) -> tuple[float, float, float]:
    """The index the plain way, from the published CSV and dictionary alone."""
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    index_codes = {
        v["number"]: [q["code"] for q in v["questions"] if q["in_index"]]
        for v in dictionary["questionnaire_versions"]
    }
    population = {str(p["sector"]): p["population"] for p in dictionary["sector_populations"]}
    per_sector: dict[str, list[bool]] = {}
    for row in rows:
        values = [int(row[c]) for c in index_codes[int(row["questionnaire_version"])] if row[c]]
        score = sum((v - 1) * 25 for v in values) / len(values)
        if row["sector"]:
            per_sector.setdefault(row["sector"], []).append(score >= 62.5)
    strata = [(population[s], flags) for s, flags in per_sector.items() if len(flags) >= 5]
    total = sum(n for n, _ in strata)
    p = sum(n / total * sum(f) / len(f) for n, f in strata)
    var = sum(
        (n / total) ** 2
        * (1 - len(f) / n)
        * (sum(f) / len(f))
        * (1 - sum(f) / len(f))
        / (len(f) - 1)
        for n, f in strata
    )
    return p * 100, (p - 1.96 * math.sqrt(var)) * 100, (p + 1.96 * math.sqrt(var)) * 100


def test_the_published_index_equals_a_plain_computation_over_the_exported_answers(
    client, santa_anita
):
    wave = setup_survey(santa_anita)
    _fill(wave, santa_anita)
    exported = client.get(
        reverse("interventions:open-data-dataset", args=[santa_anita.slug, "respuestas", "csv"])
    ).content.decode()
    dictionary = client.get(
        reverse("interventions:open-data-dataset", args=[santa_anita.slug, "diccionario", "json"])
    ).json()
    percent, low, high = _recompute(exported, dictionary)
    published = cohesion_by_district([santa_anita.pk])[santa_anita.pk]
    assert float(published.percent) == pytest.approx(percent, abs=0.05)
    assert float(published.low) == pytest.approx(low, abs=0.05)
    assert float(published.high) == pytest.approx(high, abs=0.05)
    # Weighted by population, not by answers: the plain share of answers differs.
    assert published.percent != Decimal(round(26 / 58 * 100, 1))
    page = client.get(reverse("interventions:perception-results", args=[santa_anita.slug]))
    assert f"{published.percent} %" in page.content.decode()


def test_no_public_figure_or_export_rests_on_fewer_than_five_respondents(client, santa_anita):
    wave = setup_survey(santa_anita)
    _fill(wave, santa_anita)
    fifth = santa_anita.sectors.order_by("number").last()
    page = client.get(reverse("interventions:perception-results", args=[santa_anita.slug]))
    text = page.content.decode()
    assert "menos de 5 respuestas" in text
    assert fifth.name in text.split("fuera del cálculo")[1][:300]  # left out of the district
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse(
                        "interventions:open-data-dataset",
                        args=[santa_anita.slug, "respuestas", "csv"],
                    )
                ).content.decode()
            )
        )
    )
    assert len(rows) == sum(g + b for g, b in MIX)
    assert str(fifth.number) not in {r["sector"] for r in rows}  # three answers: blanked
    # A (sector, age band, sex) group of fewer than five loses its age band and sex.
    groups: dict[tuple[str, str, str], int] = {}
    for row in rows:
        key = (row["sector"], row["age_band"], row["sex"])
        groups[key] = groups.get(key, 0) + 1
    assert all(n >= 5 for (_s, age, _sex), n in groups.items() if age)
    cohesion = client.get(
        reverse("interventions:open-data-dataset", args=[santa_anita.slug, "cohesion", "json"])
    ).json()
    fifth_row = next(r for r in cohesion if r["area"] == fifth.name)
    assert fifth_row["percent"] is None
    assert fifth_row["answers"] is None
    assert all(r["answers"] is None or r["answers"] >= 5 for r in cohesion)
    api = client.get("/api/cohesion/").json()
    assert all(r["answers"] is None or r["answers"] >= 5 for r in api["results"])
    results = client.get(reverse("interventions:results")).content.decode()
    fifth_cell = results.split(f'data-sector="{fifth.number}"')[1].split("</tr>")[0]
    assert "menos de 5 respuestas" in fifth_cell


def test_exports_and_api_carry_no_personal_data(client, santa_anita):
    wave = setup_survey(santa_anita)
    _fill(wave, santa_anita)
    exported = client.get(
        reverse("interventions:open-data-dataset", args=[santa_anita.slug, "respuestas", "csv"])
    ).content.decode()
    header = exported.splitlines()[0].split(",")
    assert header[:9] == [
        "wave",
        "wave_kind",
        "questionnaire_version",
        "channel",
        "collected_month",
        "sector",
        "age_band",
        "sex",
        "public_space",
    ]
    assert not {"client_uuid", "id", "email", "phone", "name", "collected_on"} & set(header)
    api = client.get("/api/perception-answers/").json()
    assert api["count"] == sum(g + b for g, b in MIX)
    assert len(api["results"]) == 50  # paginated
    assert set(api["results"][0]) == {
        "wave",
        "wave_kind",
        "questionnaire_version",
        "channel",
        "collected_month",
        "sector",
        "age_band",
        "sex",
        "public_space",
        "cohesion_score",
        "cohesive",
        "answers",
    }
    schema = client.get("/api/schema/").content.decode()
    assert "/api/perception-answers/" in schema
    assert "/api/cohesion/" in schema
    listing = client.get(reverse("interventions:open-data")).content.decode()
    for name in ("indicadores", "cohesion", "respuestas", "diccionario"):
        assert f"/{santa_anita.slug}/{name}." in listing
    indicators = json.loads(
        client.get(
            reverse(
                "interventions:open-data-dataset", args=[santa_anita.slug, "indicadores", "json"]
            )
        ).content
    )
    assert {"cohesion", "organizations", "improved_spaces", "private_share"} <= {
        r["indicator"] for r in indicators
    }


def test_the_index_is_compared_with_the_baseline_on_the_dashboard(client, santa_anita):
    from interventions.models import Wave
    from interventions.perception import services

    baseline = setup_survey(santa_anita)
    _fill(baseline, santa_anita)
    follow_up = services.wave_create(
        actor=None,
        district=santa_anita,
        name="Seguimiento",
        kind=Wave.Kind.FOLLOW_UP,
        questionnaire=baseline.questionnaire,
        starts_on=baseline.ends_on,
        ends_on=baseline.ends_on,
    )
    for sector in santa_anita.sectors.order_by("number")[:3]:
        for _ in range(8):
            answer(follow_up, 5, sector=sector)
        answer(follow_up, 2, sector=sector)
    latest = cohesion_by_district([santa_anita.pk])[santa_anita.pk]
    assert latest.wave_name == "Seguimiento"
    assert latest.baseline is not None
    assert latest.baseline.wave_name == "Línea de base"
    assert latest.change > 0
    row = (
        client.get(reverse("interventions:results"))
        .content.decode()
        .split('data-target="cohesion"')[1]
        .split("</tr>")[0]
    )
    assert f"{latest.percent}%" in row
    assert "Línea de base (Línea de base)" in row
    assert "60%" in row


def test_the_index_reads_a_fixed_number_of_queries(santa_anita):
    wave = setup_survey(santa_anita)
    _fill(wave, santa_anita)
    with CaptureQueriesContext(connection) as small:
        dashboard.figures_by_district([santa_anita.pk])
    _fill(wave, santa_anita)
    with CaptureQueriesContext(connection) as large:
        dashboard.figures_by_district([santa_anita.pk])
    assert len(small) == len(large)
    assert sum(POPULATIONS) > 0


def test_a_space_page_shows_its_neighbours_cohesion_before_and_after_its_intervention(
    client, santa_anita
):
    from datetime import timedelta

    from django.utils import timezone

    from interventions.models import Wave
    from interventions.perception import services
    from tests.factories_interventions import InterventionFactory
    from tests.factories_mapping import PublicSpaceFactory

    today = timezone.localdate()
    space, quiet = PublicSpaceFactory(name="Parque Las Gardenias"), PublicSpaceFactory()
    InterventionFactory(public_space=space, status="finished", starts_on=today)
    before = setup_survey(santa_anita)
    Wave.objects.filter(pk=before.pk).update(
        starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=30)
    )
    for level in (5, 5, 2, 2, 2):
        answer(before, level, public_space=space)
    for level in (5, 5, 5, 5):
        answer(before, level, public_space=quiet)  # four: below the minimum
    after = services.wave_create(
        actor=None,
        district=santa_anita,
        name="Después",
        kind="follow_up",
        questionnaire=before.questionnaire,
        starts_on=today,
        ends_on=today,
    )
    for level in (5, 5, 5, 5, 2):
        answer(after, level, public_space=space)
    page = client.get(reverse("mapping:space-detail", args=[space.pk])).content.decode()
    panel = page.split("data-space-cohesion")[1].split("</section>")[0]
    assert 'data-moment="before"' in panel
    assert "40.0 %" in panel.split('data-moment="before"')[1].split("</tr>")[0]
    assert "80.0 %" in panel.split('data-moment="after"')[1].split("</tr>")[0]
    quiet_page = client.get(reverse("mapping:space-detail", args=[quiet.pk])).content.decode()
    assert "data-space-cohesion" not in quiet_page


def test_the_results_api_states_each_definition_and_what_is_in_progress(client, santa_anita):
    payload = client.get(f"/api/results/{santa_anita.ubigeo}/").json()
    targets = {t["key"]: t for t in payload["targets"]}
    assert "cohesion" in targets
    assert targets["organizations"]["definition"]
    assert "in_progress" in targets["interventions"]


def test_a_new_answer_shows_at_once_in_the_kept_open_data(client, santa_anita):
    wave = setup_survey(santa_anita)
    _fill(wave, santa_anita)
    url = "/api/perception-answers/"
    assert client.get(url).json()["count"] == 58
    answer(wave, 4)
    assert client.get(url).json()["count"] == 59
