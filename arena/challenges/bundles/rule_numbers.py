"""Numbers a bundle's rules text quotes that its configuration contradicts: warnings for the organizer at import.

The challenge page shows the configured figures itself (the key facts), so a rules text need not quote any;
when it does, the importer looks for a few unambiguous phrasings in English and Chinese ("up to 5 submissions
per day", "每天最多提交 5 次", "teams of up to 3", "每队最多 3 人", "100 in total", "共 100 次") and for talk of
selecting final submissions. A number is reported only when it matches none of the configured values of its
kind (any phase's quota will do, since one text often covers several phases), so a warning is never a guess.
It is a warning, not a refusal: the text may be right about something the patterns misread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from arena.challenges.bundles.spec import ChallengeSpec


class QuotedKind(StrEnum):
    """What a quoted number is about."""

    DAILY = "daily"
    TOTAL = "total"
    TEAM_SIZE = "team_size"
    SELECTION = "selection"


_N = r"\**\s*(\d+)\s*\**"
_PER = r"(?:per|a|each)\s+"
_PATTERNS: dict[QuotedKind, tuple[re.Pattern[str], ...]] = {
    QuotedKind.DAILY: (
        re.compile(rf"(?:up to|at most|maximum of)\s+{_N}\s+submissions?\s+{_PER}(?:team\s+{_PER})?day", re.IGNORECASE),
        re.compile(rf"每(?:队)?每?[天日](?:（UTC）|\(UTC\))?\s*最多(?:提交)?\s*{_N}\s*次"),
    ),
    QuotedKind.TOTAL: (
        re.compile(rf"(?<![\d.]){_N}\s+(?:submissions\s+)?in total", re.IGNORECASE),
        re.compile(rf"(?:总计|总共|共)\s*(?:最多)?\s*{_N}\s*次"),
    ),
    QuotedKind.TEAM_SIZE: (
        re.compile(rf"teams?\s+of\s+(?:up to|at most)\s+{_N}\s+(?:people|persons|members)", re.IGNORECASE),
        re.compile(rf"每(?:支)?(?:队|队伍)最多\s*{_N}\s*(?:人|名)"),
    ),
    QuotedKind.SELECTION: (
        re.compile(r"\bselect\s+(?:your\s+|the\s+)?(?:final\s+)?submissions?\b", re.IGNORECASE),
        re.compile(r"选定最终提交|选择计入私有排行榜的提交|选择最终提交"),
    ),
}


@dataclass(frozen=True)
class RulesMismatch:
    """A phrase of a rules text that the configuration contradicts."""

    field: str
    kind: QuotedKind
    quoted: str
    configured: tuple[int, ...]

    def __str__(self) -> str:
        """Describe the mismatch in English (command line and audit log)."""
        if self.kind is QuotedKind.SELECTION:
            return f"{self.field}: {self.quoted!r} asks teams to select submissions, but no phase enables selection"
        values = ", ".join(str(v) for v in self.configured) or "none"
        return f"{self.field}: {self.quoted!r} disagrees with the configured {self.kind.value} ({values})"


def _configured(spec: ChallengeSpec) -> dict[QuotedKind, set[int]]:
    phases = [phase for track in spec.tracks for phase in track.phases]
    daily = {phase.daily_quota for phase in phases}
    if spec.person_daily_quota:
        daily.add(spec.person_daily_quota)
    return {
        QuotedKind.DAILY: daily,
        QuotedKind.TOTAL: {phase.total_quota for phase in phases if phase.total_quota},
        QuotedKind.TEAM_SIZE: {spec.team_size_max},
        QuotedKind.SELECTION: {phase.final_selection_max for phase in phases if phase.final_selection_max},
    }


def rules_mismatches(spec: ChallengeSpec) -> list[RulesMismatch]:
    """Return the numbers (and selection talk) in ``spec``'s rules texts that its configuration contradicts."""
    configured = _configured(spec)
    found: list[RulesMismatch] = []
    for language, text in sorted(spec.text.get("rules", {}).items()):
        for kind, patterns in _PATTERNS.items():
            allowed = configured[kind]
            for pattern in patterns:
                for match in pattern.finditer(text):
                    if kind is QuotedKind.SELECTION:
                        wrong = not allowed
                    else:
                        wrong = int(match.group(1)) not in allowed
                    if wrong:
                        quoted = " ".join(match.group(0).replace("*", "").split())
                        found.append(RulesMismatch(f"text.rules.{language}", kind, quoted, tuple(sorted(allowed))))
    return found
