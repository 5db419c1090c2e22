"""Reading a track's reference submissions: the ``sample_submission`` and ``baseline`` a dry run scores.

Both may be given on the track (for every phase) or on a phase (overriding the track). A path is looked up
under the built data first and then in the bundle folder. Result tracks name a predictions file; code tracks
name a folder of code (zipped at import) or a ``.zip`` / ``.tar.gz`` archive.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from arena.challenges.bundles.fields import Problems
from arena.challenges.bundles.spec import PhaseSpec

REFERENCE_KEYS = ("sample_submission", "baseline")
ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz")
# A fixed timestamp makes zipping the same folder give the same bytes (and so the same sha256).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def read_references(
    p: Problems,
    track: dict[str, Any],
    phases_raw: Any,
    phases: list[PhaseSpec],
    where: str,
    roots: tuple[Path, Path],
    kind: Any,
) -> list[PhaseSpec]:
    """Return ``phases`` with their sample submission and baseline paths resolved (phase keys override the track's)."""
    defaults = {key: _path(p, track, key, where, roots, kind) for key in REFERENCE_KEYS if key in track}
    raw_by_slug = {}
    if isinstance(phases_raw, list):
        for index, entry in enumerate(phases_raw):
            if isinstance(entry, dict) and isinstance(entry.get("slug"), str):
                raw_by_slug[entry["slug"].strip()] = (index, entry)
    resolved = []
    for phase in phases:
        index, entry = raw_by_slug.get(phase.slug, (0, {}))
        found = dict(defaults)
        for key in REFERENCE_KEYS:
            if key in entry:
                found[key] = _path(p, entry, key, f"{where}.phases[{index}]", roots, kind)
        resolved.append(
            dataclasses.replace(phase, sample_submission=found.get("sample_submission"), baseline=found.get("baseline"))
        )
    return resolved


def _path(p: Problems, data: dict[str, Any], key: str, where: str, roots: tuple[Path, Path], kind: Any) -> Path | None:
    raw = data.get(key)
    if not isinstance(raw, str) or not raw.strip():
        p.add(f"{where}.{key}", "must be a path inside the bundle")
        return None
    pure = PurePosixPath(raw.strip())
    if pure.is_absolute() or ".." in pure.parts or "\\" in raw:
        p.add(f"{where}.{key}", f"{raw!r} must be a relative path inside the bundle, without '..'")
        return None
    for root in roots:
        path = root / pure
        if path.is_symlink() or not path.resolve().is_relative_to(root.resolve()):
            p.add(f"{where}.{key}", f"{raw!r} must not be a link or lead outside the bundle")
            return None
        if path.is_file() or (kind == "code" and path.is_dir()):
            if kind == "code" and path.is_file() and not path.name.endswith(ARCHIVE_SUFFIXES):
                p.add(f"{where}.{key}", f"{raw!r} must be a folder of code or a .zip or .tar.gz archive")
                return None
            return path
    what = "folder or archive" if kind == "code" else "predictions file"
    p.add(f"{where}.{key}", f"the {what} {raw!r} does not exist")
    return None


def zip_folder(folder: Path) -> bytes:
    """Zip a folder's files with paths relative to it, always to the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(f for f in folder.rglob("*") if f.is_file() and "__pycache__" not in f.parts):
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def reference_bytes(path: Path | None) -> bytes | None:
    """Return what to store for a reference submission: the file, or a folder zipped."""
    if path is None:
        return None
    return zip_folder(path) if path.is_dir() else path.read_bytes()
