"""Every user-facing string of the web layer, and every domain error's message, has a Chinese translation."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import arena.errors

WEB = Path(__file__).resolve().parents[2] / "web"
PO = WEB / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def test_every_message_is_translated() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(WEB), METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    missing = sorted(found - translated)
    assert not missing, f"untranslated (run pybabel extract and update messages.po): {missing}"


ROOT = WEB.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sr]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _raised_templates(folder: str, kinds: set[str]) -> list[tuple[str, str]]:
    """Every literal message one of ``kinds`` is raised with under ``folder`` (where, template).

    A message must be a template with params (or a named constant), never an f-string: pages translate it.
    """
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in kinds and node.args:
                first = node.args[0]
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                assert not isinstance(first, ast.JoinedStr), f"{where}: pass a template and params, not an f-string"
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.append((where, first.value))
    return found


def _assert_translated(templates: list[tuple[str, str]]) -> None:
    with PO.open("rb") as handle:
        catalog = {m.id: m.string for m in read_po(handle) if m.id}
    for where, template in templates:
        translated = catalog.get(template, "")
        assert CJK.search(translated), f"{where}: no zh-CN entry for {template!r}"
        assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(template)), where


def test_every_domain_error_message_is_translated() -> None:
    # Bundle problems are left out: they are for organizers at import time, listed per field, in English.
    kinds = {
        name
        for name, value in vars(arena.errors).items()
        if isinstance(value, type)
        and issubclass(value, arena.errors.ArenaError)
        and value is not arena.errors.BundleError
    }
    templates = _raised_templates("arena", kinds)
    assert len(templates) > 80
    _assert_translated(templates)


def test_every_archive_refusal_is_translated() -> None:
    templates = _raised_templates("sandbox", {"ArchiveError"})
    assert len(templates) > 20
    _assert_translated(templates)


def test_every_predictions_file_message_is_translated() -> None:
    # Scorer configuration errors are for organizers at import time and stay English.
    templates = _raised_templates("scorers", {"PredictionFileError"})
    assert len(templates) > 10
    _assert_translated(templates)
