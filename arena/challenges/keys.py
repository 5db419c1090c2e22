"""Checking a hidden key against its track: ids unique, truth values within the declared targets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import pandas as pd

import scorers
from arena.errors import InvalidInput

PROGRAM_SCORER = "program"


class InvalidKey(InvalidInput):
    """A hidden key does not fit its track (repeated ids, labels outside the declared set…)."""

    code = "invalid_key"


class TrackLike(Protocol):
    """What checking a key needs to know of a track (a Track row or a bundle's TrackSpec); read only."""

    @property
    def scorer(self) -> str: ...

    @property
    def scorer_options(self) -> dict[str, Any]: ...

    @property
    def id_column(self) -> str: ...

    @property
    def target_columns(self) -> list[str]: ...


def track_scorer(scorer: str, options: Mapping[str, Any] | None) -> scorers.Scorer | None:
    """Return the track's built-in scorer (None for a track scored by its own program)."""
    return None if scorer == PROGRAM_SCORER else scorers.get_scorer(scorer, dict(options or {}))


def resolved_targets(track: TrackLike, declared: Mapping[str, Any] | None) -> dict[str, scorers.Target]:
    """Return the track's targets from their stored (or declared) form, over the scorer's defaults."""
    scorer = track_scorer(track.scorer, track.scorer_options)
    stored = scorers.targets_from_dict(declared)
    if scorer is None:
        return stored
    defaults = scorer.prediction_targets(track.target_columns)
    return {**defaults, **{name: target for name, target in stored.items() if name in defaults}}


def check_key(data: bytes, track: TrackLike, targets: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Check a hidden key for a track; raise InvalidKey naming the first problem, return the parsed key.

    ``targets`` is the track's stored targets (``Track.targets``); without it the scorer's defaults apply.
    """
    try:
        resolved = resolved_targets(track, targets if targets is not None else getattr(track, "targets", None))
        return scorers.check_key(data, id_column=track.id_column, target_columns=track.target_columns, targets=resolved)
    except scorers.ScorerConfigError as exc:
        raise InvalidKey(exc.message.replace("%", "%%")) from None
