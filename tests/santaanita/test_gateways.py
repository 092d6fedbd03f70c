"""The SMS and WhatsApp gateways: the file backend a person can read, and the real Twilio
backend driven against a local HTTP server whose requests are inspected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import override_settings

from santaanita.gateways import GatewayError, send_text, sms_segments, sms_text
from tests.twilio_standin import TwilioStandin


@pytest.fixture
def standin():
    with TwilioStandin() as server:
        yield server


def test_segments_count_gsm7_septets_and_fall_back_to_ucs2() -> None:
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2
    assert sms_segments("a" * 306) == 2
    assert sms_segments("a" * 307) == 3
    # € is an escaped GSM-7 character: two septets.
    assert sms_segments("€" * 81) == 2
    # One character outside GSM-7 turns the whole message into UCS-2 (70 per segment).
    assert sms_segments("ó" + "a" * 69) == 1
    assert sms_segments("ó" + "a" * 70) == 2


def test_sms_text_keeps_spanish_within_gsm7() -> None:
    folded = sms_text("Reunión mañana: ¿vienes? Sí, está aquí con café")
    assert folded == "Reunion mañana: ¿vienes? Si, esta aqui con café"
    assert sms_segments(folded + "a" * (160 - len(folded))) == 1


def test_file_backend_writes_a_readable_message(tmp_path: Path) -> None:
    with override_settings(SMS_URL=f"file://{tmp_path}"):
        message_id = send_text(
            channel="sms", to="+51987654321", body="Tu código: 123456", key="code:7"
        )
    [written] = tmp_path.glob("*.log")
    assert written.stem == message_id
    text = written.read_text(encoding="utf-8")
    assert "To: +51987654321" in text
    assert "Key: code:7" in text
    assert text.rstrip().endswith("Tu código: 123456")


def test_file_backend_defaults_to_the_email_outbox(tmp_path: Path) -> None:
    with override_settings(WHATSAPP_URL="file://", EMAIL_FILE_PATH=tmp_path):
        send_text(
            channel="whatsapp",
            to="+51987654321",
            body="Recordatorio",
            key="delivery:3",
            template="meeting_reminder",
            params=["Asamblea", "martes 10:00"],
        )
    [written] = tmp_path.glob("whatsapp-*.log")
    text = written.read_text(encoding="utf-8")
    assert "Template: meeting_reminder" in text
    assert 'Parameters: ["Asamblea", "martes 10:00"]' in text


def test_twilio_sms_request_is_the_documented_one(standin: TwilioStandin) -> None:
    with override_settings(
        SMS_URL=standin.url(), MESSAGING_CALLBACK_URL="https://sa.example/messaging/status/"
    ):
        message_id = send_text(channel="sms", to="+51987654321", body="Hola", key="delivery:42")
    [request] = standin.requests
    assert request.path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request.basic_auth == ("AC123", "secret-token")
    assert request.form == {
        "To": "+51987654321",
        "From": "+51100000000",
        "Body": "Hola",
        "StatusCallback": "https://sa.example/messaging/status/?key=delivery%3A42",
    }
    assert message_id == "SM" + f"{1:032x}"


def test_twilio_whatsapp_sends_the_approved_template(standin: TwilioStandin) -> None:
    with override_settings(
        WHATSAPP_URL=standin.url("messaging_service=MG9"),
        WHATSAPP_TEMPLATES={"meeting_reminder": "HX11"},
    ):
        send_text(
            channel="whatsapp",
            to="+51987654321",
            body="unused",
            key="delivery:5",
            template="meeting_reminder",
            params=["Asamblea", "mañana"],
        )
    form = standin.requests[0].form
    assert form["To"] == "whatsapp:+51987654321"
    assert form["MessagingServiceSid"] == "MG9"
    assert form["ContentSid"] == "HX11"
    assert json.loads(form["ContentVariables"]) == {"1": "Asamblea", "2": "mañana"}
    assert "Body" not in form


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (429, False), (503, False)])
def test_provider_errors_say_whether_to_retry(
    standin: TwilioStandin, status: int, permanent: bool
) -> None:
    standin.fail_with = status
    with override_settings(SMS_URL=standin.url()), pytest.raises(GatewayError) as caught:
        send_text(channel="sms", to="+51987654321", body="Hola", key="k")
    assert caught.value.permanent is permanent


def test_unreachable_provider_is_a_temporary_error() -> None:
    unreachable = "http://AC1:t@127.0.0.1:1/?from=%2B1"
    with override_settings(SMS_URL=unreachable), pytest.raises(GatewayError) as caught:
        send_text(channel="sms", to="+51987654321", body="Hola", key="k")
    assert caught.value.permanent is False


def test_a_number_not_in_e164_is_refused_before_sending(standin: TwilioStandin) -> None:
    with override_settings(SMS_URL=standin.url()), pytest.raises(GatewayError):
        send_text(channel="sms", to="987654321", body="Hola", key="k")
    assert standin.requests == []
