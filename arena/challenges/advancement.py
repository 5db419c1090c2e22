"""Staged phases (初赛 → 复赛 → 决赛): who is admitted, advancing teams from the previous board, admitting by hand.

A phase is *staged* when its bundle declares ``advancement: {from: <phase>}``. Only teams with a
``PhaseEntry`` may submit to it; the others keep read-only access (boards and their own history).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import audit
from arena.boards import LeaderboardRow, leaderboard
from arena.enums import Direction, Split, TeamStatus
from arena.errors import Conflict, InvalidInput, NotFound
from arena.models import AuditEvent, Phase, PhaseEntry, Team, User
from arena.permissions import Action, actor_for, require
from arena.timestamps import rfc3339


@dataclass(frozen=True)
class AdvancementRule:
    """How teams reach a staged phase: the top N, or everyone at or beyond a threshold, on a board of ``source``."""

    source_slug: str
    split: Split
    top: int | None = None
    threshold: float | None = None

    @property
    def is_manual(self) -> bool:
        """Whether organizers admit every team by hand (no automatic rule)."""
        return self.top is None and self.threshold is None

    def to_dict(self) -> dict[str, Any]:
        """Return the rule as stored in ``Phase.advancement`` and shown by the API."""
        data: dict[str, Any] = {"from": self.source_slug, "split": self.split.value}
        if self.top is not None:
            data["top"] = self.top
        if self.threshold is not None:
            data["threshold"] = self.threshold
        return data


def rule_of(phase: Phase) -> AdvancementRule | None:
    """Return the phase's advancement rule, or None when the phase is open to every team."""
    raw = phase.advancement or {}
    if not raw.get("from"):
        return None
    top = raw.get("top")
    threshold = raw.get("threshold")
    return AdvancementRule(
        source_slug=str(raw["from"]),
        split=Split(raw.get("split", Split.PRIVATE.value)),
        top=int(top) if top is not None else None,
        threshold=float(threshold) if threshold is not None else None,
    )


def is_staged(phase: Phase) -> bool:
    """Whether only admitted teams may submit to ``phase``."""
    return rule_of(phase) is not None


def source_phase(session: Session, phase: Phase) -> Phase | None:
    """Return the phase whose board decides entry to ``phase``."""
    if phase.previous_phase_id is not None:
        return session.get(Phase, phase.previous_phase_id)
    rule = rule_of(phase)
    if rule is None:
        return None
    return session.scalar(select(Phase).where(Phase.track_id == phase.track_id, Phase.slug == rule.source_slug))


def entry_of(session: Session, phase: Phase, team_id: int) -> PhaseEntry | None:
    """Return the team's admission to ``phase``, if any."""
    return session.scalar(select(PhaseEntry).where(PhaseEntry.phase_id == phase.id, PhaseEntry.team_id == team_id))


def is_admitted(session: Session, phase: Phase, team_id: int) -> bool:
    """Whether the team may submit to ``phase`` as far as staging goes (always true for open phases)."""
    return not is_staged(phase) or entry_of(session, phase, team_id) is not None


def entries(session: Session, phase: Phase) -> list[PhaseEntry]:
    """Return the teams admitted to ``phase``, in the order they were admitted."""
    query = select(PhaseEntry).where(PhaseEntry.phase_id == phase.id).order_by(PhaseEntry.created_at, PhaseEntry.id)
    return list(session.scalars(query))


def not_admitted_message(session: Session, phase: Phase) -> tuple[str, dict[str, object]]:
    """Return what a team that may not submit to a staged phase is told: a template and its parameters."""
    source = source_phase(session, phase)
    name = source.title.get("en") or source.slug if source is not None else "the previous phase"
    template = (
        "only teams admitted from %(phase)s may submit to this phase, and your team is not among them; "
        "you can still see its leaderboards and your team's history"
    )
    return template, {"phase": name}


@dataclass(frozen=True)
class Advanced:
    """One team admitted by an advancement run, with where it stood on the source board."""

    team_id: int
    team_name: str
    rank: int
    score: float


@dataclass(frozen=True)
class AdvancementResult:
    """What an advancement run did."""

    phase_id: int
    source_phase_id: int
    rule: AdvancementRule
    admitted: list[Advanced]
    already_admitted: list[int]


def _qualifies(rule: AdvancementRule, direction: str, rank: int, score: float) -> bool:
    if rule.top is not None:
        return rank <= rule.top
    assert rule.threshold is not None
    return score >= rule.threshold if direction == Direction.MAX else score <= rule.threshold


