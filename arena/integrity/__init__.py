"""Integrity signals: duplicate files and probing, for organizers to review."""

from arena.integrity.adaptive import AdaptiveRule, check_adaptive_probing
from arena.integrity.signals import (
    ProbingRule,
    check_accepted,
    check_scored,
    dismiss_signal,
    get_signal,
    list_signals,
    signal_dict,
)

__all__ = [
    "AdaptiveRule",
    "ProbingRule",
    "check_accepted",
    "check_adaptive_probing",
    "check_scored",
    "dismiss_signal",
    "get_signal",
    "list_signals",
    "signal_dict",
]
