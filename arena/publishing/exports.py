"""Exporting a challenge back to a bundle: challenge.yaml, pages, public and hidden files in one zip.

Importing the zip gives the same challenge (tests/arena/test_publishing_export.py compares every field).
The zip holds the hidden keys, the code inputs and the split seeds, so only organizers may download it.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.errors import Conflict
from arena.models import Challenge, Final, Phase, RubricCriterion, Track
from arena.publishing.structure import structure_problems
from arena.storage import BlobStore

MIB = 1024 * 1024
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and v != {} and v != ""}


class _Writer:
    """Collects the zip's members, always with the same timestamps so the same challenge gives the same bytes."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED)

    def add(self, name: str, data: bytes) -> str:
        info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        return name

    def add_tree(self, folder: str, root: Path) -> str:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            self.add(f"{folder}/{path.relative_to(root).as_posix()}", path.read_bytes())
        return folder

    def close(self) -> bytes:
        self.zip.close()
        return self.buffer.getvalue()


def _reference_name(store: BlobStore, track: Track, sha: str, stem: str) -> str:
    if track.kind != "code":
        return f"{stem}.csv"
    with store.path_for(sha).open("rb") as handle:
        head = handle.read(4)
    return f"{stem}.zip" if head.startswith(b"PK") else f"{stem}.tar.gz"


def _phase(out: _Writer, store: BlobStore, track: Track, phase: Phase) -> dict[str, Any]:
    base = f"hidden/{track.slug}/{phase.slug}"
    item: dict[str, Any] = {
        "slug": phase.slug,
        "title": dict(phase.title),
        "opens": _time(phase.opens_at),
        "closes": _time(phase.closes_at),
        "daily_quota": phase.daily_quota,
        "total_quota": phase.total_quota,
        "concurrent_quota": phase.concurrent_quota,
        "public_fraction": phase.public_fraction,
        "labels": out.add(f"{base}/labels.csv", store.read_bytes(phase.labels_sha256)),
        "hide_logs": phase.hide_logs,
        "split_seed": phase.split_seed,
        "count_participant_failures": phase.count_participant_failures,
        "advancement": dict(phase.advancement or {}) or None,
        "freeze_at": _time(phase.freeze_at),
        "final_selection_max": phase.final_selection_max,
        "use_ladder": phase.use_ladder,
    }
    if phase.inputs_sha256:
        item["inputs"] = out.add_tree(f"{base}/inputs", store.tree_path(phase.inputs_sha256))
    for key, sha in (("sample_submission", phase.sample_sha256), ("baseline", phase.baseline_sha256)):
        if sha:
            name = _reference_name(store, track, sha, key)
            item[key] = out.add(f"references/{track.slug}/{phase.slug}/{name}", store.read_bytes(sha))
    return _drop_empty(item)


def _track(out: _Writer, store: BlobStore, track: Track) -> dict[str, Any]:
    item: dict[str, Any] = {
        "slug": track.slug,
        "kind": track.kind,
        "title": dict(track.title),
        "scorer": track.scorer,
        "scorer_options": dict(track.scorer_options or {}),
        "direction": track.direction,
        "id_column": track.id_column,
        "target_columns": list(track.target_columns),
        "precision": track.precision,
        "max_upload_mb": max(1, track.max_upload_bytes // MIB),
    }
    if track.targets:
        # The resolved declaration reads back to itself; ``truth`` is the scorer's own, not declared.
        item["targets"] = {
            column: {key: value for key, value in spec.items() if key != "truth"}
            for column, spec in track.targets.items()
        }
    if track.kind == "code":
        runner = dict(track.runner or {})
        item["runner"] = _drop_empty(
            {
                "image": runner.get("image"),
                "runtime": runner.get("runtime"),
                "limits": dict(runner.get("limits") or {}),
                "resource_class": runner.get("resource_class"),
            }
        )
    if track.scoring_program_sha256:
        item["scoring_program"] = out.add_tree(f"scoring/{track.slug}", store.tree_path(track.scoring_program_sha256))
    item["phases"] = [_phase(out, store, track, phase) for phase in track.phases]
    return item


def _final(session: Session, challenge: Challenge) -> dict[str, Any] | None:
    final = session.scalar(select(Final).where(Final.challenge_id == challenge.id).order_by(Final.id).limit(1))
    if final is None:
        return None
    names = {ph.id: f"{t.slug}/{ph.slug}" for t in challenge.tracks for ph in t.phases}
    rubric = session.scalars(
        select(RubricCriterion).where(RubricCriterion.final_id == final.id).order_by(RubricCriterion.position)
    )
    return _drop_empty(
        {
            "title": dict(final.title),
            "sources": [names[i] for i in final.source_phase_ids if i in names],
            "materials_due": _time(final.materials_due_at),
            "pitch_at": _time(final.pitch_at),
            "venue": final.venue,
            "appeal_deadline": _time(final.appeal_deadline),
            "formula": dict(final.formula),
            "aggregation": final.aggregation,
            "trim_min_judges": final.trim_min_judges,
            "missing_rule": final.missing_rule,
            "blind": final.blind,
            "tolerance": final.tolerance,
            "report_max_mb": max(1, final.report_max_bytes // MIB),
            "rubric": [
                _drop_empty(
                    {
                        "name": dict(c.name),
                        "description": dict(c.description or {}),
                        "weight": c.weight,
                        "min": c.min_points,
                        "max": c.max_points,
                        "step": c.step,
                    }
                )
                for c in rubric
            ],
        }
    )


def export_bundle(session: Session, store: BlobStore, challenge: Challenge) -> bytes:
    """Return the challenge as a zip bundle that ``arena challenges import`` reads back to the same challenge.

    Conflict when a track or phase added in the console still lacks what a bundle needs (a phase, a key).
    """
    missing = structure_problems(challenge)
    if missing:
        template, params = missing[0]
        raise Conflict(template, params=params)
    out = _Writer()
    text = {
        page: {lang: out.add(f"pages/{page}.{lang}.md", body.encode("utf-8")) for lang, body in langs.items()}
        for page, langs in (challenge.text or {}).items()
    }
    files = [
        _drop_empty(
            {
                "path": out.add(f.path, store.read_bytes(f.sha256)),
                "title": dict(f.title or {}),
                "available_from": _time(f.available_from),
            }
        )
        for f in challenge.files
    ]
    data = _drop_empty(
        {
            "format": 1,
            "slug": challenge.slug,
            "title": dict(challenge.title),
            "summary": dict(challenge.summary or {}),
            "text": text,
            "team_size_max": challenge.team_size_max,
            "entry_deadline": _time(challenge.entry_deadline),
            "merge_deadline": _time(challenge.merge_deadline),
            "person_daily_quota": challenge.person_daily_quota,
            "public_files": files,
            "tracks": [_track(out, store, track) for track in challenge.tracks],
            "final": _final(session, challenge),
        }
    )
    header = "# Exported by Arena. It holds the hidden keys and split seeds: keep it private.\n"
    out.add("challenge.yaml", (header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)).encode("utf-8"))
    return out.close()
