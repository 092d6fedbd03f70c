"""Where festival people stumbled: the chair closes a stage only after seeing which sheets
are missing, the messages name the stage once, and a judge learns why a team is absent."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from festival.models import JudgeConflict, Stage
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import sign_in
from tests.factories_festival import build_festival
from tests.festival.test_scoring import submit

pytestmark = TRANSACTIONAL


@pytest.fixture
def browser_context_args() -> dict[str, object]:
    return {"viewport": {"width": 1280, "height": 800}, "locale": "es-PE"}


def test_the_chair_confirms_closing_a_stage_with_missing_sheets(page):
    festival = build_festival(teams=5, judges=2)
    at = timezone.now() - timedelta(minutes=1)
    for team in festival.teams[:2]:
        submit(festival, 0, team, (7, 7, 7), at=at, submit=True)

    sign_in(page, festival.judge_user(0).email)  # the chair
    page.goto("/festival/jurado/")
    page.get_by_role("link", name="Cerrar la sede").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("3 de 5 elencos no tienen ningún puntaje enviado.")
    expect(alert).to_contain_text("2 de 2 jurados no enviaron todas sus fichas.")

    close = page.get_by_role("button", name="Cerrar la sede")
    close.click()  # the unticked consent keeps the form from being sent
    expect(page).to_have_url(re.compile(r"/cerrar/"))
    assert not Stage.objects.get(pk=festival.stage.pk).is_locked

    page.get_by_label("Confirmo: cerrar la sede con fichas faltantes").check()
    close.click()
    expect(page).to_have_url(re.compile(r"/festival/jurado/$"))
    expect(page.locator("main")).to_contain_text(f"Calificación cerrada en {festival.stage.name}.")
    expect(page.locator("main")).not_to_contain_text("Sede Sede")
    assert Stage.objects.get(pk=festival.stage.pk).is_locked


def test_a_judge_reads_why_a_team_of_the_stage_is_not_on_the_list(page):
    festival = build_festival(teams=3, judges=2)
    judge = festival.judges[1]
    conflicted = festival.teams[2]
    JudgeConflict.objects.create(judge=judge, team=conflicted, reason="Mi sobrina baila")

    sign_in(page, judge.user.email)
    page.goto("/festival/jurado/")
    order = page.get_by_role("navigation", name="Orden de presentación")
    expect(order.get_by_role("button")).to_have_count(2)
    expect(page.locator("[data-not-offered]")).to_contain_text(
        f"{conflicted.name}: usted declaró un conflicto de interés"
    )
