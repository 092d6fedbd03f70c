"""The apps' stylesheets take their colours from the design system (static/css/site.css):
a colour written into an app's sheet would drift from the palette checked for contrast."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

STATIC = Path(settings.BASE_DIR) / "static"
DESIGN_SYSTEM = STATIC / "css"
COLOUR = re.compile(
    r"#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(|"
    r"(?<![\w-])(?:white|black|red|green|blue|gr[ae]y|orange|yellow|purple|navy|silver)(?![\w-])",
)
VARIABLE = re.compile(r"var\((--[\w-]+)")
DEFINITION = re.compile(r"^\s*(--[\w-]+)\s*:", re.MULTILINE)


def app_stylesheets() -> list[Path]:
    return sorted(
        path
        for path in STATIC.glob("*/*.css")
        if path.parent != DESIGN_SYSTEM and "vendor" not in path.parts
    )


def without_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)


def test_app_stylesheets_write_no_colour_of_their_own():
    sheets = app_stylesheets()
    assert sheets, "no app stylesheet found"
    found = {
        path.relative_to(STATIC).as_posix(): COLOUR.findall(without_comments(path.read_text()))
        for path in sheets
    }
    assert {sheet: colours for sheet, colours in found.items() if colours} == {}


def test_app_stylesheets_use_only_tokens_the_design_system_defines():
    defined = set(DEFINITION.findall((DESIGN_SYSTEM / "site.css").read_text()))
    unknown = {
        path.relative_to(STATIC).as_posix(): sorted(
            set(VARIABLE.findall(path.read_text())) - defined
        )
        for path in app_stylesheets()
    }
    assert {sheet: names for sheet, names in unknown.items() if names} == {}
    own = {
        path.relative_to(STATIC).as_posix(): DEFINITION.findall(without_comments(path.read_text()))
        for path in app_stylesheets()
    }
    assert {sheet: names for sheet, names in own.items() if names} == {}
