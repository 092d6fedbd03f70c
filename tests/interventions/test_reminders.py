"""Maintenance tasks remind the responsible organization through the delivery ledger."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from interventions.models import add_months
from platform_app.models import Delivery
from platform_app.services.ledger import reminders_scan
from tests.factories_interventions import MaintenanceTaskFactory
from tests.factories_registry import ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
LIMA = ZoneInfo("America/Lima")


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def test_task_is_reminded_three_days_before_once_per_occurrence():
    task = MaintenanceTaskFactory(first_on=date(2026, 7, 10), every_months=1)
    reminders_scan(now=datetime(2026, 7, 6, 9, tzinfo=LIMA))
    assert not Delivery.objects.exists()  # four days before: not yet

    reminders_scan(now=datetime(2026, 7, 7, 9, tzinfo=LIMA))
    reminders_scan(now=datetime(2026, 7, 7, 10, tzinfo=LIMA))  # the scan runs again
    deliveries = Delivery.objects.filter(kind="interventions.maintenance")
    assert deliveries.count() == 1
    assert deliveries.get().object_key == f"maintenance-task:{task.pk}:2026-07-10"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["junta@example.org"]
    assert task.title in mail.outbox[0].subject

    reminders_scan(now=datetime(2026, 8, 8, 9, tzinfo=LIMA) + timedelta(hours=1))
    assert deliveries.count() == 2  # next month's occurrence


def test_inactive_tasks_and_guides_without_email_nor_organization_are_not_reminded():
    MaintenanceTaskFactory(first_on=date(2026, 7, 10), active=False)
    MaintenanceTaskFactory(first_on=date(2026, 7, 10), guide__responsible_email="")
    reminders_scan(now=datetime(2026, 7, 9, 9, tzinfo=LIMA))
    assert not Delivery.objects.filter(kind="interventions.maintenance").exists()


def test_a_guide_without_email_reminds_the_organizations_phone_only_contact(tmp_path, settings):
    settings.SMS_URL = f"file://{tmp_path}"
    organization = OrganizationFactory()
    ContactFactory(organization=organization, email="", phone="987654321")
    task = MaintenanceTaskFactory(
        first_on=date(2026, 7, 10),
        guide__responsible_email="",
        guide__responsible_organization=organization,
    )
    reminders_scan(now=datetime(2026, 7, 7, 9, tzinfo=LIMA))
    delivery = Delivery.objects.get(kind="interventions.maintenance")
    assert (delivery.channel, delivery.recipient) == ("sms", "+51987654321")
    [sms] = tmp_path.glob("sms-*.log")
    assert task.title in sms.read_text(encoding="utf-8")
