"""The registry, member and news pages and their API on the permission ladder: an anonymous
visitor, the wrong role, the right role of another district and the right role here. Another
district's staff never learn what this district holds: its records answer 404 to them."""

from __future__ import annotations

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from platform_app.models import DataRequest, Invitation, Member, Organization, RegistryImport
from platform_app.outreach.models import Announcement
from platform_app.outreach.services import (
    announcement_create,
    announcement_send,
    announcement_withdraw,
)
from platform_app.permissions import Role
from platform_app.services.members import (
    INVITATION_SALT,
    member_feed_token_reset,
    member_invite,
    member_update,
)
from platform_app.services.registry import (
    ContactData,
    organization_register,
    organization_update,
    organization_verify,
)
from platform_app.services.registry_imports import registry_import_start
from platform_app.services.rights import data_request_answer
from tests.factories import UserFactory
from tests.factories_platform import MemberFactory
from tests.factories_registry import CampaignFactory, ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

PENDING_NAME = "Taller Pendiente de Santa Anita"


@pytest.fixture
def here(santa_anita, other_district):
    """Santa Anita's records, with the desk open in both districts (a closed desk answers
    403 before any record is looked up)."""
    CampaignFactory()
    CampaignFactory(district=other_district)
    pending = OrganizationFactory(
        name=PENDING_NAME, status=Organization.Status.PENDING, registration_code="SA-2026-0042"
    )
    ContactFactory(organization=pending)
    data_request = DataRequest.objects.create(
        district=santa_anita,
        kind=DataRequest.Kind.ACCESS,
        name="Vecina",
        email="vecina@example.org",
        status=DataRequest.Status.OPEN,
        confirmed_at=timezone.now(),
    )
    job = RegistryImport.objects.create(
        district=santa_anita,
        actor=UserFactory(role=Role.COORDINATOR),
        token="a" * 32,
        source="lista.xlsx",
        status=RegistryImport.Status.DONE,
        report={"rows": []},
    )
    return {"pending": pending, "data_request": data_request, "job": job}


def _as(client, role: Role | None, district=None):
    client.logout()
    if role is None:
        return None
    user = UserFactory(role=role, **({"district": district} if district else {}))
    client.force_login(user)
    return user


def _to_login(response) -> bool:
    return response.status_code == 302 and "/cuentas/login/" in response["Location"]


# --- Pages of the user's own district ------------------------------------------------------

OWN_DISTRICT_PAGES = [
    ("platform_app:desk", (), {}, Role.DESK, Role.SURVEYOR),
    ("platform_app:desk-search", (), {"name": "Taller Pendiente"}, Role.DESK, Role.SURVEYOR),
    ("platform_app:desk-counter", (), {}, Role.DESK, Role.SURVEYOR),
    ("platform_app:verification-list", (), {}, Role.COORDINATOR, Role.DESK),
    ("platform_app:registry-export", ("csv",), {}, Role.COORDINATOR, Role.DESK),
    ("platform_app:data-request-list", (), {}, Role.COORDINATOR, Role.DESK),
    ("platform_app:registry-import", (), {}, Role.COORDINATOR, Role.DESK),
    ("platform_app:member-list", (), {}, Role.COORDINATOR, Role.RESIDENT),
    ("platform_app:platform-home", (), {}, Role.MEMBER, Role.RESIDENT),
    ("platform_app:announcement-create", (), {}, Role.COORDINATOR, Role.MEMBER),
]


@pytest.mark.ladder(
    "platform_app:desk",
    "platform_app:desk-search",
    "platform_app:desk-counter",
    "platform_app:verification-list",
    "platform_app:registry-export",
    "platform_app:data-request-list",
    "platform_app:registry-import",
    "platform_app:member-list",
    "platform_app:platform-home",
    "platform_app:announcement-create",
)
@pytest.mark.parametrize(("name", "args", "query", "right", "wrong"), OWN_DISTRICT_PAGES)
def test_pages_of_a_district_are_for_its_own_staff(
    client, here, other_district, name, args, query, right, wrong
):
    url = reverse(name, args=args)
    assert _to_login(client.get(url, query))
    _as(client, wrong)
    assert client.get(url, query).status_code == 403
    # Staff of Ate reach their own district's page, which shows nothing of Santa Anita.
    _as(client, right, other_district)
    elsewhere = client.get(url, query)
    assert elsewhere.status_code == 200
    assert PENDING_NAME not in b"".join(elsewhere).decode()
    _as(client, right)
    assert client.get(url, query).status_code == 200


# --- Records addressed by code, id or token ------------------------------------------------

