"""Messages on people's own channel: a phone-only member gets the meeting reminders by SMS
(through the real Twilio backend, against a local stand-in), STOP and the opt-out link stop
that purpose, receipts update the ledger, and the coordinators see the month's count."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from twilio.request_validator import RequestValidator

from platform_app.messaging import services as messaging
from platform_app.messaging.models import Channel, Consent, MessagingProfile, Purpose
from platform_app.models import Delivery, Organization
from platform_app.permissions import Role
from platform_app.services.ledger import delivery_schedule, delivery_send, reminders_scan
from platform_app.services.meetings import meeting_create, meeting_organizations_invite
from platform_app.services.registry import organization_verify
from santaanita.gateways import sms_segments
from tests.factories import UserFactory
from tests.factories_platform import MeetingFactory, MemberFactory, platform_admin
from tests.factories_registry import ContactFactory, OrganizationFactory
from tests.twilio_standin import TwilioStandin

LIMA = ZoneInfo("America/Lima")
T0 = datetime(2027, 3, 1, 10, 0, tzinfo=LIMA)
START = datetime(2027, 3, 9, 19, 0, tzinfo=LIMA)
PHONE = "+51987654321"
SITE = "https://plataforma.example.pe"
TOKEN = "secret-token"


@pytest.fixture
def standin():
    with (
        TwilioStandin() as server,
        override_settings(
            SMS_URL=server.url(),
            WHATSAPP_URL=server.url("from=%2B51100000001"),
            WHATSAPP_TEMPLATES={"meeting_reminder": "HX48"},
            SITE_URL=SITE,
            MESSAGING_CALLBACK_URL=f"{SITE}/messaging/twilio/status/",
        ),
    ):
        yield server


def _phone_only_member(phone: str = PHONE, channel: str = Channel.SMS):
    member = MemberFactory(user__email=f"sin-correo-{phone[1:]}@telefono.invalid")
    messaging.messaging_profile_set(user=member.user, phone=phone, channel=channel)
    return member


def _meeting(santa_anita):
    with time_machine.travel(T0, tick=False):
        return meeting_create(
            district=santa_anita,
            kind="ordinary",
            title="Sesión ordinaria de marzo",
            starts_at=START,
            ends_at=START + timedelta(hours=2),
            place="Parque Santa Rosa",
            agenda=["Informe de coordinación"],
            created_by=platform_admin(),
            now=T0,
        )


def _scan(at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        reminders_scan(now=at)


def _signed_post(client, path: str, params: dict[str, str]):
    url = SITE + path
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    return client.post(
        path,
        urlencode(params),
        "application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )


def _send(**fields) -> Delivery:
    """Schedule and send now, as the worker does once the scheduling transaction commits."""
    fields.setdefault("body", "")
    fields.setdefault("channel", Channel.SMS)
    delivery = delivery_schedule(**fields)
    delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def _to(standin: TwilioStandin, phone: str = PHONE) -> list[str]:
    return [r.form.get("Body", "") for r in standin.requests if r.form["To"].endswith(phone)]


@pytest.mark.django_db
def test_phone_only_member_gets_the_48h_reminder_once_and_nothing_after_stop(
    standin, santa_anita, client
):
    MemberFactory(user__email="keen@example.org")
    _phone_only_member()
    meeting = _meeting(santa_anita)
    _scan(T0)
    [convocation] = _to(standin)
    assert convocation.startswith("Convocatoria: ")

    _scan(START - timedelta(hours=48))
    _scan(START - timedelta(hours=47, minutes=59))  # the next scan finds nothing new
    reminders = _to(standin)[1:]
    assert len(reminders) == 1
    [reminder] = reminders
    assert reminder.startswith("Recordatorio: Sesion ordinaria de marzo (09/03/2027), 19:00")
    assert "Parque Santa Rosa" in reminder
    assert f"{SITE}/m/" in reminder
    assert "BAJA: " in reminder
    row = Delivery.objects.get(kind="meeting.reminder", recipient=PHONE)
    assert row.channel == Channel.SMS
    assert row.status == Delivery.Status.SENT
    assert row.segments == sms_segments(reminder) <= 2
    assert row.provider_id.startswith("SM")
    # The member with an email still gets theirs by email.
    assert {m.to[0] for m in mail.outbox} == {"keen@example.org"}

    response = _signed_post(
        client, "/messaging/twilio/inbound/", {"From": PHONE, "Body": "Baja", "To": "+5110"}
    )
    assert response.status_code == 200
    assert not messaging.consent_allows(
        channel=Channel.SMS, address=PHONE, purpose=Purpose.MEETINGS
    )
    _scan(START - timedelta(hours=2))
    assert len(_to(standin)) == 2  # no 2 h reminder by SMS
    assert len([m for m in mail.outbox if "Recordatorio" in m.subject]) == 2  # email goes on
    assert meeting.pk


@pytest.mark.ladder("messaging:twilio-inbound", "messaging:twilio-status")
@pytest.mark.django_db
def test_an_unsigned_webhook_changes_nothing(standin, client):
    # The provider's signature is the webhooks' only credential (the receipts' success is
    # tested below, signed).
    response = client.post(
        "/messaging/twilio/inbound/",
        {"From": PHONE, "Body": "STOP"},
        HTTP_X_TWILIO_SIGNATURE="forged",
    )
    assert response.status_code == 403
    assert not Consent.objects.exists()
    receipt = client.post(
        "/messaging/twilio/status/?key=x",
        {"MessageSid": "SM1", "MessageStatus": "delivered"},
        HTTP_X_TWILIO_SIGNATURE="forged",
    )
    assert receipt.status_code == 403


@pytest.mark.django_db
def test_receipts_move_the_delivery_to_delivered_or_failed(standin, client):
    first = _send(
        recipient=PHONE,
        kind="meeting.reminder",
        object_key="m:1",
        subject="Hola",
        body="",
        channel=Channel.SMS,
    )
    second = _send(
        recipient="+51987000111",
        kind="meeting.reminder",
        object_key="m:1",
        subject="Hola",
        body="",
        channel=Channel.SMS,
    )
    first.refresh_from_db()
    second.refresh_from_db()
    path = "/messaging/twilio/status/?key=" + first.message_key
    response = _signed_post(
        client, path, {"MessageSid": first.provider_id, "MessageStatus": "delivered"}
    )
    assert response.status_code == 204
    _signed_post(
        client,
        "/messaging/twilio/status/?key=" + second.message_key,
        {"MessageSid": second.provider_id, "MessageStatus": "undelivered", "ErrorCode": "30003"},
    )
    # A late "sent" receipt does not undo a final status.
    _signed_post(client, path, {"MessageSid": first.provider_id, "MessageStatus": "sent"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Delivery.Status.DELIVERED
    assert second.status == Delivery.Status.FAILED
    assert second.last_error == "30003"


@pytest.mark.django_db
def test_the_status_callback_names_the_ledger_row(standin):
    delivery = _send(
        recipient=PHONE,
        kind="meeting.reminder",
        object_key="m:2",
        subject="Hola",
        body="",
        channel=Channel.SMS,
    )
    [request] = standin.requests
    assert request.form["StatusCallback"] == (
        f"{SITE}/messaging/twilio/status/?key=delivery-{delivery.pk}"
    )


@pytest.mark.ladder("messaging:short-link", "messaging:opt-out")
@pytest.mark.django_db
def test_the_opt_out_link_asks_then_stops_that_purpose(standin, client):
    delivery = _send(
        recipient=PHONE,
        kind="agreement.due_soon",
        object_key="a:1",
        subject="Tu acuerdo vence mañana",
        body="",
        channel=Channel.SMS,
        link="/plataforma/",
    )
    token = messaging.link_token(delivery.pk)
    body = standin.requests[0].form["Body"]
    assert f"{SITE}/m/{token}/baja" in body

    assert client.get(f"/m/{token}").url == "/plataforma/"
    page = client.get(f"/m/{token}/baja")
    assert page.status_code == 200
    assert messaging.consent_allows(channel="sms", address=PHONE, purpose="agreements")
    client.post(f"/m/{token}/baja")
    assert not messaging.consent_allows(channel="sms", address=PHONE, purpose="agreements")
    # Other purposes, and the same purpose by email, are untouched.
    assert messaging.consent_allows(channel="sms", address=PHONE, purpose="meetings")
    assert client.get(f"/m/{token[:-1]}x/baja").status_code == 404

    later = _send(
        recipient=PHONE,
        kind="agreement.overdue",
        object_key="a:1",
        subject="Vencido",
        body="",
        channel=Channel.SMS,
    )
    later.refresh_from_db()
    assert later.status == Delivery.Status.CANCELLED
    assert len(standin.requests) == 1


@pytest.mark.django_db
def test_consent_is_checked_again_when_sending(standin):
    delivery = delivery_schedule(
        recipient=PHONE,
        kind="meeting.reminder",
        object_key="m:3",
        subject="Hola",
        body="",
        channel=Channel.SMS,
        send_at=datetime(2030, 1, 1, tzinfo=LIMA),
    )
    # Written directly, as a STOP arriving while the message waits in the queue.
    Consent.objects.create(
        channel="sms", address=PHONE, purpose="meetings", allowed=False, source="test"
    )
    Delivery.objects.filter(pk=delivery.pk).update(scheduled_for=timezone.now())
    assert delivery_send(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.CANCELLED
    assert standin.requests == []


@pytest.mark.django_db
def test_whatsapp_members_get_the_approved_template(standin, santa_anita):
    _phone_only_member(channel=Channel.WHATSAPP)
    _meeting(santa_anita)
    _scan(START - timedelta(hours=48))
    reminder = next(r.form for r in standin.requests if r.form.get("ContentSid") == "HX48")
    assert reminder["To"] == f"whatsapp:{PHONE}"
    assert reminder["From"] == "whatsapp:+51100000001"
    assert '"1": "Recordatorio: ' in reminder["ContentVariables"]
    assert f'"3": "{SITE}/m/' in reminder["ContentVariables"]


@pytest.mark.django_db
def test_a_refused_number_fails_at_once_without_retries(standin):
    standin.fail_with = 400
    delivery = _send(
        recipient=PHONE,
        kind="meeting.reminder",
        object_key="m:4",
        subject="Hola",
        body="",
        channel=Channel.SMS,
    )
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert len(standin.requests) == 1


@pytest.mark.django_db
def test_a_long_text_is_cut_to_two_segments_before_sending(standin):
    delivery = _send(
        recipient=PHONE,
        kind="meeting.reminder",
        object_key="m:5",
        subject="Reunión " + "muy larga " * 60,
        body="",
        channel=Channel.SMS,
        link="/x/",
    )
    delivery.refresh_from_db()
    sent = standin.requests[0].form["Body"]
    assert delivery.segments == sms_segments(sent) == 2
    assert "Reunion muy larga" in sent  # accents folded: GSM-7, not UCS-2


@pytest.mark.django_db
@override_settings(MESSAGES_PER_NUMBER_PER_DAY=2)
def test_a_number_gets_at_most_the_daily_limit(standin):
    for number in range(3):
        _send(
            recipient=PHONE,
            kind="meeting.reminder",
            object_key=f"m:{number}",
            subject="Hola",
            body="",
            channel=Channel.SMS,
        )
    assert len(standin.requests) == 2
    waiting = Delivery.objects.get(object_key="m:2")
    assert waiting.status == Delivery.Status.PENDING
    assert waiting.last_error == "daily limit for this number"


@pytest.mark.django_db
@override_settings(SMS_COST_PER_SEGMENT="0.20", WHATSAPP_COST_PER_MESSAGE="0.15")
def test_the_month_is_counted_and_priced_per_channel(standin):
    with time_machine.travel(T0, tick=False):
        _send(
            recipient=PHONE,
            kind="meeting.reminder",
            object_key="m:1",
            subject="Reunión " + "larga " * 40,
            body="",
            channel=Channel.SMS,
        )
        _send(
            recipient="+51987000111",
            kind="meeting.reminder",
            object_key="m:1",
            subject="Hola",
            body="",
            channel=Channel.WHATSAPP,
        )
    usage = {
        u.channel: u
        for u in messaging.messaging_usage(
            district_id=None, month_start=datetime(2027, 3, 1, tzinfo=LIMA)
        )
    }
    assert usage["sms"].messages == 1
    assert usage["sms"].segments == 2
    assert usage["sms"].cost == Decimal("0.40")
    assert usage["whatsapp"].cost == Decimal("0.15")
    assert usage["email"].messages == 0


@pytest.mark.django_db
def test_a_phone_only_contact_gets_the_typology_invitation_and_the_decision_by_sms(
    standin, santa_anita, django_capture_on_commit_callbacks
):
    organization = OrganizationFactory(typology="cultural", messages_consent=True)
    ContactFactory(organization=organization, email="", phone="987 654 321")
    ContactFactory(organization=organization, email="", phone="01 4567890")  # a landline
    pending = OrganizationFactory(status=Organization.Status.PENDING)
    ContactFactory(organization=pending, email="", phone="987654321")
    coordinator = UserFactory(role=Role.COORDINATOR)
    meeting = MeetingFactory(title="Taller de cultura viva")
    with django_capture_on_commit_callbacks(execute=True):
        result = meeting_organizations_invite(
            meeting=meeting, actor=coordinator, typology="cultural"
        )
        organization_verify(
            organization=pending, actor=coordinator, decision=Organization.Status.VERIFIED
        )
    assert result.emails == 1
    assert [r.form["To"] for r in standin.requests] == [PHONE, PHONE]
    invitation, decision = (r.form["Body"] for r in standin.requests)
    assert invitation.startswith("Invitacion: Taller de cultura viva")
    assert "verificad" in decision.lower()


@pytest.mark.ladder("messaging:usage")
@pytest.mark.django_db
def test_coordinators_see_the_month_count_and_cost_others_do_not(
    standin, client, santa_anita, other_district
):
    _send(
        recipient=PHONE,
        kind="meeting.reminder",
        object_key="m:1",
        subject="Hola",
        district=santa_anita,
    )
    url = "/plataforma/mensajes/"
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(role=Role.RESIDENT))
    assert client.get(url).status_code == 403
    # Ate's coordinators count Ate's messages: Santa Anita's SMS is not on their bill.
    client.force_login(UserFactory(role=Role.COORDINATOR, district=other_district))
    assert '<th scope="row">SMS</th>\n          <td>1</td>' not in client.get(url).content.decode()
    client.force_login(UserFactory(role=Role.COORDINATOR))
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert '<th scope="row">SMS</th>\n          <td>1</td>' in text
    assert "S/\xa00.20" in text


@pytest.mark.ladder("messaging:preferences")
@pytest.mark.django_db
def test_a_member_chooses_sms_and_which_messages_to_accept(standin, client, santa_anita):
    member = MemberFactory(user__email="keen@example.org")
    url = "/plataforma/mensajes/preferencias/"
    # Each person sets their own preferences: signing in is the only rung.
    assert "/cuentas/login/" in client.post(url, {"channel": "email"})["Location"]
    client.force_login(member.user)
    client.post(url, {"channel": "sms", "phone": ""})
    assert not MessagingProfile.objects.filter(user=member.user).exists()  # SMS needs a number
    client.post(url, {"channel": "sms", "phone": "01 4567890", "purposes": ["meetings"]})
    assert not MessagingProfile.objects.filter(user=member.user).exists()  # a landline

    response = client.post(
        url, {"channel": "sms", "phone": "987 654 321", "purposes": ["meetings"]}
    )
    assert response.url == "/plataforma/"
    assert messaging.reach_of_user(member.user) == messaging.Reach("sms", PHONE)
    assert messaging.consent_allows(channel="sms", address=PHONE, purpose="meetings")
    assert not messaging.consent_allows(channel="sms", address=PHONE, purpose="agreements")
    assert messaging.consent_allows(channel="sms", address=PHONE, purpose="account")
    home = client.get("/plataforma/").content.decode()
    assert 'value="+51987654321"' in home


@pytest.mark.django_db
def test_notification_emails_carry_the_opt_out_link_and_account_emails_do_not(standin, client):
    reminder = _send(
        recipient="keen@example.org",
        kind="meeting.reminder",
        object_key="m:1",
        subject="Recordatorio",
        body="Texto",
        channel=Channel.EMAIL,
    )
    _send(
        recipient="keen@example.org",
        kind="registry.decision",
        object_key="o:1",
        subject="Decisión",
        body="Texto",
        channel=Channel.EMAIL,
    )
    token = messaging.link_token(reminder.pk)
    notification, account = mail.outbox
    assert f"Para dejar de recibir estos mensajes: {SITE}/m/{token}/baja" in notification.body
    assert "/baja" not in account.body
    client.post(f"/m/{token}/baja")
    assert not messaging.consent_allows(
        channel="email", address="keen@example.org", purpose="meetings"
    )
