"""A team's own standing on a challenge page: its rank on each board it may see and its score history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from arena import submissions as submission_service
from arena.boards import Board, TeamRank, team_rank, viewer_board
from arena.enums import Split
from arena.models import Challenge, Team
from arena.permissions import Actor, decide, phase_resource
from arena.submissions import SubmissionView
from web import state
from web.lookups import leaderboard_action

HISTORY_ROWS = 10


@dataclass(frozen=True)
class PhaseStanding:
    """The team's ranks (public, and private once revealed) and latest scored submissions in one phase."""

    phase_id: int
    title: dict[str, str]
    track_title: dict[str, str]
    precision: int
    public: TeamRank | None
    private: TeamRank | None
    private_shown: bool
    history: list[SubmissionView]
    submissions: int


def team_standings(challenge: Challenge, team: Team | None, actor: Actor, now: datetime) -> list[PhaseStanding]:
    """Return the team's standing in every phase where it has submitted, in page order."""
    if team is None:
        return []
    session, store = state.session(), state.store()
    found = []
    for track in challenge.tracks:
        for phase in track.phases:
            rows = submission_service.team_submissions(session, team.id, phase.id)
            if not rows:
                continue
            views = [submission_service.view_submission(session, s, actor, now) for s in rows]
            resource = phase_resource(phase, now)
            public = None
            if decide(actor, leaderboard_action(Split.PUBLIC), resource):
                public = team_rank(session, store, phase, viewer_board(actor, phase, Split.PUBLIC, now), team.id)
            private_shown = decide(actor, leaderboard_action(Split.PRIVATE), resource)
            private = team_rank(session, store, phase, Board.PRIVATE, team.id) if private_shown else None
            found.append(
                PhaseStanding(
                    phase_id=phase.id,
                    title=phase.title,
                    track_title=track.title,
                    precision=track.precision,
                    public=public,
                    private=private,
                    private_shown=private_shown,
                    history=[v for v in views if v.scores][:HISTORY_ROWS],
                    submissions=len(views),
                )
            )
    return found
