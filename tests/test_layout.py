"""The layout rules import-linter cannot express: packages are reached through their re-exports, modules stay small."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCE_ROOTS = ("arena", "web", "scorers", "sandbox", "client")
MAX_LINES = 400


def _packages() -> list[str]:
    """The capability packages directly under arena/ (the floor is plain modules, models/, storage/, migrations/)."""
    floor = {"models", "migrations", "storage"}
    return sorted(p.name for p in (REPO / "arena").iterdir() if (p / "__init__.py").exists() and p.name not in floor)


def _modules(*roots: str) -> list[Path]:
    """Every Python module below the given top-level folders, migrations left out."""
    found = [p for root in roots for p in (REPO / root).rglob("*.py")]
    return sorted(p for p in found if "migrations" not in p.parts)


def _owner(path: Path) -> str | None:
    """The arena package a module belongs to, if any."""
    parts = path.relative_to(REPO).parts
    return parts[1] if parts[0] == "arena" and len(parts) > 2 and parts[1] in _packages() else None


def _exported(package: str) -> set[str]:
    """The names a package re-exports."""
    return set(importlib.import_module(f"arena.{package}").__all__)


def _foreign_imports(path: Path, source: str | None = None) -> list[str]:
    """Imports in ``path`` (or ``source`` read as if it stood there) that reach into another package's modules."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    mine, packages = _owner(path), set(_packages())
    bad: list[str] = []
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if len(parts) > 2 and parts[0] == "arena" and parts[1] in packages and parts[1] != mine:
                    bad.append(f"import {alias.name}")
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        parts = node.module.split(".")
        if parts[0] != "arena":
            continue
        if parts == ["arena"]:
            for alias in node.names:
                if alias.name in packages and alias.name != mine:
                    aliases[alias.asname or alias.name] = alias.name
            continue
        if parts[1] not in packages or parts[1] == mine:
            continue
        if len(parts) > 2:
            bad.append(f"from {node.module} import …")
            continue
        missing = {a.name for a in node.names} - _exported(parts[1])
        bad += [f"from {node.module} import {name} (not re-exported)" for name in sorted(missing)]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            package = aliases[node.value.id]
            if node.attr not in _exported(package):
                bad.append(f"{node.value.id}.{node.attr} (not re-exported by arena.{package})")
    return bad


def test_capability_packages_exist() -> None:
    assert _packages() == [
        "accounts",
        "boards",
        "challenges",
        "demands",
        "evaluation",
        "finals",
        "integrity",
        "moderation",
        "notifications",
        "publishing",
        "staff",
        "submissions",
        "teams",
    ]


@pytest.mark.parametrize("package", _packages())
def test_package_init_states_its_room_and_only_re_exports(package: str) -> None:
    init = REPO / "arena" / package / "__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    assert doc and "\n" not in doc.strip(), f"arena/{package}/__init__.py needs a one-line docstring"
    body = tree.body[1:]
    assert all(isinstance(n, ast.ImportFrom | ast.Assign) for n in body), "an __init__.py only re-exports"
    module = importlib.import_module(f"arena.{package}")
    imported = {a.asname or a.name for n in body if isinstance(n, ast.ImportFrom) for a in n.names}
    assert set(module.__all__) == imported, "__all__ lists exactly what the package re-exports"
    for name in module.__all__:
        assert getattr(module, name, None) is not None, name


@pytest.mark.parametrize("path", _modules("arena", "web"), ids=lambda p: str(p.relative_to(REPO)))
def test_other_packages_are_reached_through_their_re_exports(path: Path) -> None:
    assert _foreign_imports(path) == []


def test_reaching_past_a_package_is_caught() -> None:
    source = (
        "from arena import boards\n"
        "from arena.boards.standings import record_score\n"
        "from arena.teams import no_such_name\n"
        "boards.not_exported\n"
    )
    assert _foreign_imports(REPO / "web" / "probe.py", source) == [
        "from arena.boards.standings import …",
        "from arena.teams import no_such_name (not re-exported)",
        "boards.not_exported (not re-exported by arena.boards)",
    ]


@pytest.mark.parametrize("path", _modules(*SOURCE_ROOTS), ids=lambda p: str(p.relative_to(REPO)))
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(REPO)} has {lines} lines; split it by what it is about"
