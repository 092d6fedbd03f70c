"""Imports flow one way: festival and interventions may use mapping and platform_app,
never the reverse; mapping and platform_app do not import each other's upper layers.

A reference held in a string couples as much as an import does, so the same arrow holds for
dotted paths and permission names (``"festival.views.x"``, ``"festival.change_team"``), URL
names (``"festival:judge"``, in code and in the app's templates) and models looked up by
name (``apps.get_model("festival", "Team")``), outside migrations."""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "platform_app": {"mapping", "festival", "interventions"},
    "mapping": {"festival", "interventions"},
    "festival": {"interventions"},
    "interventions": set(),
}
DOMAIN_APPS = {"platform_app", "mapping", "festival", "interventions"}
# The composition root names every app: settings (INSTALLED_APPS, the registries other
# apps fill) and the URL configuration.
COMPOSITION_ROOT = {"settings.py", "urls.py"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes: prose about another app couples nothing."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _string_references(path: Path) -> list[tuple[int, str, str]]:
    """(line, app label, text) of each string in the module that names an app's code, a
    permission, a URL name or a model."""
    return sorted(set(_strings_naming_apps(path)))


def _strings_naming_apps(path: Path) -> Iterator[tuple[int, str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings:
                continue
            match = re.fullmatch(r"([a-z_]+)(?:(?:\.[A-Za-z_]\w*)+|:[\w-]+)", node.value)
            if match:
                yield node.lineno, match[1], node.value
        elif isinstance(node, ast.JoinedStr) and node.values:
            # f"festival.{action}_team": the fixed head names the app.
            head = node.values[0]
            if isinstance(head, ast.Constant) and isinstance(head.value, str):
                match = re.match(r"([a-z_]+)[.:]", head.value)
                if match:
                    yield node.lineno, match[1], head.value
        elif isinstance(node, ast.Call) and node.args:
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            first = node.args[0]
            if (
                name == "get_model"
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                yield node.lineno, first.value.split(".")[0], f"get_model({first.value!r})"


def _modules(folder: Path) -> Iterator[Path]:
    return (path for path in folder.rglob("*.py") if "migrations" not in path.parts)


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_does_not_import_the_apps_above_it(app):
    offenders = [
        f"{path.relative_to(ROOT)} imports {sorted(_imported_roots(path) & FORBIDDEN[app])}"
        for path in (ROOT / app).rglob("*.py")
        if _imported_roots(path) & FORBIDDEN[app]
    ]
    assert offenders == []


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_names_no_app_above_it_in_strings(app):
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {text}"
        for path in _modules(ROOT / app)
        for line, label, text in _string_references(path)
        if label in FORBIDDEN[app]
    ]
    assert offenders == []


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_templates_link_to_no_app_above_it(app):
    url_tag = re.compile(r"""{%\s*url\s+["']([a-z_]+):""")
    offenders = [
        f"{path.relative_to(ROOT)} links to {label}"
        for path in (ROOT / "templates" / app).rglob("*")
        if path.is_file()
        for label in url_tag.findall(path.read_text(encoding="utf-8"))
        if label in FORBIDDEN[app]
    ]
    assert offenders == []


def test_shared_package_knows_no_domain():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "santaanita").rglob("*.py")
        if path.name != "urls.py" and _imported_roots(path) & DOMAIN_APPS
    ]
    assert offenders == []


def test_shared_package_names_no_domain_in_strings():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {text}"
        for path in _modules(ROOT / "santaanita")
        if path.name not in COMPOSITION_ROOT
        for line, label, text in _string_references(path)
        if label in DOMAIN_APPS
    ]
    assert offenders == []


def test_the_string_check_sees_each_kind_of_reference(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        '"""A docstring may mention festival.views.judge."""\n'
        'VIEW = "festival.views.judge"\n'
        'PERM = "festival.change_team"\n'
        'URL = "festival:judge"\n'
        'PERMS = [f"festival.{action}_team" for action in ("view", "add")]\n'
        'Team = apps.get_model("festival", "Team")\n'
        'Judge = apps.get_model("festival.Judge")\n'
        'TEXT = "festival. Not a reference"\n',
        encoding="utf-8",
    )
    assert sorted({(line, label) for line, label, _text in _string_references(module)}) == [
        (2, "festival"),
        (3, "festival"),
        (4, "festival"),
        (5, "festival"),
        (6, "festival"),
        (7, "festival"),
    ]
