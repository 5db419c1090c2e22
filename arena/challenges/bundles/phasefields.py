"""A phase's settings (window, quotas, split, freeze, selection, Ladder): the one check the importer and the
organizer console share, so that both refuse the same values with the same messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from arena.challenges.bundles.fields import Problems

# The keys of a phase entry that this check reads (the importer's PHASE_KEYS hold them and the files).
SETTING_KEYS = (
    "opens",
    "closes",
    "daily_quota",
    "total_quota",
    "concurrent_quota",
    "public_fraction",
    "hide_logs",
    "split_seed",
    "count_participant_failures",
    "freeze_at",
    "final_selection_max",
    "use_ladder",
)


@dataclass(frozen=True)
class PhaseSettings:
    """A phase's checked settings; ``split_seed`` is None when the entry leaves it to the default."""

    opens: datetime
    closes: datetime
    daily_quota: int
    total_quota: int | None
    concurrent_quota: int | None
    public_fraction: float
    hide_logs: bool
    split_seed: str | None
    count_participant_failures: bool
    freeze_at: datetime | None
    final_selection_max: int | None
    use_ladder: bool


def read_phase_settings(p: Problems, entry: dict[str, Any], at: str) -> PhaseSettings | None:
    """Check a phase entry's settings, recording each problem under ``at``; None when a required one is wrong."""
    opens = p.timestamp(entry, "opens", at)
    closes = p.timestamp(entry, "closes", at)
    if opens and closes and closes <= opens:
        p.add(_field(at, "closes"), "must be later than opens")
    daily = p.integer(entry, "daily_quota", at, low=1, high=10_000, default=5)
    total = p.integer(entry, "total_quota", at, low=1, high=1_000_000, default=None)
    fraction = p.number(entry, "public_fraction", at, low=0.0, high=1.0)
    hide_logs = p.boolean(entry, "hide_logs", at, False)
    concurrent = p.integer(entry, "concurrent_quota", at, low=1, high=1000, default=None)
    split_seed = p.string(entry, "split_seed", at, default=None)
    count_failures = p.boolean(entry, "count_participant_failures", at, True)
    freeze_at = p.timestamp(entry, "freeze_at", at) if "freeze_at" in entry else None
    if freeze_at and opens and closes and not opens < freeze_at < closes:
        p.add(_field(at, "freeze_at"), "must be between opens and closes")
    final_selection_max = p.integer(entry, "final_selection_max", at, low=1, high=100, default=None)
    use_ladder = p.boolean(entry, "use_ladder", at, False)
    if opens is None or closes is None or daily is None or fraction is None:
        return None
    return PhaseSettings(
        opens=opens,
        closes=closes,
        daily_quota=daily,
        total_quota=total,
        concurrent_quota=concurrent,
        public_fraction=fraction,
        hide_logs=hide_logs,
        split_seed=split_seed or None,
        count_participant_failures=count_failures,
        freeze_at=freeze_at,
        final_selection_max=final_selection_max,
        use_ladder=use_ladder,
    )


def _field(at: str, key: str) -> str:
    return f"{at}.{key}" if at else key
