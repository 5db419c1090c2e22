"""Scoring a predictions file against a phase's hidden key, per split, with provenance."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

import scorers
from arena.challenges import resolved_targets
from arena.enums import Split
from arena.evaluation.keys import KEYS
from arena.models import Phase, Score, Submission, Track
from arena.storage import BlobStore

log = logging.getLogger(__name__)


class InvalidPredictions(Exception):
    """The predictions file is wrong in a way the participant can fix; ``message`` says how.

    ``template`` and ``params`` (when the scorer gave them) let pages show the message translated.
    """

    def __init__(self, message: str, *, template: str = "", params: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.template = template
        self.params = dict(params or {})


class ScorerBroken(Exception):
    """The scorer itself failed (a configuration or platform problem, not the participant's)."""


@dataclass(frozen=True)
class SplitScore:
    """A scorer's verdict on one split."""

    split: Split
    primary: float
    metrics: dict[str, float]
    cases: int
    per_case: bytes


@dataclass(frozen=True)
class KeyScore:
    """A scorer's verdict on every row of a key (a final's sealed test set has no public part)."""

    primary: float
    metrics: dict[str, float]
    cases: int


def _checked(
    store: BlobStore, track: Track, labels_sha256: str, data: bytes, max_bytes: int
) -> tuple[scorers.Scorer, pd.DataFrame, pd.DataFrame]:
    """Read the key and the scorer, and check the predictions against the key; return all three."""
    try:
        key = KEYS.key(store, labels_sha256, id_column=track.id_column, target_columns=track.target_columns)
        scorer = scorers.get_scorer(track.scorer, track.scorer_options)
        targets = resolved_targets(track, track.targets)
    except (scorers.ScorerConfigError, OSError) as exc:
        raise ScorerBroken(str(exc)) from exc
    try:
        # The upload made the same check; it is made again for code tracks' output and in depth.
        predictions = scorers.check_predictions(
            scorer,
            data,
            key,
            id_column=track.id_column,
            target_columns=track.target_columns,
            targets=targets,
            max_bytes=max_bytes,
        )
    except scorers.PredictionFileError as exc:
        raise InvalidPredictions(exc.message, template=exc.template, params=exc.params) from None
    return scorer, key, predictions


def score_against_key(store: BlobStore, track: Track, labels_sha256: str, data: bytes, *, max_bytes: int) -> KeyScore:
    """Validate ``data`` against another key than the phase's (a sealed set) and score it on all its rows."""
    scorer, key, predictions = _checked(store, track, labels_sha256, data, max_bytes)
    try:
        result = scorer.score(key, predictions)
    except Exception as exc:
        log.exception("scorer %s failed on a sealed key of track %s", track.scorer, track.id)
        raise ScorerBroken(f"the scorer {track.scorer!r} failed: {type(exc).__name__}") from exc
    return KeyScore(
        primary=float(result.primary),
        metrics={k: float(v) for k, v in result.metrics.items()},
        cases=len(key),
    )


def score_predictions(store: BlobStore, phase: Phase, data: bytes, *, max_bytes: int) -> list[SplitScore]:
    """Validate ``data`` against the phase's key and score it on the public and private split."""
    track = phase.track
    scorer, key, predictions = _checked(store, track, phase.labels_sha256, data, max_bytes)
    mask = KEYS.public_mask(phase.labels_sha256, key, phase.split_seed, phase.public_fraction)
    results = []
    for split, rows in ((Split.PUBLIC, mask), (Split.PRIVATE, ~mask)):
        if not rows.any():
            continue
        try:
            result = scorer.score(key.loc[rows], predictions.loc[rows])
        except Exception as exc:
            log.exception("scorer %s failed on phase %s", track.scorer, phase.id)
            raise ScorerBroken(f"the scorer {track.scorer!r} failed: {type(exc).__name__}") from exc
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(result.per_case, dtype=np.float64), allow_pickle=False)
        results.append(
            SplitScore(
                split=split,
                primary=float(result.primary),
                metrics={k: float(v) for k, v in result.metrics.items()},
                cases=int(rows.sum()),
                per_case=buffer.getvalue(),
            )
        )
    return results


def scorer_version(name: str, options: dict[str, object]) -> str:
    """Return the registered scorer's version string."""
    return scorers.get_scorer(name, options).version


def save_scores(
    session: Session,
    store: BlobStore,
    submission: Submission,
    results: list[SplitScore],
    *,
    image_digest: str = "",
) -> list[Score]:
    """Persist split scores for the phase's current score version, replacing earlier rows of that version."""
    phase = submission.phase
    track = phase.track
    if track.scoring_program_sha256:
        version = track.scoring_program_sha256[:12]
    else:
        version = scorer_version(track.scorer, track.scorer_options)
    for old in list(submission.scores):
        if old.version == phase.score_version:
            submission.scores.remove(old)
    session.flush()
    rows = []
    for result in results:
        row = Score(
            submission_id=submission.id,
            phase_id=phase.id,
            team_id=submission.team_id,
            split=result.split,
            version=phase.score_version,
            primary=result.primary,
            metrics=result.metrics,
            cases=result.cases,
            per_case_sha256=store.put_bytes(result.per_case),
            scorer_name=track.scorer,
            scorer_version=version,
            scorer_options=dict(track.scorer_options),
            labels_sha256=phase.labels_sha256,
            submission_sha256=submission.file_sha256,
            image_digest=image_digest,
        )
        submission.scores.append(row)
        rows.append(row)
    return rows
