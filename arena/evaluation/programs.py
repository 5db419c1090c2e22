"""Organizer scoring programs: a bundle's own scorer, run in a sandbox container of its own.

The program is the only container that ever sees the hidden key. It gets, read-only at ``/data``:

- ``labels.csv`` — the phase's hidden key,
- ``split.csv`` — ``<id column>,split`` with ``public`` or ``private`` for every row of the key,
- ``predictions.csv`` — the participant's predictions as uploaded (or as their code wrote them),

and writes ``/output/scores.json``: either ``{"public": {"score": …, "metrics": {…}, "per_case": […]},
"private": {…}}`` (``metrics`` and ``per_case`` optional), or ``{"error": "message for the participant"}``
when the predictions are invalid.
"""

from __future__ import annotations

import io
import json
import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from arena.boards import public_mask
from arena.enums import Split
from arena.evaluation.coderuns import InfrastructureFailure
from arena.evaluation.scoring import InvalidPredictions, ScorerBroken, SplitScore
from arena.models import Phase
from arena.settings import Settings
from arena.storage import BlobStore
from sandbox import Limits, Outcome, Runner, RunSpec
from sandbox.manifest import read_manifest

SCORES_FILE = "scores.json"
PROGRAM_LIMITS = Limits(wall_seconds=600, memory_mb=2048, output_mb=64)


def _prepare_inputs(store: BlobStore, phase: Phase, predictions: bytes, data_dir: Path) -> tuple[int, int]:
    labels = store.read_bytes(phase.labels_sha256)
    id_column = phase.track.id_column
    ids = pd.read_csv(io.BytesIO(labels), usecols=[id_column], dtype=str, keep_default_na=False)[id_column]
    mask = public_mask([i.strip() for i in ids], phase.split_seed, phase.public_fraction)
    data_dir.mkdir(parents=True)
    (data_dir / "labels.csv").write_bytes(labels)
    (data_dir / "predictions.csv").write_bytes(predictions)
    split = pd.DataFrame({id_column: ids, "split": np.where(mask, Split.PUBLIC.value, Split.PRIVATE.value)})
    split.to_csv(data_dir / "split.csv", index=False)
    for path in data_dir.iterdir():
        path.chmod(0o644)
    data_dir.chmod(0o755)
    return int(mask.sum()), len(mask)


def _split_score(split: Split, entry: Any) -> SplitScore:
    if not isinstance(entry, dict) or not isinstance(entry.get("score"), int | float):
        raise ScorerBroken(f"scores.json: '{split}' must be an object with a numeric 'score'")
    metrics = entry.get("metrics") or {}
    per_case = entry.get("per_case") or []
    if not isinstance(metrics, dict) or not all(isinstance(v, int | float) for v in metrics.values()):
        raise ScorerBroken(f"scores.json: '{split}.metrics' must map names to numbers")
    if not isinstance(per_case, list) or not all(isinstance(v, int | float) for v in per_case):
        raise ScorerBroken(f"scores.json: '{split}.per_case' must be a list of numbers")
    if not math.isfinite(float(entry["score"])):
        raise ScorerBroken(f"scores.json: '{split}.score' must be a finite number")
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(per_case, dtype=np.float64), allow_pickle=False)
    return SplitScore(
        split=split,
        primary=float(entry["score"]),
        metrics={str(k): float(v) for k, v in metrics.items()},
        cases=len(per_case),
        per_case=buffer.getvalue(),
    )


def run_scoring_program(
    settings: Settings, store: BlobStore, phase: Phase, predictions: bytes, runner: Runner, workdir: Path
) -> list[SplitScore]:
    """Run the track's scoring program on the predictions and return its per-split scores."""
    track = phase.track
    shutil.rmtree(workdir, ignore_errors=True)
    try:
        public_rows, total_rows = _prepare_inputs(store, phase, predictions, workdir / "data")
        (workdir / "output").mkdir()
        program = store.tree_path(track.scoring_program_sha256)
        entry = read_manifest(program)
        spec = RunSpec(
            image=str((track.runner or {}).get("image") or settings.runner_image),
            command=entry.command,
            code_dir=entry.root.absolute(),
            input_dir=(workdir / "data").absolute(),
            output_dir=(workdir / "output").absolute(),
            env={"ARENA_INPUT": "/data", "ARENA_OUTPUT": "/output"},
            limits=PROGRAM_LIMITS,
            runtime=str((track.runner or {}).get("runtime") or settings.sandbox_runtime or "runc"),
            labels={"arena.evaluation.scoring": track.slug, "arena.phase": str(phase.id)},
        )
        result = runner.run(spec)
        if result.outcome == Outcome.INFRASTRUCTURE_ERROR:
            raise InfrastructureFailure(result.error or "the sandbox could not run the scoring program", result)
        if result.outcome != Outcome.OK:
            detail = result.error or result.stderr[-2000:]
            raise ScorerBroken(f"the scoring program ended with {result.outcome}: {detail}")
        scores_path = workdir / "output" / SCORES_FILE
        if not scores_path.is_file():
            raise ScorerBroken(f"the scoring program wrote no /output/{SCORES_FILE}")
        try:
            report = json.loads(scores_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ScorerBroken(f"/output/{SCORES_FILE} is not valid JSON: {exc}") from None
        if isinstance(report, dict) and isinstance(report.get("error"), str):
            raise InvalidPredictions(report["error"][:2000])
        if not isinstance(report, dict):
            raise ScorerBroken(f"/output/{SCORES_FILE} must be a JSON object")
        splits = [Split.PUBLIC] if public_rows else []
        splits += [Split.PRIVATE] if public_rows < total_rows else []
        return [_split_score(split, report.get(split.value)) for split in splits]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
