"""A data-subject cancellation leaves the person nowhere: database, exports, stored emails;
and the delivery ledger keeps message texts only for the retention period (Law 29733)."""

from __future__ import annotations

import email
import email.policy
import io
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from platform_app.models import Contact, DataRequest, Delivery
from platform_app.permissions import Role
from platform_app.services.ledger import deliveries_purge, delivery_schedule
from platform_app.services.meetings import meeting_organizations_invite
from tests.factories import UserFactory
from tests.factories_platform import MeetingFactory, platform_admin
from tests.factories_registry import ContactFactory, OrganizationFactory

EMAIL = "vecina.titular@example.org"
PHONE = "+51987000111"


def _outbox_texts(folder) -> list[str]:
    """Every stored message, raw and with each part decoded (base64, quoted-printable)."""
    texts = []
    for path in folder.glob("*.log"):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            message = email.message_from_bytes(raw, policy=email.policy.default)
            decoded = [part.get_payload(decode=True) or b"" for part in message.walk()]
            texts.append(b"\n".join([raw, *decoded]).decode("utf-8", "replace").lower())
    return texts


def _rows_mentioning(needle: str) -> list[str]:
    """Every row of every table whose text columns mention ``needle``."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                rows = model._base_manager.filter(**{f"{field.attname}__icontains": needle})
                found.extend(
                    f"{model._meta.label}.{field.name} #{pk}"
                    for pk in rows.values_list("pk", flat=True)
                )
    return found


@pytest.fixture
def file_outbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_after_a_cancellation_the_person_is_nowhere(
    client, santa_anita, file_outbox, django_capture_on_commit_callbacks
):
    organization = OrganizationFactory(name="Huerto Los Girasoles", messages_consent=True)
    ContactFactory(organization=organization, name="Vecina Titular", email=EMAIL, phone=PHONE)
    other = ContactFactory(organization=organization, name="Otra Persona", phone="+51911222333")
    with django_capture_on_commit_callbacks(execute=True):
        meeting_organizations_invite(
            meeting=MeetingFactory(title="Taller de huertos"),
            actor=platform_admin(),
            typology="sports",
        )
        # A message to staff that quotes the person's phone.
        delivery_schedule(
            recipient="coordinacion@example.org",
            kind="registry.note",
            object_key="note:1",
            subject="Llamar a la vecina",
            body=f"Su teléfono es {PHONE}; escribirle a {EMAIL}.",
        )
        delivery_schedule(
            recipient="mesa@example.org",
            kind="registry.note",
            object_key="note:2",
            subject="Otra nota",
            body=f"Llamar al {PHONE.removeprefix('+51')} por la tarde.",
        )
        response = client.post(
            reverse("platform_app:data-request-create"),
            {"kind": "cancellation", "name": "Vecina Titular", "email": EMAIL, "details": ""},
        )
    assert response.status_code == 200
    assert any(EMAIL in text for text in _outbox_texts(file_outbox))
    assert Delivery.objects.filter(recipient=EMAIL).count() == 2  # invitation, confirmation
    confirmation = Delivery.objects.get(kind="registry.data_request").body
    link = re.search(r"http://\S+/datos-personales/confirmar/\S+/", confirmation)
    client.post(link.group(0))
    coordinator = UserFactory(role=Role.COORDINATOR)
    client.force_login(coordinator)
    data_request = DataRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("platform_app:data-request-detail", args=[data_request.pk]),
            {"answer": "Sus datos fueron suprimidos.", "anonymize": "on"},
        )

    answer = Delivery.objects.get(kind="registry.data_request_answer")
    assert answer.status == Delivery.Status.SENT  # the person was told
    for needle in (EMAIL, PHONE, PHONE.removeprefix("+51")):
        assert _rows_mentioning(needle) == []
        assert not [text for text in _outbox_texts(file_outbox) if needle in text]
        for fmt in ("csv", "xlsx"):
            export = client.get(reverse("platform_app:registry-export", args=[fmt])).content
            if fmt == "xlsx":
                sheet = load_workbook(io.BytesIO(export)).active
                export = repr(list(sheet.iter_rows(values_only=True))).encode()
            assert needle.encode() not in export
    # Everyone else is untouched.
    assert Contact.objects.get(pk=other.pk).phone == "+51911222333"
    assert DataRequest.objects.get().status == DataRequest.Status.ANSWERED
    assert (
        Delivery.objects.filter(kind="meeting.organization_invitation")
        .exclude(recipient__startswith="borrado-")
        .exists()
    )


@pytest.mark.django_db
def test_message_texts_are_kept_only_for_the_retention_period(santa_anita, settings):
    settings.DELIVERY_BODY_RETENTION_DAYS = 90
    now = timezone.now()

    def scheduled(key: str, body: str, days_ago: int) -> Delivery:
        return delivery_schedule(
            recipient=f"{key}@example.org",
            kind="k",
            object_key=key,
            subject="s",
            body=body,
            send_at=now - timedelta(days=days_ago),
        )

    old = scheduled("a", "texto viejo", 91)
    recent = scheduled("b", "texto nuevo", 89)
    pending = scheduled("c", "por enviar", 91)
    Delivery.objects.filter(pk__in=[old.pk, recent.pk]).update(status=Delivery.Status.SENT)
    assert deliveries_purge(now=now) == 1
    bodies = dict(Delivery.objects.values_list("pk", "body"))
    assert bodies == {old.pk: "", recent.pk: "texto nuevo", pending.pk: "por enviar"}
    assert Delivery.objects.get(pk=old.pk).recipient == "a@example.org"  # no double send


def test_the_purge_runs_daily_in_both_modes(monkeypatch):
    schedule = django_settings.CELERY_BEAT_SCHEDULE["purge-delivery-texts"]
    assert schedule["task"] == "platform_app.tasks.purge_delivery_texts"
    assert schedule["schedule"] == 24 * 60 * 60
    from platform_app.management.commands import run_reminders

    calls: list[str] = []
    monkeypatch.setattr(run_reminders, "reminders_scan", lambda: 0)
    monkeypatch.setattr(run_reminders, "deliveries_purge", lambda: calls.append("purge"))
    call_command("run_reminders", "--once")
    assert calls == ["purge"]
