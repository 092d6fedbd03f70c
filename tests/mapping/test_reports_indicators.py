"""Report indicators: what the results dashboard, the measures page and coverage show."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mapping.models import Report
from mapping.reports_indicators import report_figures_by_district, report_timings
from mapping.reports_services import (
    report_acknowledge,
    report_followup_answer,
    report_status_change,
    report_submit,
)
from platform_app.permissions import Role
from santaanita import page_cache
from tests.factories import UserFactory, signed_in
from tests.factories_mapping import PublicSpaceFactory, ReportFactory

pytestmark = pytest.mark.django_db


def fixed_report(coordinator, *, days: int, confirm: bool | None, category: str = "lighting"):
    report = report_submit(
        space=PublicSpaceFactory(),
        category=category,
        description="Problema",
        email="vecina@example.org",
    )
    report_acknowledge(report=report, user=coordinator)
    report_status_change(report=report, user=coordinator, status="fixed")
    Report.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - timedelta(days=days),
        acknowledged_at=timezone.now() - timedelta(days=days - 1),
    )
    if confirm is not None:
        report_followup_answer(supporter=report.supporters.get(is_reporter=True), fixed=confirm)
    return report


def test_figures_count_received_fixed_median_and_confirmed_share(santa_anita):
    coordinator = UserFactory(role=Role.COORDINATOR)
    fixed_report(coordinator, days=2, confirm=True)
    fixed_report(coordinator, days=4, confirm=None)
    fixed_report(coordinator, days=10, confirm=True)
    reopened = fixed_report(coordinator, days=6, confirm=False)
    ReportFactory()  # received, open
    figures = report_figures_by_district([santa_anita.pk])[santa_anita.pk]
    assert figures.received == 5
    assert figures.fixed == 3
    assert figures.open == 2  # the reopened one and the new one
    assert figures.median_days_to_fix == Decimal("4.0")
    assert figures.confirmed_share == Decimal("66.7")
    assert Report.objects.get(pk=reopened.pk).status == "in_progress"


def test_timings_per_category(santa_anita):
    coordinator = UserFactory(role=Role.COORDINATOR)
    fixed_report(coordinator, days=3, confirm=None, category="rubbish")
    rows = {row.label: row for row in report_timings(district=santa_anita, by="category")}
    assert rows["Basura"].fixed == 1
    assert rows["Basura"].median_days_to_fix == Decimal("3.0")
    assert rows["Basura"].median_days_to_acknowledge == Decimal("1.0")


def test_dashboard_shows_the_report_figures_with_flat_queries(client, santa_anita):
    coordinator = UserFactory(role=Role.COORDINATOR)
    fixed_report(coordinator, days=2, confirm=True)

    def render() -> int:
        # The page is kept whole for anonymous visitors: computed afresh each time here.
        cache.clear()
        page_cache.forget()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("interventions:results"))
        assert response.status_code == 200
        assert "Problemas reportados por los vecinos" in response.content.decode()
        return len(queries)

    few = render()
    for days in range(10):
        fixed_report(coordinator, days=days + 2, confirm=days % 2 == 0)
    assert render() == few


def test_coverage_counts_open_reports_per_sector(client, santa_anita):
    ReportFactory.create_batch(3)
    signed_in(client, Role.COORDINATOR)
    page = client.get(reverse("mapping:coverage")).content.decode()
    assert "Reportes de problemas abiertos" in page
