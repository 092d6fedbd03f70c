"""Fundraising events: coordinators create them, invite companies and record who came."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from interventions.models import FundraisingEvent, Invitation
from interventions.services.events import event_invite
from platform_app.models import User
from tests.factories import UserFactory
from tests.factories import signed_in as _login
from tests.factories_interventions import CompanyFactory, FundraisingEventFactory

pytestmark = pytest.mark.django_db

EVENT_LINK = re.compile(r'href="/eventos-de-recaudacion/\d+/"')


def _t(msgid: str) -> str:
    """The text as the page shows it (Spanish first), whether or not it is translated yet."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(msgid)


class _FormReader(HTMLParser):
    """What a browser would send from the form that contains ``marker`` as it is shown."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker
        self.forms: list[list[tuple[str, str]]] = []
        self.select: str | None = None
        self.option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append([])
        elif tag == "input" and self.forms and "name" in a:
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self.forms[-1].append((a["name"], a.get("value", "on")))
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.forms[-1].append((self.select, a["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None

    def data(self) -> dict[str, str]:
        for fields in self.forms:
            if any(name == self.marker for name, _value in fields):
                return dict(fields)
        raise AssertionError(f"no form with {self.marker}")


def _shown_form(html: str, marker: str) -> dict[str, str]:
    reader = _FormReader(marker)
    reader.feed(html)
    return reader.data()


def _row(data: dict[str, str], invitation: Invitation) -> str:
    """The formset prefix of the row of ``invitation`` ("answers-0")."""
    return next(
        k.removesuffix("-id")
        for k, v in data.items()
        if k.endswith("-id") and not k.startswith("initial-") and v == str(invitation.pk)
    )


# --- who may see and change events -------------------------------------------------------


@pytest.mark.ladder("interventions:event-list", "interventions:event-detail")
@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 302), ("resident", 403), ("desk", 403), ("surveyor", 403), ("coordinator", 200)],
)
def test_event_pages_ladder(client, role, expected):
    event = FundraisingEventFactory()
    if role:
        _login(client, role)
    assert client.get(reverse("interventions:event-list")).status_code == expected
    # An event is a 404 to whoever may not see events, like a pledge.
    detail = client.get(reverse("interventions:event-detail", args=[event.pk])).status_code
    assert detail == (404 if expected == 403 else expected)
    response = client.post(reverse("interventions:event-list"), {"name": "X", "date": "2026-05-01"})
    assert response.status_code == (302 if role == "coordinator" else expected)
    assert FundraisingEvent.objects.count() == (2 if role == "coordinator" else 1)


@pytest.mark.ladder("interventions:event-detail", "interventions:event-invite")
def test_another_districts_coordinator_neither_sees_nor_manages_the_event(client, other_district):
    event = FundraisingEventFactory(name="Desayuno de Santa Anita")
    company = CompanyFactory()
    _login(client, "coordinator", district=other_district)
    listed = client.get(reverse("interventions:event-list")).content.decode()
    assert "Desayuno de Santa Anita" not in listed
    url = reverse("interventions:event-detail", args=[event.pk])
    assert client.get(url).status_code == 404
    assert client.post(_invite_url(event), {"invite-companies": [company.pk]}).status_code == 404
    assert not Invitation.objects.exists()


def _colleague() -> User:
    """Another coordinator of the district, acting through the services."""
    return UserFactory(role="coordinator")


def _invite_url(event: FundraisingEvent) -> str:
    return reverse("interventions:event-invite", args=[event.pk])


def _answers_url(event: FundraisingEvent) -> str:
    return reverse("interventions:event-answers", args=[event.pk])


# --- list, empty state, pagination, creation ---------------------------------------------


def test_event_list_has_an_empty_state_and_pages(client):
    _login(client, "coordinator")
    url = reverse("interventions:event-list")
    assert _t("No fundraising events yet.") in client.get(url).content.decode()
    for n in range(25):
        FundraisingEventFactory(name=f"Evento {n:02d}", date=date(2026, 1, 1) + timedelta(days=n))
    first = client.get(url).content.decode()
    assert len(EVENT_LINK.findall(first)) == 20
    assert "Evento 24" in first  # newest first
    assert 'rel="next"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert len(EVENT_LINK.findall(second)) == 5
    assert "Evento 00" in second


def test_coordinator_creates_an_event_once_even_if_the_form_is_sent_twice(client, santa_anita):
    _login(client, "coordinator")
    url = reverse("interventions:event-list")
    data = {
        "name": "Desayuno empresarial",
        "date": "2026-03-10",
        "place": "Municipalidad",
        "once": uuid.uuid4().hex,
    }
    response = client.post(url, data)
    event = FundraisingEvent.objects.get()
    assert response["Location"] == reverse("interventions:event-detail", args=[event.pk])
    assert (event.district, event.place) == (santa_anita, "Municipalidad")
    client.post(url, data)  # a double tap
    assert FundraisingEvent.objects.count() == 1
    assert "Desayuno empresarial" in client.get(url).content.decode()


def test_an_event_without_a_date_is_refused_and_keeps_what_was_typed(client):
    _login(client, "coordinator")
    response = client.post(
        reverse("interventions:event-list"), {"name": "Desayuno", "place": "Club Zonal"}
    )
    assert response.status_code == 200
    assert "date" in response.context["form"].errors
    assert 'value="Club Zonal"' in response.content.decode()
    assert not FundraisingEvent.objects.exists()


# --- invitations and attendance ------------------------------------------------------------


def test_coordinator_invites_companies_and_a_company_is_invited_once(client):
    event = FundraisingEventFactory()
    first, second = CompanyFactory(name="Alfa S.A."), CompanyFactory(name="Beta S.A.")
    _login(client, "coordinator")
    url = reverse("interventions:event-detail", args=[event.pk])
    assert _t("No company has been invited yet.") in client.get(url).content.decode()
    response = client.post(_invite_url(event), {"invite-companies": [first.pk, second.pk]})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Alfa S.A." in page
    assert "Beta S.A." in page
    assert _t("Every company of the district is already invited.") in page
    # Sent again (a stale page): refused with a message, no second invitation.
    again = client.post(_invite_url(event), {"invite-companies": [first.pk]})
    assert again.status_code == 200
    assert again.context["invite_form"].errors
    assert event_invite(actor=_colleague(), event=event, companies=[first]) == 0
    assert Invitation.objects.filter(event=event).count() == 2
    assert set(Invitation.objects.values_list("status", "attended")) == {("invited", False)}


def test_an_invitation_sent_twice_invites_once_and_shows_no_error(client):
    event = FundraisingEventFactory()
    first, second = CompanyFactory(name="Alfa S.A."), CompanyFactory(name="Beta S.A.")
    _login(client, "coordinator")
    url = reverse("interventions:event-detail", args=[event.pk])
    assert client.get(url).content.decode().count('name="once"') == 2  # invite, edit
    data = {"invite-companies": [first.pk, second.pk], "once": uuid.uuid4().hex}
    assert client.post(_invite_url(event), data)["Location"] == url
    # A double tap: the second copy names companies the form no longer offers.
    again = client.post(_invite_url(event), data, follow=True)
    assert again.redirect_chain == [(url, 302)]
    assert not again.context["invite_form"].errors  # no "1 is not one of the choices"
    assert set(Invitation.objects.values_list("company__name", flat=True)) == {
        "Alfa S.A.",
        "Beta S.A.",
    }


def test_answers_sent_twice_are_recorded_once_and_show_no_error(client):
    event = FundraisingEventFactory()
    company = CompanyFactory(name="Alfa S.A.")
    event_invite(actor=_colleague(), event=event, companies=[company])
    _login(client, "coordinator")
    url = reverse("interventions:event-detail", args=[event.pk])
    data = _shown_form(client.get(url).content.decode(), "answers-TOTAL_FORMS")
    assert "once" in data
    data[f"{_row(data, Invitation.objects.get())}-attended"] = "on"
    assert client.post(_answers_url(event), data)["Location"] == url
    again = client.post(_answers_url(event), data, follow=True)
    assert again.redirect_chain == [(url, 302)]
    shown = [str(m) for m in again.context["messages"]]
    assert _t("This form had already been sent; it was recorded once.") in shown
    assert Invitation.objects.get().attended


def test_companies_of_another_district_cannot_be_invited(client, other_district):
    from django.core.exceptions import ValidationError

    event = FundraisingEventFactory()
    foreign = CompanyFactory(district=other_district)
    _login(client, "coordinator")
    assert client.post(_invite_url(event), {"invite-companies": [foreign.pk]}).status_code == 200
    with pytest.raises(ValidationError):
        event_invite(actor=_colleague(), event=event, companies=[foreign])
    assert not Invitation.objects.exists()


def test_coordinator_records_answers_and_attendance(client):
    event = FundraisingEventFactory()
    came, stayed_away = CompanyFactory(name="Alfa S.A."), CompanyFactory(name="Beta S.A.")
    event_invite(actor=_colleague(), event=event, companies=[came, stayed_away])
    _login(client, "coordinator")
    url = reverse("interventions:event-detail", args=[event.pk])
    data = _shown_form(client.get(url).content.decode(), "answers-TOTAL_FORMS")
    row = _row(data, Invitation.objects.get(company=came))
    other = _row(data, Invitation.objects.get(company=stayed_away))
    data[f"{row}-status"] = "confirmed"
    data[f"{row}-attended"] = "on"
    data[f"{other}-status"] = "declined"
    assert client.post(_answers_url(event), data).status_code == 302
    assert Invitation.objects.get(company=came).status == "confirmed"
    assert Invitation.objects.get(company=came).attended
    assert Invitation.objects.get(company=stayed_away).status == "declined"
    assert not Invitation.objects.get(company=stayed_away).attended
    listed = client.get(reverse("interventions:event-list")).context["events"][0]
    assert (listed.invited_count, listed.confirmed_count, listed.attended_count) == (2, 1, 1)


def test_two_coordinators_ticking_different_companies_keep_both_ticks(client):
    event = FundraisingEventFactory()
    first, second = CompanyFactory(name="Alfa S.A."), CompanyFactory(name="Beta S.A.")
    event_invite(actor=_colleague(), event=event, companies=[first, second])
    _login(client, "coordinator")
    url = reverse("interventions:event-detail", args=[event.pk])
    data = _shown_form(client.get(url).content.decode(), "answers-TOTAL_FORMS")
    # A colleague ticks the second company while this page is open.
    Invitation.objects.filter(company=second).update(attended=True, status="confirmed")
    data[f"{_row(data, Invitation.objects.get(company=first))}-attended"] = "on"
    assert client.post(_answers_url(event), data).status_code == 302
    assert Invitation.objects.get(company=first).attended
    second_invitation = Invitation.objects.get(company=second)
    assert (second_invitation.status, second_invitation.attended) == ("confirmed", True)


@pytest.mark.ladder("interventions:event-answers", "interventions:event-invite")
def test_a_user_who_may_only_read_events_cannot_record_attendance(client):
    from django.contrib.auth.models import Permission

    event = FundraisingEventFactory()
    company = CompanyFactory()
    event_invite(actor=_colleague(), event=event, companies=[company])
    reader = _login(client)
    reader.user_permissions.add(Permission.objects.get(codename="view_fundraisingevent"))
    url = reverse("interventions:event-detail", args=[event.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="invite-companies"' not in page.content.decode()
    data = _shown_form(page.content.decode(), "answers-TOTAL_FORMS")
    data[f"{_row(data, Invitation.objects.get())}-attended"] = "on"
    assert client.post(_answers_url(event), data).status_code == 403
    assert (
        client.post(_invite_url(event), {"invite-companies": [CompanyFactory().pk]}).status_code
        == 403
    )
    assert not Invitation.objects.get().attended
    assert Invitation.objects.count() == 1


# --- query counts -------------------------------------------------------------------------


def test_event_page_query_count_does_not_grow_with_the_invitations(client):
    event = FundraisingEventFactory()
    _login(client, "coordinator")
    url = reverse("interventions:event-detail", args=[event.pk])

    def grow(n):
        companies = [CompanyFactory() for _ in range(n)]
        event_invite(actor=_colleague(), event=event, companies=companies)
        CompanyFactory()  # and one more not yet invited, in the invitation form

    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(20)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
    assert large.captured_queries  # sanity: the context captured the request


def test_event_list_query_count_does_not_grow_with_the_events(client):
    _login(client, "coordinator")
    url = reverse("interventions:event-list")

    def grow(n):
        for _ in range(n):
            event_invite(
                actor=_colleague(), event=FundraisingEventFactory(), companies=[CompanyFactory()]
            )

    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(20)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


# --- API ----------------------------------------------------------------------------------


@pytest.mark.ladder("fundraising-event-list")
def test_api_lists_events_to_the_districts_coordinators_only(client, other_district):
    event = FundraisingEventFactory(name="Desayuno empresarial")
    event_invite(actor=_colleague(), event=event, companies=[CompanyFactory(name="Alfa S.A.")])
    Invitation.objects.update(attended=True)
    url = "/api/fundraising-events/"

    assert client.get(url).status_code in (401, 403)
    for role, district, expected in (
        ("resident", None, 0),
        ("coordinator", other_district, 0),
        ("coordinator", None, 1),
    ):
        user = UserFactory(role=role)
        if district is not None:
            user.district = district
            user.save()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response.json()["count"] == expected
    [row] = response.json()["results"]
    assert row["name"] == "Desayuno empresarial"
    assert row["district"] == "150137"
    assert [(i["company"], i["attended"]) for i in row["invitations"]] == [("Alfa S.A.", True)]
    # Read-only: writes go through the pages and their services.
    assert client.post(url, {"name": "Otro"}).status_code == 405


def test_api_events_query_count_does_not_grow_with_events_and_invitations(client):
    client.force_login(UserFactory(role="coordinator"))
    url = "/api/fundraising-events/"

    def grow(n):
        for _ in range(n):
            companies = [CompanyFactory() for _ in range(3)]
            event_invite(actor=_colleague(), event=FundraisingEventFactory(), companies=companies)

    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).json()["count"] == 2
    grow(10)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url).json()
    assert response["count"] == 12
    assert sum(len(row["invitations"]) for row in response["results"]) == 36
    assert len(large) == len(small)
