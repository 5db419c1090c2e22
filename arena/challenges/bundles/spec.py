"""The parsed, validated form of a challenge bundle's ``challenge.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class FileSpec:
    """A public file served to participants."""

    path: str
    source: Path
    title: dict[str, str] = field(default_factory=dict)
    available_from: datetime | None = None


@dataclass(frozen=True)
class PhaseSpec:
    """A phase of a track as declared in the bundle."""

    slug: str
    title: dict[str, str]
    opens: datetime
    closes: datetime
    daily_quota: int
    total_quota: int | None
    public_fraction: float
    labels: Path
    inputs: Path | None = None
    hide_logs: bool = False
    concurrent_quota: int | None = None
    split_seed: str | None = None
    count_participant_failures: bool = True
    advancement: dict[str, Any] = field(default_factory=dict)
    freeze_at: datetime | None = None
    final_selection_max: int | None = None
    use_ladder: bool = False
    sample_submission: Path | None = None
    baseline: Path | None = None


@dataclass(frozen=True)
class TrackSpec:
    """A track as declared in the bundle."""

    slug: str
    kind: str
    title: dict[str, str]
    scorer: str
    scorer_options: dict[str, Any]
    direction: str
    id_column: str
    target_columns: list[str]
    precision: int
    max_upload_bytes: int
    runner: dict[str, Any]
    phases: list[PhaseSpec]
    scoring_program: Path | None = None
    targets: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SealedSpec:
    """A sealed final test set of one source phase: hidden inputs and a key that reproduction scores against."""

    track: str
    phase: str
    inputs: Path
    labels: Path


@dataclass(frozen=True)
class FinalSpec:
    """The on-site final as declared in the bundle; sources are (track slug, phase slug) pairs."""

    title: dict[str, str]
    sources: list[tuple[str, str]]
    materials_due_at: datetime | None
    pitch_at: datetime | None
    venue: str
    appeal_deadline: datetime | None
    formula: dict[str, Any]
    aggregation: str
    trim_min_judges: int
    missing_rule: str
    blind: bool
    tolerance: float
    report_max_bytes: int
    rubric: list[dict[str, Any]]
    sealed: list[SealedSpec] = field(default_factory=list)


@dataclass(frozen=True)
class ChallengeSpec:
    """A whole validated bundle, with file paths resolved."""

    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    text: dict[str, dict[str, str]]
    team_size_max: int
    entry_deadline: datetime | None
    merge_deadline: datetime | None
    public_files: list[FileSpec]
    tracks: list[TrackSpec]
    bundle_sha256: str
    person_daily_quota: int | None = None
    final: FinalSpec | None = None
