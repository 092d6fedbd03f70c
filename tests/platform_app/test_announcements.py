"""Announcements: coordinators publish news on the public pages and send it to consenting
people of one segment, each on their own channel."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from platform_app.messaging.models import Channel, Consent, MessagingProfile, Purpose
from platform_app.models import Delivery
from platform_app.outreach import services
from platform_app.outreach.models import Announcement
from platform_app.permissions import Role
from tests.factories import UserFactory
from tests.factories_registry import ContactFactory, OrganizationFactory
from tests.imagefiles import png_bytes

pytestmark = pytest.mark.django_db


def published(district, **extra) -> Announcement:
    return services.announcement_create(
        district=district,
        title=extra.pop("title", "Feria en el parque"),
        text="Traigan a sus familias.",
        actor=UserFactory(role=Role.COORDINATOR),
        publish=extra.pop("publish", True),
        **extra,
    )


def test_an_announcement_segmented_to_one_sector_reaches_only_its_consenting_people(
    santa_anita, django_capture_on_commit_callbacks
):
    sector_1, sector_2 = santa_anita.sectors.order_by("number")[:2]
    in_sector = ContactFactory(
        organization=OrganizationFactory(sector=sector_1, messages_consent=True),
        email="vecina@uno.example",
    )
    ContactFactory(
        organization=OrganizationFactory(sector=sector_1, messages_consent=False),
        email="sin-consentimiento@uno.example",
    )
    ContactFactory(
        organization=OrganizationFactory(sector=sector_2, messages_consent=True),
        email="otro-sector@dos.example",
    )
    announcement = published(santa_anita)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.announcement_send(
            announcement=announcement, actor=announcement.created_by, sector=sector_1
        )

    assert (result.scheduled, result.reached, result.without_consent) == (1, 1, 1)
    assert [message.to for message in mail.outbox] == [[in_sector.email]]
    assert "Feria en el parque" in mail.outbox[0].subject
    announcement.refresh_from_db()
    assert announcement.recipients_count == 1
    assert announcement.segment_sector == sector_1


def test_sending_again_writes_to_nobody_twice_and_a_refusal_wins(
    santa_anita, django_capture_on_commit_callbacks
):
    organization = OrganizationFactory(messages_consent=True)
    ContactFactory(organization=organization, email="a@uno.example")
    refused = ContactFactory(organization=organization, email="b@uno.example")
    Consent.objects.create(
        channel=Channel.EMAIL,
        address=refused.email,
        purpose=Purpose.ANNOUNCEMENTS,
        allowed=False,
        source="test",
    )
    announcement = published(santa_anita)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.announcement_send(announcement=announcement, actor=announcement.created_by)
        again = services.announcement_send(announcement=announcement, actor=announcement.created_by)
    assert (first.scheduled, again.scheduled) == (1, 0)
    assert [message.to for message in mail.outbox] == [["a@uno.example"]]


def test_a_role_reaches_accounts_that_said_yes_on_their_own_channel(santa_anita):
    texting = UserFactory(role=Role.MEMBER)
    MessagingProfile.objects.create(user=texting, phone="+51987000111", channel=Channel.SMS)
    Consent.objects.create(
        channel=Channel.SMS,
        address="+51987000111",
        purpose=Purpose.ANNOUNCEMENTS,
        allowed=True,
        source="test",
    )
    UserFactory(role=Role.MEMBER)  # never said yes
    emailed = UserFactory(role=Role.SURVEYOR)  # said yes, but another role
    Consent.objects.create(
        channel=Channel.EMAIL,
        address=emailed.email,
        purpose=Purpose.ANNOUNCEMENTS,
        allowed=True,
        source="test",
    )
    announcement = published(santa_anita)

    result = services.announcement_send(
        announcement=announcement, actor=announcement.created_by, role=Role.MEMBER
    )

    assert (result.reached, result.without_consent) == (1, 1)
    delivery = Delivery.objects.get(kind="announcement.news")
    assert (delivery.channel, delivery.recipient) == (Channel.SMS, "+51987000111")


def test_a_role_and_a_sector_together_are_refused(santa_anita):
    announcement = published(santa_anita)
    with pytest.raises(ValidationError, match="rol"):
        services.announcement_send(
            announcement=announcement,
            actor=announcement.created_by,
            role=Role.MEMBER,
            sector=santa_anita.sectors.first(),
        )


def test_home_and_district_pages_show_published_news_only(client, santa_anita):
    published(santa_anita, title="Gran limpieza del parque")
    published(santa_anita, title="Borrador interno", publish=False)
    for url in (reverse("home"), reverse("platform_app:district-detail", args=[santa_anita.slug])):
        page = client.get(url).content.decode()
        assert "Gran limpieza del parque" in page
        assert "Borrador interno" not in page


def test_the_kept_home_page_shows_news_as_soon_as_it_is_published_or_withdrawn(
    client, santa_anita, django_capture_on_commit_callbacks
):
    assert "Gran limpieza del parque" not in client.get(reverse("home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        news = published(santa_anita, title="Gran limpieza del parque")
    assert "Gran limpieza del parque" in client.get(reverse("home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_withdraw(announcement=news, actor=news.created_by)
    assert "Gran limpieza del parque" not in client.get(reverse("home")).content.decode()


def test_the_api_shows_drafts_to_coordinators_only(client, santa_anita):
    published(santa_anita, title="Pública")
    draft = published(santa_anita, title="Borrador", publish=False)
    api = APIClient()
    titles = [row["title"] for row in _rows(api.get("/api/announcements/").json())]
    assert titles == ["Pública"]
    assert api.get(f"/api/announcements/{draft.pk}/").status_code == 404
    api.force_authenticate(UserFactory(role=Role.COORDINATOR))
    titles = {row["title"] for row in _rows(api.get("/api/announcements/").json())}
    assert titles == {"Pública", "Borrador"}


def _rows(payload):
    return payload["results"] if isinstance(payload, dict) else payload


def test_writing_and_sending_are_for_coordinators(client, santa_anita, other_district):
    create = reverse("platform_app:announcement-create")
    assert client.get(create).status_code == 302
    client.force_login(UserFactory(role=Role.MEMBER))
    assert client.get(create).status_code == 403
    announcement = published(santa_anita)
    send = reverse("platform_app:announcement-send", args=[announcement.pk])
    assert client.post(send, {}).status_code == 403
    client.force_login(UserFactory(role=Role.COORDINATOR, district=other_district))
    assert client.post(send, {}).status_code == 403
    draft = published(santa_anita, publish=False)
    detail = reverse("platform_app:announcement-detail", args=[draft.pk])
    assert client.get(detail).status_code == 404


def test_a_coordinator_publishes_with_an_image_checked_by_the_file_rules(client, santa_anita):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    url = reverse("platform_app:announcement-create")
    refused = client.post(
        url,
        {
            "title": "Con imagen falsa",
            "text": "Texto",
            "image": SimpleUploadedFile("foto.png", b"no soy una imagen", "image/png"),
            "publish": "on",
        },
    )
    assert refused.status_code == 200
    assert not Announcement.objects.exists()
    response = client.post(
        url,
        {
            "title": "Con imagen",
            "text": "Texto",
            "event_date": "2026-12-20",
            "image": SimpleUploadedFile("foto.png", png_bytes(), "image/png"),
            "publish": "on",
        },
    )
    announcement = Announcement.objects.get()
    assert response.status_code == 302
    assert announcement.is_published
    assert announcement.image
    page = client.get(reverse("platform_app:announcement-detail", args=[announcement.pk]))
    assert announcement.image.url in page.content.decode()
    assert 'property="og:image" content="http://testserver' in page.content.decode()


def test_a_person_subscribes_and_then_a_role_sending_reaches_them(client, santa_anita):
    member = UserFactory(role=Role.MEMBER)
    client.force_login(member)
    client.post(reverse("platform_app:announcement-subscription"), {"subscribe": "yes"})
    announcement = published(santa_anita)

    result = services.announcement_send(
        announcement=announcement, actor=announcement.created_by, role=Role.MEMBER
    )
    assert result.reached == 1

    client.post(reverse("platform_app:announcement-subscription"), {"subscribe": "no"})
    delivery = Delivery.objects.get(kind="announcement.news")
    assert delivery.recipient == member.email
    assert delivery.status == Delivery.Status.CANCELLED
