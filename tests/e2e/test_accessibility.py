"""WCAG 2.1 A and AA rules checked by axe-core on the main pages of every role, filled
with the Santa Anita demo data, at a phone width (where most residents and volunteers are).

axe is injected into the page, so these pages are opened with the Content-Security-Policy
bypassed; the other browser tests keep it and fail on any violation of it.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from festival.models import Stage
from tests.conftest import TRANSACTIONAL
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = TRANSACTIONAL

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
RUN = """;axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a",
    "wcag21aa"]}}).then((r) => r.violations.map((v) => ({rule: v.id, impact: v.impact,
    where: v.nodes.slice(0, 3).map((n) => n.target.join(" "))})))"""
PUBLIC = [
    "/",
    "/mapa/",
    "/mapa/reportar/",
    "/organizaciones/",
    "/organizaciones/inscripcion/",
    "/organizaciones/inscripcion/imprimir/",
    "/noticias/",
    "/empresas/",
    "/festival/",
    "/resultados/",
    "/cuentas/login/",
]
BY_ROLE = {
    "desk@example.org": ["/mesa/"],
    "surveyor@example.org": ["/mapa/mis-asignaciones/"],
    "member@example.org": ["/plataforma/", "/plataforma/plan/", "/plataforma/acuerdos/"],
    "representative@example.org": ["/festival/inscripcion/"],
    "coordinator@example.org": [
        "/verificacion/",
        "/noticias/nueva/",
        "/festival/gestion/",
        "/mapa/cobertura/",
        "/mapa/reportes/",
    ],
}


@pytest.fixture
def browser_context_args() -> dict[str, object]:
    return {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "bypass_csp": True,
    }


def violations(page, url: str) -> list[dict[str, object]]:
    response = page.goto(url)
    assert response is not None, url
    assert response.ok, url
    return page.evaluate(AXE + RUN)


def test_the_main_pages_of_every_role_pass_axe(page):
    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())
    found = {}
    board = f"/festival/sedes/{Stage.objects.filter(locked_at__isnull=False).first().pk}/tablero/"
    for url in [*PUBLIC, board]:
        found[url] = violations(page, url)
    for email, urls in BY_ROLE.items():
        page.context.clear_cookies()
        sign_in(page, email)
        for url in urls:
            found[f"{email} {url}"] = violations(page, url)
    problems = {where: rules for where, rules in found.items() if rules}
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)
