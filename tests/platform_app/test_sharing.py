"""Link previews and the public calendar: what a chat app and a calendar app read."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from festival.models import WorkshopSession
from interventions.models import Activity, Intervention
from platform_app.models import Meeting
from tests.factories_festival import build_festival, santa_anita
from tests.factories_interventions import InterventionFactory
from tests.factories_mapping import PublicSpaceFactory

pytestmark = pytest.mark.django_db


class _MetaTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        key = values.get("property") or values.get("name")
        if tag == "meta" and key and values.get("content") is not None:
            self.tags.setdefault(key, values["content"] or "")


def preview(client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    parser = _MetaTags()
    parser.feed(response.content.decode())
    return parser.tags


def test_a_shared_registration_form_link_shows_its_own_preview(client):
    tags = preview(client, reverse("platform_app:organization-register"))
    assert tags["og:title"] == "Inscribe a tu organización"
    assert "no necesitas una cuenta" in tags["og:description"].lower()
    assert tags["og:url"] == "http://testserver/organizaciones/inscripcion/"
    assert tags["og:image"].startswith("http://testserver/static/")
    assert tags["og:image"].endswith("share.png")
    assert tags["twitter:card"] == "summary_large_image"


def test_festival_board_results_and_space_pages_carry_their_names(client):
    festival = build_festival(teams=1, judges=1)
    space = PublicSpaceFactory(name="Parque Los Ficus", slug="los-ficus")
    pages = {
        reverse("festival:home"): festival.edition.name,
        reverse("festival:board", args=[festival.stage.pk]): festival.stage.name,
        reverse("festival:results"): festival.edition.name,
        reverse("mapping:space-detail", args=[space.pk]): "Parque Los Ficus",
    }
    for url, name in pages.items():
        tags = preview(client, url)
        assert name in tags["og:title"], url
        assert tags["og:url"] == f"http://testserver{url}"
        assert tags["og:image"].startswith("http://testserver/")


def test_a_page_without_its_own_preview_falls_back_to_the_platform(client):
    tags = preview(client, reverse("platform_app:district-list"))
    assert tags["og:title"] == "Espacios Públicos de Santa Anita"
    assert tags["og:description"]
    assert tags["og:image"].endswith("share.png")


def test_public_calendar_lists_the_districts_public_events_for_calendar_apps(client):
    festival = build_festival(teams=1, judges=1)
    district = santa_anita()
    start = timezone.now() + timedelta(days=10)
    WorkshopSession.objects.create(
        edition=festival.edition, title="Producción de eventos", starts_at=start, place="Casa"
    )
    Meeting.objects.create(
        district=district,
        title="Sesión de junio",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Municipalidad",
    )
    Meeting.objects.create(
        district=district,
        kind=Meeting.Kind.EXTRAORDINARY,
        title="Sesión virtual",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        video_url="https://meet.example/x",
    )
    intervention = InterventionFactory(
        title="Parque renovado", public_space=PublicSpaceFactory(slug="renovado")
    )
    InterventionFactory(
        title="Cancelada",
        status=Intervention.Status.CANCELLED,
        public_space=PublicSpaceFactory(slug="cancelada"),
    )
    Activity.objects.create(
        intervention=intervention,
        kind=Activity.Kind.WORKSHOP,
        date=start.date(),
        who="Vecinos",
        what="Diseño participativo",
    )

    response = client.get(reverse("interventions:public-calendar"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    assert festival.stage.name in " ".join(events)
    assert "Taller: Producción de eventos" in events
    assert "Sesión de la plataforma: Sesión de junio" in events
    assert "Inicio de la intervención: Parque renovado" in events
    assert "Taller: Parque renovado" in events
    # Virtual sessions keep their call link private; cancelled interventions are not held.
    assert not any("virtual" in summary or "Cancelada" in summary for summary in events)
    assert all(event["uid"] and event["dtstart"] for event in events.values())
    assert len({str(event["uid"]) for event in events.values()}) == len(events)


def test_public_pages_link_the_calendar(client):
    response = client.get(reverse("home"))
    assert reverse("interventions:public-calendar").encode() in response.content
