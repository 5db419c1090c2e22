"""Chart data: each team's best score over time, the distribution, and what each viewer may see."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from arena.boards.charts import best_over_time, data_cutoff, histogram, phase_chart, visible_splits
from arena.db import utcnow
from arena.enums import ChallengeRoleKind, Split
from arena.evaluation.pipeline import evaluate_submission
from arena.models import Phase, Submission
from arena.permissions import ANONYMOUS, Actor
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import answers, first_phase, make_challenge, make_team, make_user, upload

TRUTH = ["a" if i % 2 else "b" for i in range(20)]
ORGANIZER = Actor(user_id=99, roles=frozenset({ChallengeRoleKind.ORGANIZER}))


def _correct(n: int) -> list[str]:
    """Predictions with the first ``n`` answers right and the rest wrong."""
    return [v if i < n else ("a" if v == "b" else "b") for i, v in enumerate(TRUTH)]


def _board(session: Session, settings: Settings, store: BlobStore, tmp_path: Path) -> tuple[Phase, dict[str, int]]:
    challenge = make_challenge(session, store, tmp_path / "b", labels=TRUTH, daily_quota=20)
    phase = first_phase(challenge)
    phase.public_fraction = 1.0  # every case public, so the scores below are exact
    session.commit()
    start = utcnow() - timedelta(hours=10)
    teams = {}
    plan = {"alice": [10, 8, 14, 12], "bob": [16]}
    for name, scores in plan.items():
        user = make_user(session, name)
        teams[name] = make_team(session, user, challenge).id
        for step, right in enumerate(scores):
            at = start + timedelta(hours=step * 2 + (1 if name == "bob" else 0))
            submission = upload(session, store, user, phase, answers(_correct(right)), now=at)
            evaluate_submission(session, settings, store, submission.id)
    return phase, teams


def test_best_over_time_and_histogram_from_scores(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    phase, teams = _board(session, settings, store, tmp_path)
    chart = phase_chart(session, phase, Split.PUBLIC, ANONYMOUS, utcnow())
    assert chart is not None and chart.frozen_at is None
    by_team = {s.team_id: s for s in chart.series}
    assert [p.score for p in by_team[teams["alice"]].points] == [0.5, 0.7]  # 0.4 and 0.6 did not improve
    assert [p.score for p in by_team[teams["bob"]].points] == [0.8]
    assert [s.team_id for s in chart.series] == [teams["bob"], teams["alice"]]  # best first
    assert chart.histogram.total == 5
    assert chart.histogram.edges[0] == 0.4 and chart.histogram.edges[-1] == 0.8


def test_private_split_is_hidden_until_the_end_and_the_freeze_cuts_data(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    phase, _ = _board(session, settings, store, tmp_path)
    now = utcnow()
    assert visible_splits(ANONYMOUS, phase, now) == [Split.PUBLIC]
    assert phase_chart(session, phase, Split.PRIVATE, ANONYMOUS, now) is None
    assert visible_splits(ORGANIZER, phase, now) == [Split.PUBLIC, Split.PRIVATE]
    phase.freeze_at = now - timedelta(hours=5)
    assert data_cutoff(ANONYMOUS, phase, now) == phase.freeze_at and data_cutoff(ORGANIZER, phase, now) is None
    frozen = phase_chart(session, phase, Split.PUBLIC, ANONYMOUS, now)
    assert frozen is not None and frozen.histogram.total == 4  # all but alice's last, made after the freeze
    assert all(p.at < phase.freeze_at for s in frozen.series for p in s.points)
    after_end = phase.closes_at + timedelta(seconds=1)
    assert visible_splits(ANONYMOUS, phase, after_end) == [Split.PUBLIC, Split.PRIVATE]
    assert data_cutoff(ANONYMOUS, phase, after_end) is None
    phase.use_ladder = True
    assert visible_splits(ANONYMOUS, phase, now) == [] and visible_splits(ORGANIZER, phase, now)


def test_hidden_submissions_stay_out(session: Session, settings: Settings, store: BlobStore, tmp_path: Path) -> None:
    phase, teams = _board(session, settings, store, tmp_path)
    bob_submission = session.query(Submission).filter_by(team_id=teams["bob"]).one()
    bob_submission.is_hidden = True
    session.commit()
    chart = phase_chart(session, phase, Split.PUBLIC, ANONYMOUS, utcnow())
    assert chart is not None and [s.team_id for s in chart.series] == [teams["alice"]]


def test_helpers_on_edge_cases() -> None:
    now = utcnow()
    rows = [(now, 0.3, 1, "x", False), (now, 0.2, 1, "x", False), (now, 0.1, 2, "y", True)]
    lower = best_over_time(rows, "min")
    assert [s.team_id for s in lower] == [2, 1] and [p.score for p in lower[1].points] == [0.3, 0.2]
    assert best_over_time(rows, "max", top=1)[0].team_id == 1
    assert histogram([]).counts == [] and histogram([0.5, 0.5]).counts == [2]
    assert histogram([0.0, 1.0], bins=4).counts == [1, 0, 0, 1]
