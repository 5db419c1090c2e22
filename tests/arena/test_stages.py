"""Staged phases: windows to the second, advancement by top N and by threshold, admitting by hand, read-only teams."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.challenges import advancement
from arena.challenges.bundles import import_bundle
from arena.errors import BundleError, Conflict, Forbidden, InvalidInput, PhaseClosed
from arena.models import AuditEvent, Challenge, Phase, Submission, Team, User
from arena.storage import BlobStore
from arena.timestamps import rfc3339
from tests.factories import answers, make_team, make_user, mark_scored, upload, write_bundle

START = datetime(2026, 11, 1, tzinfo=UTC)
PRELIM_CLOSES = START + timedelta(days=10)


def _staged_bundle(root: Path, rule: dict[str, Any] | None, **options: Any) -> Path:
    write_bundle(root, opens=START, closes=PRELIM_CLOSES, daily_quota=10, **options)
    spec = yaml.safe_load((root / "challenge.yaml").read_text(encoding="utf-8"))
    first = spec["tracks"][0]["phases"][0]
    second = {
        **first,
        "slug": "final",
        "title": {"en": "Final round", "zh": "决赛"},
        "opens": (PRELIM_CLOSES + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "closes": (PRELIM_CLOSES + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if rule is not None:
        second["advancement"] = rule
    spec["tracks"][0]["phases"].append(second)
    (root / "challenge.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return root


def _import(session: Session, store: BlobStore, root: Path) -> Challenge:
    report = import_bundle(session, store, root)
    session.commit()
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None
    return challenge


def _scored(session: Session, submission: Submission, private: float, public: float | None = None) -> None:
    mark_scored(session, submission, private if public is None else public, private)


def _world(
    session: Session, store: BlobStore, tmp_path: Path, rule: dict[str, Any] | None, scores: list[float]
) -> tuple[Phase, Phase, list[User], list[Team], User]:
    challenge = _import(session, store, _staged_bundle(tmp_path / "b", rule))
    prelim, final = challenge.tracks[0].phases
    users = [make_user(session, f"user{i}") for i in range(len(scores))]
    teams = [make_team(session, user, challenge, f"team {i}") for i, user in enumerate(users)]
    for user, score in zip(users, scores, strict=True):
        _scored(
            session, upload(session, store, user, prelim, answers(["a"] * 20), now=START + timedelta(days=1)), score
        )
    return prelim, final, users, teams, make_user(session, "root", admin=True)


def test_bundle_declares_the_rule_and_links_the_phases(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge = _import(session, store, _staged_bundle(tmp_path / "b", {"from": "one", "top": 2}))
    prelim, final = challenge.tracks[0].phases
    assert final.previous_phase_id == prelim.id
    assert final.advancement == {"from": "one", "split": "private", "top": 2}
    assert advancement.is_staged(final) and not advancement.is_staged(prelim)


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"from": "nowhere", "top": 2}, "listed before this one"),
        ({"from": "one", "top": 2, "threshold": 0.5}, "not both"),
        ({"from": "one", "top": 0}, "whole number"),
        ({"from": "one", "threshold": "high"}, "must be a number"),
        ({"from": "one", "split": "secret"}, "'public' or 'private'"),
        ({"from": "one", "rank": 3}, "unknown key"),
    ],
)
def test_bad_rules_are_refused(session: Session, store: BlobStore, tmp_path: Path, rule: Any, problem: str) -> None:
    with pytest.raises(BundleError, match=problem):
        import_bundle(session, store, _staged_bundle(tmp_path / "b", rule))


def test_one_second_late_is_refused_with_the_deadline(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge = _import(session, store, _staged_bundle(tmp_path / "b", None))
    prelim = challenge.tracks[0].phases[0]
    user = make_user(session, "ann")
    make_team(session, user, challenge)
    upload(session, store, user, prelim, answers(["a"] * 20), now=PRELIM_CLOSES - timedelta(seconds=1))
    with pytest.raises(PhaseClosed) as caught:
        upload(session, store, user, prelim, answers(["a"] * 20), now=PRELIM_CLOSES + timedelta(seconds=1))
    assert rfc3339(PRELIM_CLOSES) in caught.value.message
    with pytest.raises(PhaseClosed, match="closed at"):
        upload(session, store, user, prelim, answers(["a"] * 20), now=PRELIM_CLOSES)
    with pytest.raises(PhaseClosed, match="opens at"):
        upload(session, store, user, prelim, answers(["a"] * 20), now=START - timedelta(seconds=1))


def test_advance_top_n_and_read_only_for_the_rest(session: Session, store: BlobStore, tmp_path: Path) -> None:
    prelim, final, users, teams, root = _world(
        session, store, tmp_path, {"from": "one", "top": 2}, [0.5, 0.9, 0.7, 0.2]
    )
    inside = PRELIM_CLOSES + timedelta(days=2)
    # Nobody may submit to a staged phase before the advancement runs.
    with pytest.raises(Forbidden, match="only teams admitted from Round one"):
        upload(session, store, users[1], final, answers(["a"] * 20), now=inside)
    session.rollback()
    with pytest.raises(Conflict, match="after it has closed"):
        advancement.advance(session, final, root, PRELIM_CLOSES - timedelta(seconds=1))
    result = advancement.advance(session, final, root, PRELIM_CLOSES)
    session.commit()
    assert [(a.team_id, a.rank) for a in result.admitted] == [(teams[1].id, 1), (teams[2].id, 2)]
    assert {e.team_id for e in advancement.entries(session, final)} == {teams[1].id, teams[2].id}
    assert "rank 1 on the private board" in advancement.entries(session, final)[0].reason
    upload(session, store, users[1], final, answers(["a"] * 20), now=inside)
    with pytest.raises(Forbidden, match="you can still see its leaderboards"):
        upload(session, store, users[0], final, answers(["a"] * 20), now=inside)
    session.rollback()
    # Running it again adds nobody and keeps everyone admitted.
    again = advancement.advance(session, final, root, PRELIM_CLOSES + timedelta(hours=1))
    assert again.admitted == [] and set(again.already_admitted) == {teams[1].id, teams[2].id}
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "phase.advanced")).first()
    assert event is not None and event.data["admitted"] == [teams[1].id, teams[2].id]


def test_ties_at_the_cut_all_advance(session: Session, store: BlobStore, tmp_path: Path) -> None:
    _, final, _, teams, root = _world(session, store, tmp_path, {"from": "one", "top": 2}, [0.9, 0.7, 0.7, 0.2])
    result = advancement.advance(session, final, root, PRELIM_CLOSES)
    assert {a.team_id for a in result.admitted} == {teams[0].id, teams[1].id, teams[2].id}


def test_advance_by_threshold_on_the_chosen_split(session: Session, store: BlobStore, tmp_path: Path) -> None:
    rule = {"from": "one", "threshold": 0.6, "split": "public"}
    challenge = _import(session, store, _staged_bundle(tmp_path / "b", rule))
    prelim, final = challenge.tracks[0].phases
    users = [make_user(session, f"user{i}") for i in range(3)]
    teams = [make_team(session, u, challenge) for u in users]
    # (private, public): the public split decides here.
    for user, (private, public) in zip(users, [(0.9, 0.5), (0.2, 0.6), (0.1, 0.95)], strict=True):
        submission = upload(session, store, user, prelim, answers(["a"] * 20), now=START + timedelta(days=1))
        _scored(session, submission, private, public)
    result = advancement.advance(session, final, make_user(session, "root", admin=True), PRELIM_CLOSES)
    assert {a.team_id for a in result.admitted} == {teams[1].id, teams[2].id}


def test_only_organizers_advance_and_admit(session: Session, store: BlobStore, tmp_path: Path) -> None:
    _, final, users, teams, root = _world(session, store, tmp_path, {"from": "one", "top": 1}, [0.5, 0.9])
    with pytest.raises(Forbidden):
        advancement.advance(session, final, users[0], PRELIM_CLOSES)
    with pytest.raises(Forbidden):
        advancement.admit(session, final, teams[0], users[0], "please", PRELIM_CLOSES)


def test_admit_by_hand_with_a_reason(session: Session, store: BlobStore, tmp_path: Path) -> None:
    prelim, final, users, teams, root = _world(session, store, tmp_path, {"from": "one"}, [0.5, 0.9])
    with pytest.raises(Conflict, match="admit teams by hand"):
        advancement.advance(session, final, root, PRELIM_CLOSES)
    with pytest.raises(InvalidInput, match="say why"):
        advancement.admit(session, final, teams[0], root, "  ", PRELIM_CLOSES)
    with pytest.raises(Conflict, match="open to every team"):
        advancement.admit(session, prelim, teams[0], root, "wild card", PRELIM_CLOSES)
    advancement.admit(session, final, teams[0], root, "wild card from the regional final", PRELIM_CLOSES)
    session.commit()
    with pytest.raises(Conflict, match="already admitted"):
        advancement.admit(session, final, teams[0], root, "again", PRELIM_CLOSES)
    upload(session, store, users[0], final, answers(["a"] * 20), now=PRELIM_CLOSES + timedelta(days=2))
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "phase.team_admitted")).one()
    assert event.actor_id == root.id and event.data["reason"] == "wild card from the regional final"
