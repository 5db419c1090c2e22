"""Checking a result file against the phase's hidden key and the track's targets before it is accepted.

The check is the one the worker makes again before scoring (``arena.evaluation.scoring``): the scorer's
own reading of the file (header, encoding, ids unique, every key id present, no unknown id, numbers finite)
plus the declared targets (labels in the set, numbers in range, ranked items known). Messages never reveal
the key: they name the participant's own rows.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

import scorers
from arena.challenges import resolved_targets
from arena.errors import InvalidInput
from arena.models import Phase
from arena.storage import BlobStore

PROGRAM_SCORER = "program"


class InvalidPredictionsFile(InvalidInput):
    """A result file that cannot be scored; ``code`` names the problem, ``rows`` the first offending rows."""

    code = "invalid_predictions"

    def __init__(self, error: scorers.PredictionFileError) -> None:
        super().__init__(error.template, field="file", params=error.params)
        self.code = error.code
        self.rows = [row.to_dict() for row in error.offending]


@lru_cache(maxsize=4)
def _key(path: str, sha256: str, id_column: str, target_columns: tuple[str, ...]) -> pd.DataFrame:
    """Parse a hidden key once per process (keys are immutable: named by their sha256)."""
    with open(path, "rb") as handle:
        return scorers.read_key(handle.read(), id_column=id_column, target_columns=list(target_columns))


def phase_key(store: BlobStore, phase: Phase) -> pd.DataFrame:
    """Return the phase's parsed hidden key."""
    track = phase.track
    path = str(store.path_for(phase.labels_sha256))
    return _key(path, phase.labels_sha256, track.id_column, tuple(track.target_columns))


def check_result_file(store: BlobStore, phase: Phase, data: bytes, *, max_bytes: int) -> None:
    """Refuse a result file the worker would refuse, with InvalidPredictionsFile; tracks scored by a program
    are left to it."""
    track = phase.track
    if track.scorer == PROGRAM_SCORER:
        return
    try:
        key = phase_key(store, phase)
        scorer = scorers.get_scorer(track.scorer, track.scorer_options)
        targets = resolved_targets(track, track.targets)
    except (scorers.ScorerConfigError, OSError):
        return  # the organizers' problem, not the participant's: the worker records it as infrastructure
    try:
        scorers.check_predictions(
            scorer,
            data,
            key,
            id_column=track.id_column,
            target_columns=track.target_columns,
            targets=targets,
            max_bytes=max_bytes,
        )
    except scorers.PredictionFileError as exc:
        raise InvalidPredictionsFile(exc) from None
