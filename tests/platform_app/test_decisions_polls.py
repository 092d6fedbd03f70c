"""Public polls of residents: a coordinator publishes one, each signed-in account answers
once, the results by sector are public, and the API shows them without personal data."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from platform_app.decisions.models import Poll, PollAnswer
from platform_app.decisions.results import poll_results
from platform_app.decisions.services import (
    AlreadyAnsweredError,
    PollOptionData,
    poll_answer,
    poll_close,
    poll_create,
)
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_platform import platform_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def festival_poll(santa_anita) -> Poll:
    one, two = santa_anita.sectors.get(number=1), santa_anita.sectors.get(number=2)
    return poll_create(
        district=santa_anita,
        title="Escenarios del festival",
        question="¿Qué espacio de tu sector recibe el escenario?",
        decision="La plataforma elige un espacio por sector.",
        options=[
            PollOptionData(label="Parque Los Ficus", sector=one),
            PollOptionData(label="Losa Santa Rosa", sector=one),
            PollOptionData(label="Parque Central", sector=two),
        ],
        created_by=platform_admin(),
    )


def _option(poll: Poll, label: str):
    return poll.options.get(label=label)


def test_an_account_answers_once_and_results_count_by_sector(festival_poll, santa_anita):
    one, two = santa_anita.sectors.get(number=1), santa_anita.sectors.get(number=2)
    ficus, losa, central = (
        _option(festival_poll, label)
        for label in ("Parque Los Ficus", "Losa Santa Rosa", "Parque Central")
    )
    answers = [(ficus, one), (ficus, one), (losa, two), (central, two), (central, None)]
    residents = [UserFactory() for _ in answers]
    for resident, (option, sector) in zip(residents, answers, strict=True):
        poll_answer(poll=festival_poll, user=resident, option=option, sector=sector)
    with pytest.raises(AlreadyAnsweredError):
        poll_answer(poll=festival_poll, user=residents[0], option=losa, sector=one)

    results = poll_results(festival_poll)
    assert results.totals == [2, 1, 2]
    by_sector = {row.label: row.counts for row in results.by_resident_sector}
    assert by_sector[one.name] == [2, 0, 0]
    assert by_sector[two.name] == [0, 1, 1]
    assert by_sector["Sector no indicado"] == [0, 0, 1]
    leading = {group.label: [o.label for o in group.leading] for group in results.by_option_sector}
    assert leading == {one.name: ["Parque Los Ficus"], two.name: ["Parque Central"]}


def test_a_closed_poll_takes_no_answer(festival_poll):
    poll_close(poll=festival_poll, actor=platform_admin())
    with pytest.raises(ValidationError, match="cerrada"):
        poll_answer(
            poll=festival_poll,
            user=UserFactory(),
            option=festival_poll.options.first(),
            sector=None,
        )


def test_a_poll_needs_two_options_of_the_districts_sectors(santa_anita, other_district):
    with pytest.raises(ValidationError):
        poll_create(
            district=santa_anita,
            title="t",
            question="q",
            decision="",
            options=[PollOptionData(label="Solo una")],
            created_by=platform_admin(),
        )
    foreign = other_district.sectors.first()
    if foreign is not None:
        with pytest.raises(ValidationError):
            poll_create(
                district=santa_anita,
                title="t",
                question="q",
                decision="",
                options=[PollOptionData(label="A", sector=foreign), PollOptionData(label="B")],
                created_by=platform_admin(),
            )


def test_anyone_reads_the_results_and_only_a_signed_in_account_answers(client, festival_poll):
    url = reverse("platform_app:poll-detail", args=[festival_poll.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Inicia sesión para responder" in page.content.decode()
    answer_url = reverse("platform_app:poll-answer", args=[festival_poll.pk])
    option = festival_poll.options.first().pk
    response = client.post(answer_url, {"option": option})
    assert reverse("account_login") in response["Location"]
    assert not PollAnswer.objects.exists()

    resident = UserFactory(role=Role.RESIDENT)
    client.force_login(resident)
    response = client.post(answer_url, {"option": option}, follow=True)
    assert "Gracias, tu respuesta ha sido registrada." in response.content.decode()
    assert "Ya respondiste esta consulta. Gracias." in response.content.decode()
    response = client.post(answer_url, {"option": option}, follow=True)
    assert "Ya respondiste esta consulta." in response.content.decode()
    assert PollAnswer.objects.count() == 1
    # Residents neither publish nor close polls.
    assert (
        client.post(reverse("platform_app:poll-close", args=[festival_poll.pk])).status_code == 403
    )
    assert client.get(reverse("platform_app:poll-create")).status_code == 403


def test_a_coordinator_publishes_a_poll_from_the_form_and_closes_it(
    client, coordinator, santa_anita
):
    sector = santa_anita.sectors.get(number=3)
    data = {
        "title": "Escenario del sector 3",
        "question": "¿Dónde va el escenario?",
        "decision": "",
        "options-TOTAL_FORMS": "6",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "20",
        "options-0-label": "Parque San Carlos",
        "options-0-sector": str(sector.pk),
        "options-1-label": "Losa Las Vertientes",
        "options-1-sector": str(sector.pk),
    }
    response = client.post(reverse("platform_app:poll-create"), data)
    poll = Poll.objects.get()
    assert response["Location"] == reverse("platform_app:poll-detail", args=[poll.pk])
    assert [(o.label, o.sector) for o in poll.options.all()] == [
        ("Parque San Carlos", sector),
        ("Losa Las Vertientes", sector),
    ]
    listing = client.get(reverse("platform_app:poll-list", args=[santa_anita.slug]))
    assert "Escenario del sector 3" in listing.content.decode()
    client.post(reverse("platform_app:poll-close", args=[poll.pk]))
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED


@pytest.mark.ladder("platform_app:poll-close")
def test_another_districts_coordinator_may_not_close_a_poll(client, festival_poll, other_district):
    client.force_login(UserFactory(role=Role.COORDINATOR, district=other_district))
    assert (
        client.post(reverse("platform_app:poll-close", args=[festival_poll.pk])).status_code == 403
    )
    assert Poll.objects.get().is_open


def test_the_poll_api_gives_results_by_sector_without_personal_data(client, festival_poll):
    resident = UserFactory(email="vecina@example.org", first_name="Rosa")
    poll_answer(
        poll=festival_poll,
        user=resident,
        option=_option(festival_poll, "Parque Central"),
        sector=festival_poll.district.sectors.get(number=2),
    )
    listing = client.get("/api/polls/")
    assert listing.status_code == 200
    detail = client.get(f"/api/polls/{festival_poll.pk}/").json()
    assert [(o["label"], o["sector"], o["answers"]) for o in detail["options"]] == [
        ("Parque Los Ficus", 1, 0),
        ("Losa Santa Rosa", 1, 0),
        ("Parque Central", 2, 1),
    ]
    second = festival_poll.district.sectors.get(number=2).name
    assert {"sector": second, "counts": [0, 0, 1]} in detail["by_resident_sector"]
    body = listing.content.decode() + str(detail)
    assert "vecina@example.org" not in body
    assert "Rosa" not in body.replace("Losa Santa Rosa", "")


def test_the_menus_polls_link_leads_anyone_to_the_districts_polls(client, festival_poll):
    home = client.get("/").content.decode()
    assert reverse("platform_app:poll-index") in home
    page = client.get(reverse("platform_app:poll-index"), follow=True)
    assert "Escenarios del festival" in page.content.decode()
