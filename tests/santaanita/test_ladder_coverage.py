"""Every page and every API action is on a permission ladder: a test marked
``@pytest.mark.ladder("ns:route-name", "POST api-route-list", ...)`` that tries it as an
anonymous visitor, the wrong role, another district's staff and the right role.

The routes are found from the URL configuration (the walker of test_every_route), the marks
from the test files' source (parsed, not imported), so a new view or a new API write without a
ladder fails here the day it is added. A page is named by its route alone, whatever methods it
answers; an API route's GET by its name alone and each write by its method and name."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from django.urls import URLPattern

from tests.santaanita.test_every_route import PUBLIC, SKIPPED_PREFIXES, _patterns

TESTS = Path(__file__).resolve().parents[1]

# Not pages of any app: the API's index and schema describe the API itself, the favicon
# redirects to a static file and public files are public by where they are stored.
NOT_DOMAIN = {"api-root", "api-schema", "api-docs", "favicon", "media-public"}

WRITES = ("post", "put", "patch", "delete")


def _api_methods(pattern: URLPattern) -> list[str] | None:
    """The methods a DRF router route answers (its ``actions`` the view allows), or None for
    a page. The router maps every action the viewset class has (a ModelViewSet has them all);
    ``http_method_names`` is what it answers."""
    actions: dict[str, str] | None = getattr(pattern.callback, "actions", None)
    if actions is None:
        return None
    allowed = getattr(pattern.callback.cls, "http_method_names", ())
    return [method for method in actions if method in allowed]


def required() -> set[str]:
    """What the ladders must name: each route, and each API write as ``"METHOD route"``."""
    needed: set[str] = set()
    for route, name, pattern in _patterns():
        if route.startswith(SKIPPED_PREFIXES) or name in NOT_DOMAIN:
            continue
        methods = _api_methods(pattern)
        if methods is None:
            if name not in PUBLIC:
                needed.add(name)
            continue
        if "get" in methods and name not in PUBLIC:
            needed.add(name)
        needed.update(f"{method.upper()} {name}" for method in methods if method in WRITES)
    return needed


def _ladder_marks(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        # pytest.mark.ladder(...) or mark.ladder(...)
        if isinstance(func, ast.Attribute) and func.attr == "ladder":
            owner = func.value
            if isinstance(owner, ast.Attribute) and owner.attr == "mark":
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        yield arg.value


def covered() -> set[str]:
    names: set[str] = set()
    for path in TESTS.rglob("*.py"):
        names.update(_ladder_marks(ast.parse(path.read_text(encoding="utf-8"))))
    return names


def test_the_coverage_sees_routes_and_api_writes():
    needed = required()
    # The walk must find pages of every app and the API's writes, or it would pass by
    # finding nothing.
    assert {"platform_app:desk", "mapping:coverage", "POST platform-meeting-list"} <= needed
    assert "PATCH platform-member-detail" in needed
    # Methods a viewset refuses are not asked for.
    assert "DELETE platform-member-detail" not in needed
    assert "platform_app:district-list" not in needed  # public


def test_every_route_and_api_write_has_a_ladder():
    uncovered = sorted(required() - covered())
    assert not uncovered, "Routes without a ladder test:\n" + "\n".join(uncovered)


def test_ladder_marks_name_existing_routes():
    """A mark naming a route that does not exist (a typo, a renamed route) covers nothing."""
    known = required() | PUBLIC
    stray = sorted(covered() - known)
    assert not stray, "Ladder marks naming no route:\n" + "\n".join(stray)
