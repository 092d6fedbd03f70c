"""Imports flow one way: festival and interventions may use mapping and platform_app,
never the reverse; mapping and platform_app do not import each other's upper layers."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "platform_app": {"mapping", "festival", "interventions"},
    "mapping": {"festival", "interventions"},
    "festival": {"interventions"},
    "interventions": set(),
}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_does_not_import_the_apps_above_it(app):
    offenders = [
        f"{path.relative_to(ROOT)} imports {sorted(_imported_roots(path) & FORBIDDEN[app])}"
        for path in (ROOT / app).rglob("*.py")
        if _imported_roots(path) & FORBIDDEN[app]
    ]
    assert offenders == []


def test_shared_package_knows_no_domain():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "santaanita").rglob("*.py")
        if path.name != "urls.py"
        and _imported_roots(path) & {"platform_app", "mapping", "festival", "interventions"}
    ]
    assert offenders == []
