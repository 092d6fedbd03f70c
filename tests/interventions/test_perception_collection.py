"""Collecting perception answers: anonymous, consented, versioned, and a resend never
doubles; the three channels and the ladder of permissions on every page."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from interventions.models import PerceptionResponse, Wave
from interventions.perception import sampling, services
from interventions.perception.index import respondent_score
from tests.factories import UserFactory
from tests.interventions.perception_helpers import QUESTIONS, answer, setup_survey

pytestmark = pytest.mark.django_db


def _post(wave: Wave, key: uuid.UUID, **extra: str) -> dict[str, str]:
    data = {
        "client_uuid": str(key),
        "version": str(wave.questionnaire.number),
        "consent": "on",
        "q_confianza": "4",
        "q_seguridad": "5",
        "q_participa": "2",
        "q_cuidar": "4",
        "q_uso": "3",
    }
    data.update(extra)
    return data


def test_sample_size_uses_the_finite_population_correction():
    # n0 = 1.96² · 0.25 / 0.05² = 384.16; N = 41,000 → 380.6 → 381.
    assert sampling.sample_size(population=41000, margin_percent=5, confidence=95) == 381
    # A small sector needs far fewer than n0: 384.16 / (1 + 383.16 / 500) = 217.5 → 218.
    assert sampling.sample_size(population=500, margin_percent=5, confidence=95) == 218
    assert sampling.sample_size(population=41000, margin_percent=10, confidence=95) == 96
    assert sampling.sample_size(population=10, margin_percent=5, confidence=99) == 10


def test_the_sampling_plan_warns_of_under_sampled_sectors(santa_anita):
    wave = setup_survey(santa_anita)
    first = santa_anita.sectors.order_by("number").first()
    for _ in range(3):
        answer(wave, 4, sector=first)
    plan = sampling.plan(wave)
    assert [q.population for q in plan] == [4000, 3000, 2000, 1000, 500]
    assert plan[0].collected == 3
    assert plan[0].quota == sampling.sample_size(population=4000, margin_percent=10, confidence=95)
    assert all(q.under_sampled for q in plan)


def test_a_resent_answer_is_recorded_once(santa_anita):
    wave = setup_survey(santa_anita)
    key = uuid.uuid4()
    first = answer(wave, 4, client_uuid=key)
    again = answer(wave, 2, client_uuid=key)
    assert first.pk == again.pk
    assert PerceptionResponse.objects.count() == 1
    assert PerceptionResponse.objects.get().answers["confianza"] == 4


def test_answers_need_consent_and_an_open_wave(santa_anita):
    wave = setup_survey(santa_anita)
    data = services.Answer(
        client_uuid=uuid.uuid4(), answers={"confianza": 3}, collected_on=timezone.localdate()
    )
    with pytest.raises(ValidationError):
        services.perception_response_record(
            wave=wave, answer=data, channel="public", consented=False
        )
    services.wave_set_open(actor=None, wave=wave, is_open=False)
    with pytest.raises(ValidationError):
        services.perception_response_record(
            wave=wave, answer=data, channel="public", consented=True
        )
    assert not PerceptionResponse.objects.exists()


def test_an_answer_keeps_the_version_it_answered(santa_anita):
    wave = setup_survey(santa_anita)
    old = answer(wave, 4)
    newer = services.questionnaire_publish(
        district=santa_anita,
        title="Encuesta v2",
        consent_text="Anónima.",
        questions=[*QUESTIONS, services.QuestionData("nueva", "trust", "agreement", "Nueva", True)],
        by=None,
    )
    assert newer.number == 2
    old.refresh_from_db()
    assert old.version.number == 1
    # A phone that loaded v2 answers v2 in the same wave; the wave keeps v1 for new forms.
    response, _ = services.perception_response_record(
        wave=wave,
        answer=services.Answer(
            client_uuid=uuid.uuid4(),
            answers={"nueva": 5, "confianza": 5},
            collected_on=timezone.localdate(),
            version_number=2,
        ),
        channel="volunteer",
        consented=True,
    )
    assert response.version == newer
    assert wave.questionnaire.number == 1


def test_the_respondent_score_rescales_and_needs_half_of_the_items():
    codes = ["a", "b", "c", "d"]
    assert respondent_score({"a": 5, "b": 5, "c": 1, "d": 1}, codes) == Decimal("50.0")
    assert respondent_score({"a": 4, "b": 4}, codes) == Decimal("75.0")
    assert respondent_score({"a": 4}, codes) is None


def test_nothing_personal_is_stored_with_an_answer():
    names = {f.name for f in PerceptionResponse._meta.get_fields()}
    assert not names & {"name", "phone", "email", "user", "collected_by", "ip", "address"}


# --- Channels ------------------------------------------------------------------------------


def test_a_volunteer_phone_posts_json_and_a_resend_does_not_double(client, santa_anita):
    wave = setup_survey(santa_anita)
    client.force_login(UserFactory(role="surveyor"))
    url = reverse("interventions:perception-collect", args=[wave.pk])
    key = uuid.uuid4()
    first = client.post(url, _post(wave, key), HTTP_ACCEPT="application/json")
    again = client.post(url, _post(wave, key), HTTP_ACCEPT="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert PerceptionResponse.objects.filter(wave=wave, channel="volunteer").count() == 1
    refused = client.post(
        url, _post(wave, uuid.uuid4(), consent=""), HTTP_ACCEPT="application/json"
    )
    assert refused.status_code == 400


def test_the_kiosk_shows_a_blank_form_after_each_respondent(client, santa_anita):
    wave = setup_survey(santa_anita)
    client.force_login(UserFactory(role="coordinator"))
    url = reverse("interventions:perception-kiosk", args=[wave.pk])
    response = client.post(url, _post(wave, uuid.uuid4(), q_confianza="1"), follow=True)
    page = response.content.decode()
    assert "¡Gracias!" in page
    assert 'value="1" checked' not in page
    assert "checked" not in page
    assert PerceptionResponse.objects.filter(channel="kiosk").count() == 1


def test_the_public_link_accepts_residents_and_flags_a_second_answer_from_the_same_browser(
    client, santa_anita
):
    wave = setup_survey(santa_anita)
    url = reverse("interventions:perception-public", args=[wave.public_token])
    page = client.get(url).content.decode()
    assert "Anónima y voluntaria." in page
    assert "correo" not in page.split("<form")[1].split("</form>")[0].lower().replace(
        "ni correo", ""
    )
    assert client.post(url, _post(wave, uuid.uuid4())).status_code == 200
    assert client.post(url, _post(wave, uuid.uuid4())).status_code == 200
    flags = list(
        PerceptionResponse.objects.filter(channel="public")
        .order_by("pk")
        .values_list("duplicate_suspected", flat=True)
    )
    assert flags == [False, True]
    services.wave_set_open(actor=None, wave=wave, is_open=False)
    assert "cerrada" in client.get(url).content.decode()


# --- Permission ladder --------------------------------------------------------------------


@pytest.mark.ladder("interventions:perception-collect", "interventions:perception-kiosk")
@pytest.mark.parametrize("name", ["perception-collect", "perception-kiosk"])
def test_collection_pages_ladder(client, santa_anita, other_district, name):
    wave = setup_survey(santa_anita)
    url = reverse(f"interventions:{name}", args=[wave.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login
    client.force_login(UserFactory(role="resident"))
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(role="surveyor"))
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(role="surveyor", district=other_district))
    assert client.get(url).status_code == 404


@pytest.mark.ladder(
    "interventions:perception-manage",
    "interventions:perception-questionnaire",
    "interventions:impact-references",
)
@pytest.mark.parametrize(
    "name", ["perception-manage", "perception-questionnaire", "impact-references"]
)
def test_coordination_pages_ladder(client, santa_anita, other_district, name):
    wave = setup_survey(santa_anita)
    url = reverse(f"interventions:{name}")
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(role="surveyor"))
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(role="coordinator"))
    page = client.get(url)
    assert page.status_code == 200
    client.force_login(UserFactory(role="coordinator", district=other_district))
    other = client.get(url)
    # Another district's coordinator works on their own district's survey, never this one.
    assert other.status_code == 200
    assert str(wave.public_token) not in other.content.decode()
    if name == "perception-manage":
        assert str(wave.public_token) in page.content.decode()


@pytest.mark.ladder("interventions:perception-wave-toggle", "interventions:perception-population")
def test_wave_toggle_and_population_ladder(client, santa_anita, other_district):
    wave = setup_survey(santa_anita)
    toggle = reverse("interventions:perception-wave-toggle", args=[wave.pk])
    sector = santa_anita.sectors.first()
    population = reverse("interventions:perception-population", args=[sector.pk])
    data = {
        f"s{sector.pk}-population": "1234",
        f"s{sector.pk}-source": "INEI",
        f"s{sector.pk}-year": "2025",
    }
    assert client.post(toggle).status_code == 302
    assert "/login" in client.post(toggle)["Location"]
    client.force_login(UserFactory(role="surveyor"))
    assert client.post(toggle).status_code == 403
    assert client.post(population, data).status_code == 403
    client.force_login(UserFactory(role="coordinator", district=other_district))
    assert client.post(toggle).status_code == 404
    assert client.post(population, data).status_code == 404
    client.force_login(UserFactory(role="coordinator"))
    client.post(toggle)
    client.post(population, data)
    wave.refresh_from_db()
    sector.refresh_from_db()
    assert not wave.is_open
    assert sector.population.population == 1234


def test_a_coordinator_publishes_a_new_version_from_the_page(client, santa_anita):
    setup_survey(santa_anita)
    client.force_login(UserFactory(role="coordinator"))
    url = reverse("interventions:perception-questionnaire")
    data = {
        "title": "Encuesta v2",
        "consent_text": "Anónima.",
        "note": "Nueva pregunta",
        "q-TOTAL_FORMS": "2",
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "1000",
        "q-0-code": "confianza",
        "q-0-text": "Confío en mis vecinos.",
        "q-0-dimension": "trust",
        "q-0-scale": "agreement",
        "q-0-in_index": "on",
        "q-1-code": "cuidar",
        "q-1-text": "Cuidaría el parque.",
        "q-1-dimension": "willingness",
        "q-1-scale": "agreement",
    }
    assert client.post(url, data).status_code == 302
    from interventions.models import QuestionnaireVersion

    latest = QuestionnaireVersion.objects.filter(district=santa_anita).order_by("-number").first()
    assert latest.number == 2
    assert [q.code for q in latest.questions.all()] == ["confianza", "cuidar"]


def test_a_coordinator_creates_a_wave(client, santa_anita):
    setup_survey(santa_anita)
    client.force_login(UserFactory(role="coordinator"))
    response = client.post(
        reverse("interventions:perception-wave-create"),
        {
            "name": "Seguimiento 2027",
            "kind": "follow_up",
            "starts_on": "2027-01-10",
            "ends_on": "2027-02-10",
            "margin_of_error": "5",
            "confidence": "95",
        },
    )
    assert response.status_code == 302
    assert Wave.objects.filter(name="Seguimiento 2027", margin_of_error=5).exists()


def test_the_collection_worker_keeps_the_list_the_forms_and_every_file_they_load(
    client, santa_anita
):
    import re

    from django.templatetags.static import static

    from interventions.perception.views import PERCEPTION_WORKER_STATIC

    wave = setup_survey(santa_anita)
    client.force_login(UserFactory(role="surveyor"))
    script = client.get(reverse("interventions:perception-sw")).content.decode()
    pattern = re.search(r"const FORM = /(.+)/;", script).group(1).replace("\\/", "/")
    assert re.fullmatch(pattern, reverse("interventions:perception-collect", args=[wave.pk]))
    assert f'const LIST = "{reverse("interventions:perception-collect-list")}";' in script
    loaded: set[str] = set()
    for url in (
        reverse("interventions:perception-collect-list"),
        reverse("interventions:perception-collect", args=[wave.pk]),
    ):
        page = client.get(url).content.decode()
        loaded |= set(re.findall(r'"(/static/[^"]+\.(?:css|js))"', page))
    kept = set(re.findall(r'^  "(/static/[^"]+)",$', script, re.MULTILINE))
    assert loaded <= kept
    assert kept == {static(name) for name in PERCEPTION_WORKER_STATIC}


@pytest.mark.ladder(
    "interventions:perception-wave-create",
    "interventions:impact-plan-save",
    "interventions:perception-collect-list",
)
def test_wave_creation_years_and_collection_list_ladder(client, santa_anita, other_district):
    setup_survey(santa_anita)
    create = reverse("interventions:perception-wave-create")
    wave = {
        "name": "Ola de prueba",
        "kind": "follow_up",
        "starts_on": "2027-01-10",
        "ends_on": "2027-02-10",
        "margin_of_error": "5",
        "confidence": "95",
    }
    plan = reverse("interventions:impact-plan-save")
    years = {"first_year": "2024", "results_year": "2024"}
    listing = reverse("interventions:perception-collect-list")
    assert "/cuentas/login/" in client.post(create, wave)["Location"]
    assert "/cuentas/login/" in client.post(plan, years)["Location"]
    assert "/cuentas/login/" in client.get(listing)["Location"]
    client.force_login(UserFactory(role="resident"))
    assert client.post(create, wave).status_code == 403
    assert client.post(plan, years).status_code == 403
    assert client.get(listing).status_code == 403
    # Another district's coordinator acts on their own district only (no questionnaire
    # there: the wave is refused), and sees none of Santa Anita's waves to collect.
    client.force_login(UserFactory(role="coordinator", district=other_district))
    client.post(create, wave)
    client.post(plan, years)
    assert not Wave.objects.filter(name="Ola de prueba").exists()
    from interventions.models import ImpactPlan

    assert not ImpactPlan.objects.filter(district=santa_anita).exists()
    assert "Línea de base" not in client.get(listing).content.decode()
    client.force_login(UserFactory(role="coordinator"))
    assert client.post(create, wave).status_code == 302
    assert client.post(plan, years).status_code == 302
    assert Wave.objects.get(name="Ola de prueba").district == santa_anita
    santa_anita.refresh_from_db()
    assert santa_anita.impact_plan.results_year == 2024
    assert "Línea de base" in client.get(listing).content.decode()


@pytest.mark.ladder(
    "interventions:perception-results",
    "interventions:open-data",
    "interventions:perception-public",
    "interventions:open-data-dataset",
    "interventions:perception-sw",
)
def test_public_pages_open_without_an_account(client, santa_anita):
    wave = setup_survey(santa_anita)
    for url in (
        reverse("interventions:perception-results", args=[santa_anita.slug]),
        reverse("interventions:open-data"),
        reverse("interventions:perception-public", args=[wave.public_token]),
        reverse("interventions:open-data-dataset", args=[santa_anita.slug, "cohesion", "csv"]),
        reverse("interventions:perception-sw"),
    ):
        assert client.get(url).status_code == 200, url
    missing = reverse("interventions:open-data-dataset", args=[santa_anita.slug, "otros", "csv"])
    assert client.get(missing).status_code == 404