RECORD_PAGES = [
    ("platform_app:desk-edit", "pending", Role.DESK, Role.SURVEYOR),
    ("platform_app:desk-receipt", "pending", Role.DESK, Role.SURVEYOR),
    ("platform_app:verification-detail", "pending", Role.COORDINATOR, Role.DESK),
    ("platform_app:data-request-detail", "data_request", Role.COORDINATOR, Role.DESK),
    ("platform_app:registry-import-progress", "job", Role.COORDINATOR, Role.DESK),
]


def _key(record) -> str:
    if isinstance(record, Organization):
        return record.registration_code
    if isinstance(record, RegistryImport):
        return record.token
    return str(record.pk)


@pytest.mark.ladder(
    "platform_app:desk-edit",
    "platform_app:desk-receipt",
    "platform_app:verification-detail",
    "platform_app:data-request-detail",
    "platform_app:registry-import-progress",
)
@pytest.mark.parametrize(("name", "record", "right", "wrong"), RECORD_PAGES)
def test_a_districts_records_are_404_to_another_districts_staff(
    client, here, other_district, name, record, right, wrong
):
    url = reverse(name, args=[_key(here[record])])
    assert _to_login(client.get(url))
    _as(client, wrong)
    assert client.get(url).status_code == 403
    _as(client, right, other_district)
    assert client.get(url).status_code == 404
    _as(client, right)
    assert client.get(url).status_code == 200


@pytest.mark.ladder("platform_app:organization-detail", "platform_app:organization-edit")
def test_only_an_organizations_representatives_edit_it(client, here, other_district):
    public = OrganizationFactory(name="Club Visible", registration_code="SA-2026-0043")
    representative = UserFactory(role=Role.REPRESENTATIVE)
    public.representatives.add(representative)
    pending = here["pending"]
    pending.representatives.add(representative)
    edit = reverse("platform_app:organization-edit", args=[public.registration_code])
    hidden_edit = reverse("platform_app:organization-edit", args=[pending.registration_code])
    hidden_detail = reverse("platform_app:organization-detail", args=[pending.registration_code])
    assert _to_login(client.get(edit))
    assert client.get(hidden_detail).status_code == 404  # pending: not in the directory
    _as(client, Role.RESIDENT)
    assert client.get(edit).status_code == 403  # the public record is visible, not theirs
    assert client.get(hidden_edit).status_code == 404
    # Staff of Ate see Santa Anita's public records only, and change none.
    _as(client, Role.DESK, other_district)
    assert client.get(hidden_detail).status_code == 404
    assert client.get(edit).status_code == 403
    client.force_login(representative)
    assert client.get(edit).status_code == 200
    assert client.get(hidden_edit).status_code == 200
    assert PENDING_NAME in client.get(hidden_detail).content.decode()


@pytest.mark.ladder("platform_app:member-preferences")
def test_reminder_preferences_are_the_members_own(client, other_district):
    url = reverse("platform_app:member-preferences")
    member = MemberFactory()
    data = {"reset_feed": "1"}
    assert _to_login(client.post(url, data))
    _as(client, Role.RESIDENT)
    assert client.post(url, data).status_code == 403
    # A member of Ate's platform has no membership here to renew: their own, if any.
    _as(client, Role.MEMBER, other_district)
    assert client.post(url, data).status_code == 404
    old = member.feed_token
    client.force_login(member.user)
    assert client.post(url, data).status_code == 302
    member.refresh_from_db()
    assert member.feed_token != old