def _contends(session: Session, team_id: int, row: LeaderboardRow) -> bool:
    team = session.get(Team, team_id)
    return not row.is_baseline and team is not None and team.status == TeamStatus.ACTIVE and not team.is_baseline


def advance(session: Session, phase: Phase, actor: User, now: datetime) -> AdvancementResult:
    """Admit to ``phase`` the teams that qualify on the previous phase's board (organizers only).

    The board is read as it is now: ``top`` admits every team ranked N or better (teams that share
    the rank at the cut all advance), ``threshold`` every team at or beyond the score. Baseline and
    inactive teams are skipped. Teams admitted before stay admitted, so running it again only adds
    teams. The previous phase must have closed.
    """
    require(actor_for(session, actor, phase.track.challenge_id), Action.MANAGE_PHASE_ENTRIES)
    rule = rule_of(phase)
    if rule is None:
        raise Conflict("this phase is open to every team; there is nothing to advance")
    if rule.is_manual:
        raise Conflict("this phase has no automatic advancement rule; admit teams by hand")
    source = source_phase(session, phase)
    if source is None:
        raise NotFound(
            "the phase %(slug)s that this phase advances from does not exist", params={"slug": repr(rule.source_slug)}
        )
    if now < source.closes_at:
        raise Conflict(
            "the previous phase closes at %(closes)s; advance teams after it has closed",
            params={"closes": rfc3339(source.closes_at)},
        )
    present = {e.team_id for e in entries(session, phase)}
    admitted: list[Advanced] = []
    already: list[int] = []
    contenders = [row for row in leaderboard(session, source, rule.split) if _contends(session, row.team_id, row)]
    rank, previous = 0, None
    for position, row in enumerate(contenders, start=1):
        # Ranks among the teams that can advance: baselines do not take places, ties share one.
        rank = rank if previous is not None and row.score == previous else position
        previous = row.score
        if not _qualifies(rule, source.track.direction, rank, row.score):
            continue
        if row.team_id in present:
            already.append(row.team_id)
            continue
        reason = f"advanced from {source.slug}: rank {rank} on the {rule.split.value} board, score {row.score:g}"
        session.add(PhaseEntry(phase_id=phase.id, team_id=row.team_id, reason=reason, created_at=now))
        admitted.append(Advanced(team_id=row.team_id, team_name=row.team_name, rank=rank, score=row.score))
    session.flush()
    audit.record(
        session,
        "phase.advanced",
        actor_id=actor.id,
        challenge_id=phase.track.challenge_id,
        target_type="phase",
        target_id=phase.id,
        rule=rule.to_dict(),
        source_phase_id=source.id,
        admitted=[a.team_id for a in admitted],
        already_admitted=already,
    )
    return AdvancementResult(
        phase_id=phase.id, source_phase_id=source.id, rule=rule, admitted=admitted, already_admitted=already
    )


def admit(session: Session, phase: Phase, team: Team, actor: User, reason: str, now: datetime) -> PhaseEntry:
    """Admit one team to a staged phase by hand, with a reason that goes into the audit log (organizers only)."""
    require(actor_for(session, actor, phase.track.challenge_id), Action.MANAGE_PHASE_ENTRIES)
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("say why this team is admitted; the reason is kept in the audit log", field="reason")
    if not is_staged(phase):
        raise Conflict("this phase is open to every team; admitting is only for staged phases")
    if team.challenge_id != phase.track.challenge_id:
        raise NotFound("no such team in this challenge")
    if team.status != TeamStatus.ACTIVE:
        raise Conflict(
            "team %(team)s is %(status)s and cannot be admitted",
            params={"team": repr(team.name), "status": str(team.status)},
        )
    if entry_of(session, phase, team.id) is not None:
        raise Conflict("team %(team)s is already admitted to this phase", params={"team": repr(team.name)})
    entry = PhaseEntry(phase_id=phase.id, team_id=team.id, reason=f"admitted by hand: {reason[:1000]}", created_at=now)
    session.add(entry)
    session.flush()
    audit.record(
        session,
        "phase.team_admitted",
        actor_id=actor.id,
        challenge_id=team.challenge_id,
        target_type="phase",
        target_id=phase.id,
        team_id=team.id,
        reason=reason[:1000],
    )
    return entry


def last_advancement(session: Session, phase: Phase) -> datetime | None:
    """Return when teams were last advanced to ``phase``, if ever."""
    query = select(AuditEvent.at).where(
        AuditEvent.action == "phase.advanced", AuditEvent.target_type == "phase", AuditEvent.target_id == phase.id
    )
    return session.scalar(query.order_by(AuditEvent.at.desc()).limit(1))
