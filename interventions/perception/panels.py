"""What the perception survey adds to a public space's page (settings.SPACE_PAGE_PANELS):
the share of cohesive respondents among its neighbours, per wave, beside the space's
condition score, before and after its intervention. Only waves where at least five answers
name the space are shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from interventions.models import Intervention
from interventions.perception.index import MIN_CELL, space_estimates

if TYPE_CHECKING:
    from mapping.models import PublicSpace


def space_cohesion(*, space: PublicSpace) -> SafeString:
    intervention = Intervention.objects.filter(public_space=space).public().first()
    rows = [row for row in space_estimates(space, intervention) if row.estimate is not None]
    if not rows:
        return SafeString("")
    return render_to_string(
        "interventions/_space_cohesion.html",
        {"rows": rows, "space": space, "intervention": intervention, "min_cell": MIN_CELL},
    )