@pytest.mark.ladder("platform_app:member-feed")
def test_the_calendar_feed_opens_with_its_secret_address_only(client):
    member = MemberFactory()
    assert client.get(reverse("platform_app:member-feed", args=["guessed"])).status_code == 404
    # The address is the credential: no sign-in, and a member who left loses it.
    response = client.get(reverse("platform_app:member-feed", args=[member.feed_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    member.status = member.Status.LEFT
    member.save()
    assert (
        client.get(reverse("platform_app:member-feed", args=[member.feed_token])).status_code == 404
    )


@pytest.mark.ladder("platform_app:invitation-accept")
def test_an_invitation_joins_only_the_account_it_was_sent_to(client, santa_anita):
    invited = UserFactory(email="vecina@example.org")
    invitation = Invitation.objects.create(
        district=santa_anita, email=invited.email, sector="community", age_group="adult"
    )
    token = signing.dumps(invitation.pk, salt=INVITATION_SALT)
    url = reverse("platform_app:invitation-accept", args=[token])
    assert client.get(reverse("platform_app:invitation-accept", args=["forged"])).status_code == (
        404
    )
    assert _to_login(client.get(url))  # the account exists: sign in with it first
    # Anyone else, a coordinator included, gets the "wrong account" page.
    for role in (Role.RESIDENT, Role.COORDINATOR):
        _as(client, role)
        assert client.post(url).status_code == 403
    assert not Member.objects.exists()
    client.force_login(invited)
    assert client.post(url).status_code == 302
    assert Member.objects.get().user == invited


# --- News ----------------------------------------------------------------------------------


def _announcement(district, *, published: bool) -> Announcement:
    return Announcement.objects.create(
        district=district,
        title="Borrador" if not published else "Feria del parque",
        text="Texto.",
        created_by=UserFactory(role=Role.COORDINATOR, district=district),
        published_at=timezone.now() if published else None,
    )


@pytest.mark.ladder("platform_app:announcement-detail", "announcement-detail")
def test_a_draft_is_known_only_to_its_districts_coordinators(client, santa_anita, other_district):
    draft = _announcement(santa_anita, published=False)
    page = reverse("platform_app:announcement-detail", args=[draft.pk])
    api = f"/api/announcements/{draft.pk}/"
    api_client = APIClient()
    assert client.get(page).status_code == 404
    assert api_client.get(api).status_code == 404
    for role, district in ((Role.MEMBER, None), (Role.COORDINATOR, other_district)):
        api_client.force_authenticate(_as(client, role, district))
        assert client.get(page).status_code == 404
        assert api_client.get(api).status_code == 404
    api_client.force_authenticate(_as(client, Role.COORDINATOR))
    assert client.get(page).status_code == 200
    assert api_client.get(api).status_code == 200


@pytest.mark.ladder(
    "platform_app:announcement-publish", "platform_app:announcement-send", "announcement-list"
)
def test_publishing_and_sending_are_for_the_districts_coordinators(
    client, santa_anita, other_district
):
    news = _announcement(santa_anita, published=True)
    publish = reverse("platform_app:announcement-publish", args=[news.pk])
    send = reverse("platform_app:announcement-send", args=[news.pk])
    withdraw = {"action": "withdraw"}
    assert _to_login(client.post(publish, withdraw))
    assert _to_login(client.post(send, {}))
    assert APIClient().get("/api/announcements/").json()["count"] == 1
    # Published news is public, so others see it: changing it is what they may not do.
    for role, district in ((Role.MEMBER, None), (Role.COORDINATOR, other_district)):
        _as(client, role, district)
        assert client.post(publish, withdraw).status_code == 403
        assert client.post(send, {}).status_code == 403
    news.refresh_from_db()
    assert news.published_at is not None
    assert news.sent_at is None
    _as(client, Role.COORDINATOR)
    assert client.post(send, {}).status_code == 302
    assert client.post(publish, withdraw).status_code == 302
    news.refresh_from_db()
    assert news.published_at is None
    assert news.sent_at is not None
    assert APIClient().get("/api/announcements/").json()["count"] == 0


@pytest.mark.ladder("platform_app:announcement-subscription")
def test_subscribing_to_news_needs_an_account(client):
    url = reverse("platform_app:announcement-subscription")
    assert _to_login(client.post(url, {"subscribe": "yes"}))
    # Any signed-in person decides for themselves; no role or district is asked.
    _as(client, Role.RESIDENT)
    assert client.post(url, {"subscribe": "yes"}).status_code == 302


# --- API --------------------------------------------------------------------------------


@pytest.mark.ladder(
    "platform-member-list", "platform-member-detail", "PATCH platform-member-detail"
)
def test_members_in_the_api_are_their_districts(santa_anita, other_district):
    member = MemberFactory(sector="youth")
    api = APIClient()
    detail = f"/api/platform/members/{member.pk}/"
    assert api.get("/api/platform/members/").status_code in (401, 403)
    assert api.patch(detail, {"sector": "culture"}, format="json").status_code in (401, 403)
    api.force_authenticate(UserFactory(role=Role.RESIDENT))
    assert api.get("/api/platform/members/").json()["count"] == 0
    assert api.get(detail).status_code == 404
    api.force_authenticate(MemberFactory().user)  # a member reads, does not change
    assert api.get(detail).status_code == 200
    assert api.patch(detail, {"sector": "culture"}, format="json").status_code == 403
    api.force_authenticate(UserFactory(role=Role.COORDINATOR, district=other_district))
    assert api.get("/api/platform/members/").json()["count"] == 0
    assert api.patch(detail, {"sector": "culture"}, format="json").status_code == 404
    api.force_authenticate(UserFactory(role=Role.COORDINATOR))
    assert api.patch(detail, {"sector": "culture"}, format="json").status_code == 200
    member.refresh_from_db()
    assert member.sector == "culture"


@pytest.mark.ladder("organization-list", "organization-detail")
def test_organizations_in_the_api_show_contacts_to_their_districts_staff_only(here, other_district):
    pending = here["pending"]
    detail = f"/api/organizations/{pending.registration_code}/"
    api = APIClient()
    assert api.get(detail).status_code == 404  # pending: not public
    assert "contacts" not in api.get("/api/organizations/").content.decode()
    api.force_authenticate(UserFactory(role=Role.RESIDENT))
    assert api.get(detail).status_code == 404
    api.force_authenticate(UserFactory(role=Role.COORDINATOR, district=other_district))
    assert api.get(detail).status_code == 404
    assert PENDING_NAME not in api.get("/api/organizations/").content.decode()
    api.force_authenticate(UserFactory(role=Role.COORDINATOR))
    record = api.get(detail).json()
    assert record["name"] == PENDING_NAME
    assert record["contacts"]


@pytest.mark.ladder("district-list", "district-detail", "sector-list", "sector-detail")
def test_districts_and_sectors_are_public_on_every_rung(santa_anita, other_district):
    sector = santa_anita.sectors.first()
    urls = (
        "/api/districts/",
        f"/api/districts/{santa_anita.ubigeo}/",
        "/api/sectors/",
        f"/api/sectors/{sector.pk}/",
    )
    api = APIClient()
    for user in (
        None,
        UserFactory(role=Role.RESIDENT),
        UserFactory(role=Role.COORDINATOR, district=other_district),
        UserFactory(role=Role.COORDINATOR),
    ):
        api.force_authenticate(user)
        for url in urls:
            assert api.get(url).status_code == 200, (user, url)
        # Read-only for everyone, coordinators included.
        assert api.post("/api/districts/", {}, format="json").status_code in (401, 403, 405)


# --- The services ask the same rules ------------------------------------------------------


def test_the_registry_services_refuse_whom_the_pages_refuse(here, santa_anita, other_district):
    """An API write or a task calling a service directly gets no further than the page."""
    pending = here["pending"]
    desk = UserFactory(role=Role.DESK)
    coordinator_of_ate = UserFactory(role=Role.COORDINATOR, district=other_district)
    refused = [
        lambda: organization_verify(
            organization=pending, actor=desk, decision=Organization.Status.VERIFIED
        ),
        lambda: organization_verify(
            organization=pending, actor=coordinator_of_ate, decision=Organization.Status.VERIFIED
        ),
        lambda: organization_update(
            organization=pending,
            fields={"name": "Otro nombre"},
            contact=None,
            actor=UserFactory(role=Role.RESIDENT),
            version=pending.version,
        ),
        lambda: organization_register(
            district=santa_anita,
            fields={"name": "Club en la mesa", "typology": Organization.Typology.SPORTS},
            contact=ContactData(name="Rosa", phone="+51987654321"),
            channel=Organization.Channel.DESK,
            submission_token=None,
            actor=UserFactory(role=Role.SURVEYOR),
        ),
        lambda: data_request_answer(
            data_request=here["data_request"], actor=coordinator_of_ate, answer="Hecho."
        ),
        lambda: registry_import_start(
            district=santa_anita, actor=desk, rows=[], source="lista.xlsx", dry_run=True
        ),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    pending.refresh_from_db()
    assert pending.status == Organization.Status.PENDING
    assert pending.name == PENDING_NAME
    assert not Organization.objects.filter(name="Club en la mesa").exists()
    # The right person goes through.
    organization_verify(
        organization=pending,
        actor=UserFactory(role=Role.COORDINATOR),
        decision=Organization.Status.VERIFIED,
    )
    pending.refresh_from_db()
    assert pending.status == Organization.Status.VERIFIED


def test_member_and_news_services_refuse_whom_the_pages_refuse(santa_anita, other_district):
    member = MemberFactory(sector="youth")
    coordinator_of_ate = UserFactory(role=Role.COORDINATOR, district=other_district)
    news = _announcement(santa_anita, published=True)
    refused = [
        lambda: member_update(member=member, fields={"sector": "culture"}, actor=member.user),
        lambda: member_update(
            member=member, fields={"sector": "culture"}, actor=coordinator_of_ate
        ),
        lambda: member_feed_token_reset(member=member, actor=UserFactory(role=Role.COORDINATOR)),
        lambda: member_invite(
            district=santa_anita,
            email="nueva@example.org",
            sector="youth",
            age_group="youth",
            invited_by=member.user,
            accept_url=lambda token: token,
        ),
        lambda: announcement_withdraw(announcement=news, actor=coordinator_of_ate),
        lambda: announcement_send(announcement=news, actor=member.user),
        lambda: announcement_create(
            district=santa_anita, title="Falsa", text="No.", actor=member.user
        ),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    member.refresh_from_db()
    news.refresh_from_db()
    assert member.sector == "youth"
    assert news.published_at is not None
    assert not Invitation.objects.exists()
    assert not Announcement.objects.filter(title="Falsa").exists()
