"""Moderation: hiding submissions, disqualifying teams, baselines, with audited reasons."""

from arena.moderation.decisions import (
    removed_items,
    set_submission_baseline,
    set_submission_hidden,
    set_team_baseline,
    set_team_disqualified,
)

__all__ = [
    "removed_items",
    "set_submission_baseline",
    "set_submission_hidden",
    "set_team_baseline",
    "set_team_disqualified",
]
