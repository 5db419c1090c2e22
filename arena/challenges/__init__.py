"""Challenges, tracks and phases: lookups, phase rules (quotas, advancement) and bundle import."""

from arena.challenges.advancement import (
    admit,
    advance,
    entries,
    is_admitted,
    last_advancement,
    not_admitted_message,
    rule_of,
    source_phase,
)
from arena.challenges.bundles import (
    SLUG_TAKEN,
    ImportReport,
    QuotedKind,
    RulesMismatch,
    import_bundle,
    read_spec,
    rules_mismatches,
)
from arena.challenges.catalog import (
    Download,
    PhaseState,
    get_challenge,
    get_challenge_by_id,
    get_phase,
    list_challenges,
    phase_state,
    public_file_download,
    visible_files,
)
from arena.challenges.keys import InvalidKey, check_key, resolved_targets
from arena.challenges.quotas import QuotaStatus, allowance_by, check_quota, quota_status, used_in_phase

__all__ = [
    "SLUG_TAKEN",
    "ImportReport",
    "read_spec",
    "Download",
    "InvalidKey",
    "PhaseState",
    "QuotedKind",
    "RulesMismatch",
    "QuotaStatus",
    "admit",
    "advance",
    "allowance_by",
    "check_key",
    "check_quota",
    "entries",
    "get_challenge",
    "get_challenge_by_id",
    "get_phase",
    "import_bundle",
    "is_admitted",
    "last_advancement",
    "list_challenges",
    "not_admitted_message",
    "phase_state",
    "public_file_download",
    "quota_status",
    "resolved_targets",
    "rule_of",
    "rules_mismatches",
    "source_phase",
    "used_in_phase",
    "visible_files",
]
