"""Teams: one per person per challenge, invite codes and the size cap."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from arena.db import utcnow
from arena.errors import Conflict, Forbidden, InvalidInput, NotFound
from arena.storage import BlobStore
from arena.teams import membership as teams
from tests.factories import make_challenge, make_user


def test_create_join_and_cap(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge = make_challenge(session, store, tmp_path / "b", team_size_max=2)
    alice, bob, carol = (make_user(session, n) for n in ("alice", "bob", "carol"))
    team = teams.create_team(session, alice, challenge, "  Snow   Owls ")
    assert team.name == "Snow Owls" and team.captain_id == alice.id and len(team.invite_code) == 10
    joined = teams.join_team(session, bob, team.invite_code.lower())
    assert joined.id == team.id and len(joined.members) == 2
    with pytest.raises(Conflict, match="full"):
        teams.join_team(session, carol, team.invite_code)
    assert teams.team_of(session, bob.id, challenge.id).id == team.id  # type: ignore[union-attr]
    assert teams.team_of(session, carol.id, challenge.id) is None


def test_one_team_per_person(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge = make_challenge(session, store, tmp_path / "b")
    alice, bob = make_user(session, "alice"), make_user(session, "bob")
    team = teams.create_team(session, alice, challenge, "first")
    teams.create_team(session, bob, challenge, "second")
    with pytest.raises(Conflict, match="already in a team"):
        teams.create_team(session, alice, challenge, "another")
    with pytest.raises(Conflict, match="already in a team"):
        teams.join_team(session, bob, team.invite_code)


def test_names_and_codes_are_checked(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge = make_challenge(session, store, tmp_path / "b")
    alice, bob = make_user(session, "alice"), make_user(session, "bob")
    with pytest.raises(InvalidInput):
        teams.create_team(session, alice, challenge, "x")
    teams.create_team(session, alice, challenge, "Owls")
    with pytest.raises(Conflict, match="already exists"):
        teams.create_team(session, bob, challenge, "owls")
    with pytest.raises(NotFound):
        teams.join_team(session, bob, "NOPE")


def test_entry_deadline(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge = make_challenge(session, store, tmp_path / "b")
    challenge.entry_deadline = utcnow() - timedelta(seconds=1)
    with pytest.raises(Forbidden, match="entry deadline"):
        teams.create_team(session, make_user(session, "late"), challenge, "Late team")
