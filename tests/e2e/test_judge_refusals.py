"""A judge is never offered a team of their own organization (and the server refuses it
anyway), and cannot change a score once the stage's chair has locked the stage."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from festival.models import ScoreSheet
from festival.services.stages import stage_lock
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import sign_in
from tests.e2e.test_judge_offline_scoring import SUBMITTED, expected, score
from tests.factories_festival import build_festival

pytestmark = TRANSACTIONAL


@pytest.fixture
def browser_context_args() -> dict[str, object]:
    return {"viewport": {"width": 1280, "height": 800}, "has_touch": True}


def test_judge_cannot_score_own_organization_nor_change_after_the_lock(page):
    festival = build_festival(teams=3, judges=2)
    own_team = festival.teams[1]
    judge = festival.judges[1]
    judge.organization = own_team.organization
    judge.save()

    sign_in(page, judge.user.email)
    page.goto("/festival/jurado/")
    order = page.get_by_role("navigation", name=re.compile("Orden de presentación|Running order"))
    expect(order.get_by_role("button")).to_have_count(2)
    expect(order).not_to_contain_text(own_team.name)
    expect(page.locator("[data-not-offered]")).to_contain_text(
        re.compile(f"{own_team.name}: es un elenco de su propia organización")
    )
    # Even a hand-made request for that team is refused by the server.
    status = page.evaluate(
        """async ([team, key]) => {
            const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const r = await fetch("/festival/jurado/puntaje/", {method: "POST",
              headers: {"Content-Type": "application/json", "X-CSRFToken": token},
              body: JSON.stringify({team: team, values: {}, idempotency_key: key,
                                    client_updated_at: new Date().toISOString()})});
            return r.status;
        }""",
        [own_team.pk, "hand-made"],
    )
    assert status == 403

    team = festival.teams[0]
    form = score(page, festival, team, (7, 7, 7))
    expect(form.locator("[data-status]")).to_have_text(SUBMITTED)

    stage_lock(
        stage=festival.stage, actor=festival.judge_user(0), missing_sheets_accepted=True
    )  # the chair locks

    radio = form.get_by_role("group", name=festival.criteria[0].name).get_by_role(
        "radio", name="3", exact=True
    )
    radio.tap()
    expect(form.locator("[data-status]")).to_have_text(re.compile(festival.stage.name))
    expect(form.locator("[data-status]")).to_have_text(re.compile("cerrada|locked"))
    expect(radio).to_be_disabled()  # the screen closes the stage too
    assert ScoreSheet.objects.get(team=team).values == expected(festival, (7, 7, 7))
    assert ScoreSheet.objects.count() == 1

    page.reload()
    expect(page.get_by_role("alert")).to_contain_text(re.compile("cerrada|locked"))
    page.get_by_role("button", name=re.compile(team.name)).tap()
    expect(page.locator(f"#perf-{team.pk}").get_by_role("radio", name="7").first).to_be_disabled()
