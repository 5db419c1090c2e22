"""Challenge bundles: a folder or zip with challenge.yaml, validated and installed."""

from arena.challenges.bundles.fields import Problems
from arena.challenges.bundles.install import SLUG_TAKEN, ImportReport, import_bundle, validate_bundle
from arena.challenges.bundles.loader import MAX_BUNDLE_BYTES, MAX_BUNDLE_FILES
from arena.challenges.bundles.phasefields import SETTING_KEYS, PhaseSettings, read_phase_settings
from arena.challenges.bundles.reader import (
    MAX_TEXT_BYTES,
    PHASE_KEYS,
    PROGRAM_SCORER,
    TEXT_PAGES,
    read_kind,
    read_scoring,
    read_spec,
    read_target_columns,
)
from arena.challenges.bundles.rule_numbers import QuotedKind, RulesMismatch, rules_mismatches
from arena.challenges.bundles.spec import ChallengeSpec, FileSpec, PhaseSpec, TrackSpec
from arena.challenges.bundles.stages import read_advancement
from arena.challenges.bundles.targets import read_targets

__all__ = [
    "MAX_BUNDLE_BYTES",
    "MAX_BUNDLE_FILES",
    "MAX_TEXT_BYTES",
    "PHASE_KEYS",
    "read_advancement",
    "read_kind",
    "read_scoring",
    "read_target_columns",
    "read_targets",
    "PROGRAM_SCORER",
    "SETTING_KEYS",
    "TEXT_PAGES",
    "PhaseSettings",
    "Problems",
    "read_phase_settings",
    "SLUG_TAKEN",
    "ChallengeSpec",
    "FileSpec",
    "ImportReport",
    "PhaseSpec",
    "QuotedKind",
    "RulesMismatch",
    "TrackSpec",
    "import_bundle",
    "read_spec",
    "rules_mismatches",
    "validate_bundle",
]
