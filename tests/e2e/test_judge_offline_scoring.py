"""A judge scores on a 10-inch tablet held in landscape: two performances online, a third
with the connection cut, reloads the screen while still offline (the service worker serves
it and the queue survives), reconnects, and the server holds exactly the three sheets."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from festival.models import ScoreSheet
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import (
    cut_connection,
    restore_connection,
    sign_in,
    wait_for_service_worker,
)
from tests.factories_festival import build_festival

pytestmark = TRANSACTIONAL

SUBMIT = re.compile("Enviar puntajes|Submit scores")
SUBMITTED = re.compile("^(Puntajes enviados|Scores submitted)$")


@pytest.fixture
def browser_context_args() -> dict[str, object]:
    return {"viewport": {"width": 1280, "height": 800}, "has_touch": True}


def score(page, festival, team, marks, *, submit=True):
    page.get_by_role(
        "navigation", name=re.compile("Orden de presentación|Running order")
    ).get_by_role("button", name=re.compile(team.name)).tap()
    form = page.locator(f"#perf-{team.pk}")
    expect(form).to_be_visible()
    for criterion, mark in zip(festival.criteria, marks, strict=True):
        radio = form.get_by_role("group", name=criterion.name).get_by_role(
            "radio", name=str(mark), exact=True
        )
        radio.tap()
        expect(radio).to_be_checked()
    if submit:
        form.get_by_role("button", name=SUBMIT).tap()
    return form


def expected(festival, marks):
    return {str(c.pk): m for c, m in zip(festival.criteria, marks, strict=True)}


def test_judge_scores_offline_reloads_and_the_server_gets_three_sheets(page):
    festival = build_festival(teams=3, judges=1)
    first, second, third = festival.teams
    sign_in(page, festival.judge_user(0).email)
    page.goto("/festival/jurado/")
    expect(page.get_by_role("heading", level=1)).to_have_text(festival.stage.name)
    # The service worker must control the screen before the connection drops.
    wait_for_service_worker(page)

    form = score(page, festival, first, (8, 7, 9))
    expect(form.locator("[data-status]")).to_have_text(SUBMITTED)
    form = score(page, festival, second, (6, 6, 5))
    expect(form.locator("[data-status]")).to_have_text(SUBMITTED)
    assert ScoreSheet.objects.count() == 2

    cut_connection(page.context)
    expect(page.locator("[data-connection]")).to_have_text(re.compile("Sin conexión|No connection"))
    form = score(page, festival, third, (10, 9, 8))
    expect(form.locator("[data-status]")).to_have_text(re.compile("tableta|tablet"))
    assert ScoreSheet.objects.count() == 2  # still only on the tablet

    page.reload()  # offline: the service worker answers with the cached screen
    expect(page.get_by_role("heading", level=1)).to_have_text(festival.stage.name)
    page.get_by_role("button", name=re.compile(third.name)).tap()
    form = page.locator(f"#perf-{third.pk}")
    expect(
        form.get_by_role("group", name=festival.criteria[0].name).get_by_role("radio", name="10")
    ).to_be_checked()
    expect(form.locator("[data-status]")).to_have_text(re.compile("tableta|tablet"))
    # What was sent before the cut is still shown from the tablet's memory.
    page.get_by_role("button", name=re.compile(first.name)).tap()
    expect(
        page.locator(f"#perf-{first.pk}")
        .get_by_role("group", name=festival.criteria[2].name)
        .get_by_role("radio", name="9")
    ).to_be_checked()
    assert ScoreSheet.objects.count() == 2

    restore_connection(page.context)
    expect(page.locator(f"#perf-{third.pk} [data-status]")).to_have_text(SUBMITTED)
    sheets = {s.team_id: s for s in ScoreSheet.objects.all()}
    assert len(sheets) == 3
    assert sheets[first.pk].values == expected(festival, (8, 7, 9))
    assert sheets[second.pk].values == expected(festival, (6, 6, 5))
    assert sheets[third.pk].values == expected(festival, (10, 9, 8))
    assert all(s.is_submitted for s in sheets.values())
    # Nothing is left waiting on the tablet.
    judge = festival.judges[0].pk
    assert page.evaluate(f"localStorage.getItem('santaanita:judge-queue:{judge}')") == "[]"
