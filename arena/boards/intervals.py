"""The private board's bootstrap statistics, read from the materialized rows and the stored per-case values.

``refresh_statistics`` recomputes CIs, rank intervals and statistical ties for the top ``STATISTICS_TOP`` rows
of the private board (the numbers themselves come from ``arena.boards.statistics``); ``Phase.statistics_stale`` says
a change is waiting for it.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

import scorers
from arena.boards.board import Board, board_filter, ordering
from arena.boards.ranking import higher_is_better, per_case_values
from arena.boards.splits import public_mask
from arena.boards.statistics import Floats, board_seed, board_statistics
from arena.enums import Split
from arena.models import LeaderboardEntry, Phase, Score
from arena.storage import BlobStore

STATISTICS_TOP = 200


def refresh_statistics(session: Session, store: BlobStore, phase: Phase, top: int = STATISTICS_TOP) -> None:
    """Recompute bootstrap CIs, rank intervals and statistical ties for the private board's top rows."""
    phase.statistics_stale = False
    entries = list(
        session.scalars(
            select(LeaderboardEntry).where(*board_filter(phase, Board.PRIVATE)).order_by(*ordering()).limit(top)
        )
    )
    if not entries:
        session.flush()
        return
    found = session.execute(
        select(Score.submission_id, Score.per_case_sha256).where(
            Score.submission_id.in_([e.submission_id for e in entries]),
            Score.split == Split.PRIVATE.value,
            Score.version == phase.score_version,
        )
    )
    shas = {submission_id: sha for submission_id, sha in found}
    arrays = [_cached_values(store, shas.get(e.submission_id, "")) for e in entries]
    lengths = [len(a) for a in arrays]
    cases = max(set(lengths), key=lengths.count)
    usable = [i for i, n in enumerate(lengths) if n == cases and n > 0]
    for entry in entries:
        entry.ci_low = entry.ci_high = None
        entry.rank_low = entry.rank_high = None
        entry.statistical_tie = False
    if not usable:
        session.flush()
        return
    values = np.vstack([arrays[i] for i in usable])
    primaries = np.array([entries[i].score for i in usable], dtype=np.float64)
    clusters = case_clusters(store, phase, Split.PRIVATE, cases)
    stats = board_statistics(
        primaries,
        values,
        higher_is_better=higher_is_better(phase),
        seed=board_seed(phase.id, Board.PRIVATE.value, phase.score_version),
        clusters=clusters,
    )
    for index, result in zip(usable, stats, strict=True):
        entry = entries[index]
        entry.ci_low, entry.ci_high = _finite(result.ci_low), _finite(result.ci_high)
        entry.rank_low, entry.rank_high = result.rank_low, result.rank_high
        entry.statistical_tie = result.statistical_tie
        entry.extra = {**(entry.extra or {}), "clustered": clusters is not None}
    session.flush()


def line_interval(
    session: Session, store: BlobStore, phase: Phase, entry: LeaderboardEntry
) -> tuple[float | None, float | None]:
    """The bootstrap 95% CI of one board row, as ``refresh_statistics`` computes it (same seed, same clusters).

    A row's CI depends only on its own per-case values and the board's resample weights, so computing it for
    one row gives the interval the whole board would give that row; nothing else is read or written.
    """
    board = Board(entry.split)
    split = board.ranked_split
    sha = session.scalar(
        select(Score.per_case_sha256).where(
            Score.submission_id == entry.submission_id, Score.split == split.value, Score.version == phase.score_version
        )
    )
    values = _cached_values(store, sha or "")
    if len(values) == 0:
        return None, None
    clusters = case_clusters(store, phase, split, len(values))
    return _row_interval(
        store,
        sha or "",
        float(entry.score),
        higher_is_better(phase),
        board_seed(phase.id, board.value, phase.score_version),
        None if clusters is None else clusters.tobytes(),
    )


@functools.lru_cache(maxsize=1024)
def _row_interval(
    store: BlobStore, sha256: str, score: float, higher: bool, seed: int, clusters: bytes | None
) -> tuple[float | None, float | None]:
    """Every argument fixes the answer (per-case values are content-addressed), so caching it is always right."""
    values = _values_by_path(store, sha256)
    (result,) = board_statistics(
        np.array([score], dtype=np.float64),
        values[None, :],
        higher_is_better=higher,
        seed=seed,
        clusters=None if clusters is None else np.frombuffer(clusters, dtype=np.int64),
    )
    return _finite(result.ci_low), _finite(result.ci_high)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


@functools.lru_cache(maxsize=4096)
def _values_by_path(store: BlobStore, sha256: str) -> Floats:
    return per_case_values(store, sha256)


def _cached_values(store: BlobStore, sha256: str) -> Floats:
    """Per-case values are content-addressed and immutable, so a process-wide cache is always right."""
    return _values_by_path(store, sha256)


def case_clusters(store: BlobStore, phase: Phase, split: Split, cases: int) -> np.ndarray[Any, Any] | None:
    """Return a cluster code per case when the track's scorer declares ``cluster_column`` (else None)."""
    track = phase.track
    column = (track.scorer_options or {}).get("cluster_column")
    if not column or track.scoring_program_sha256:
        return None
    codes = _clusters(
        store,
        phase.labels_sha256,
        phase.split_seed,
        phase.public_fraction,
        track.id_column,
        tuple(track.target_columns),
        track.scorer,
        str(column),
        split.value,
    )
    if codes is None or len(codes) != cases:
        return None
    return codes


@functools.lru_cache(maxsize=64)
def _clusters(
    store: BlobStore,
    labels_sha256: str,
    split_seed: str,
    fraction: float,
    id_column: str,
    targets: tuple[str, ...],
    scorer: str,
    column: str,
    split: str,
) -> np.ndarray[Any, Any] | None:
    try:
        key = scorers.read_key(store.read_bytes(labels_sha256), id_column=id_column, target_columns=list(targets))
        declared = getattr(scorers.get_scorer(scorer, {"cluster_column": column}), "clusters", None)
        names = declared(key) if callable(declared) else None
    except (scorers.ScorerConfigError, OSError, ValueError):
        return None
    if names is None:
        return None
    mask = public_mask([str(i) for i in key.index], split_seed, fraction)
    rows = mask if split == Split.PUBLIC.value else ~mask
    _, codes = np.unique(np.asarray(names, dtype=object)[rows], return_inverse=True)
    return codes.astype(np.int64)
