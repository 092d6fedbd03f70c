"""The demo's problem reports: about 60 over the five sectors, in every status."""

from __future__ import annotations

import io

import pytest

from mapping import demo
from mapping.models import Report
from mapping.reports_models import ReportStatus
from platform_app import demo as platform_demo

pytestmark = pytest.mark.django_db


def test_demo_reports_cover_every_sector_and_status_once():
    platform_demo.seed(password="demo-pass-123", out=io.StringIO())
    demo.seed(password="demo-pass-123", out=io.StringIO())
    demo.seed(password="demo-pass-123", out=io.StringIO())  # idempotent
    reports = Report.objects.all()
    assert reports.count() == 60
    assert set(reports.values_list("sector__number", flat=True)) == {1, 2, 3, 4, 5}
    assert set(reports.values_list("status", flat=True)) == set(ReportStatus.values)
    assert reports.filter(confirmed_fixed=True).exists()
    assert reports.filter(reopened_count=1).exists()
    assert reports.exclude(area=None).exists()
