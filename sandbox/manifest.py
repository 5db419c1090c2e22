"""Finding what to run in an unpacked code archive: `arena.yaml`/`arena.json`, else `main.py`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sandbox.archives import ArchiveError

MANIFEST_NAMES: tuple[str, ...] = ("arena.yaml", "arena.yml", "arena.json")
DEFAULT_ENTRYPOINT = "main.py"
DEFAULT_COMMAND: tuple[str, ...] = ("python", DEFAULT_ENTRYPOINT)
_ALLOWED_KEYS = frozenset({"command"})
_MAX_MANIFEST_BYTES = 64 * 1024
_MAX_ARGS = 64
_MAX_ARG_CHARS = 4096

EXPECTED_LAYOUT = (
    "The archive must contain main.py at its top level (or inside one top-level folder), "
    "or a manifest arena.yaml with a command, for example: command: [python, predict.py]."
)


@dataclass(frozen=True)
class CodeEntry:
    """The folder to mount at /code and the command to run there."""

    root: Path
    command: tuple[str, ...]
    source: str


def find_code_root(extracted: Path) -> Path:
    """Return `extracted`, or the single folder inside it when that folder wraps everything."""
    if any((extracted / name).is_file() for name in (*MANIFEST_NAMES, DEFAULT_ENTRYPOINT)):
        return extracted
    children = list(extracted.iterdir())
    if len(children) == 1 and children[0].is_dir() and not children[0].is_symlink():
        return children[0]
    return extracted


def read_manifest(extracted: Path) -> CodeEntry:
    """Return what to run: the manifest's command, else `python main.py`; raise ArchiveError otherwise."""
    root = find_code_root(extracted)
    present = [name for name in MANIFEST_NAMES if (root / name).is_file()]
    if len(present) > 1:
        raise ArchiveError(
            "The archive has more than one manifest (%(names)s); keep one.", "manifest", names=", ".join(present)
        )
    if present:
        return CodeEntry(root=root, command=_parse_manifest(root / present[0]), source=present[0])
    if (root / DEFAULT_ENTRYPOINT).is_file():
        return CodeEntry(root=root, command=DEFAULT_COMMAND, source=DEFAULT_ENTRYPOINT)
    raise ArchiveError(EXPECTED_LAYOUT, "no_entrypoint")


def parse_command(value: Any, source: str = "the manifest") -> tuple[str, ...]:
    """Validate a manifest `command` value: a non-empty list of plain strings."""
    if not isinstance(value, list) or not value:
        raise ArchiveError(
            "In %(source)s, command must be a non-empty list of strings, for example [python, main.py].",
            "manifest",
            source=source,
        )
    if len(value) > _MAX_ARGS:
        raise ArchiveError(
            "In %(source)s, command may have at most %(limit)s items.", "manifest", source=source, limit=_MAX_ARGS
        )
    for item in value:
        if not isinstance(item, str) or not item or "\x00" in item or len(item) > _MAX_ARG_CHARS:
            raise ArchiveError(
                "In %(source)s, every command item must be a non-empty string; got %(item)s.",
                "manifest",
                source=source,
                item=repr(str(item)[:80]),
            )
    return tuple(value)


def _parse_manifest(path: Path) -> tuple[str, ...]:
    if path.stat().st_size > _MAX_MANIFEST_BYTES:
        raise ArchiveError(
            "%(name)s is larger than %(limit)s bytes.", "manifest", name=path.name, limit=_MAX_MANIFEST_BYTES
        )
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ArchiveError(
            "%(name)s could not be parsed: %(problem)s", "manifest", name=path.name, problem=str(exc)
        ) from exc
    if not isinstance(data, dict):
        raise ArchiveError("%(name)s must be a mapping with a 'command' key.", "manifest", name=path.name)
    unknown = sorted(str(key) for key in data if key not in _ALLOWED_KEYS)
    if unknown:
        raise ArchiveError(
            "%(name)s has unknown keys %(keys)s; the only key is 'command'.",
            "manifest",
            name=path.name,
            keys=str(unknown),
        )
    if "command" not in data:
        raise ArchiveError(
            "%(name)s must set 'command', for example command: [python, main.py].", "manifest", name=path.name
        )
    return parse_command(data["command"], path.name)
