"""The mapping demo: 134 spaces inside Santa Anita, over its five sectors, with history."""

from __future__ import annotations

import io

import pytest
from shapely.geometry import shape

from mapping import demo
from mapping.models import Assignment, PublicSpace, Survey
from platform_app import demo as platform_demo
from platform_app.models import District

pytestmark = pytest.mark.django_db


def test_demo_places_134_spaces_inside_the_district_and_is_idempotent():
    # The apps below mapping only: the demo must not depend on festival or interventions.
    platform_demo.seed(password="demo-pass-123", out=io.StringIO())
    demo.seed(password="demo-pass-123", out=io.StringIO())
    out = io.StringIO()
    demo.seed(password="demo-pass-123", out=out)
    district = District.objects.get(ubigeo="150137")
    spaces = PublicSpace.objects.filter(district=district)
    assert spaces.count() == 134
    boundary = shape(district.boundary)
    for space in spaces:
        assert boundary.contains(shape(space.geometry)), space.name
    per_sector = {n: spaces.filter(sector__number=n).count() for n in range(1, 6)}
    assert all(count >= 26 for count in per_sector.values()), per_sector
    assert len(set(spaces.values_list("category", flat=True))) == 7
    verified = Survey.objects.filter(status=Survey.Status.VERIFIED).count()
    assert verified > 40
    characterized = spaces.filter(latest_verified_survey__isnull=False).count()
    assert 40 < characterized < 134
    assert Assignment.objects.filter(surveyor__email="surveyor@example.org").count() == 8
    assert "134 public spaces" in out.getvalue()
