"""Accounts: registration rules, password hashing, tokens and roles."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.accounts import users as accounts
from arena.accounts.passwords import hash_password, verify_password
from arena.enums import ChallengeRoleKind
from arena.errors import Conflict, InvalidInput, Unauthenticated
from arena.models import ApiToken
from arena.permissions import roles_in
from arena.storage import BlobStore
from tests.factories import make_challenge


def test_passwords_are_salted_scrypt_hashes() -> None:
    first, second = hash_password("s3cret-password"), hash_password("s3cret-password")
    assert first != second and first.startswith("scrypt$")
    assert "s3cret-password" not in first
    assert verify_password("s3cret-password", first)
    assert not verify_password("wrong-password", first)
    assert not verify_password("anything", "garbage")


def test_create_and_authenticate(session: Session) -> None:
    user = accounts.create_user(session, "alice", "long enough pw", email="alice@example.org")
    assert accounts.authenticate(session, "alice", "long enough pw").id == user.id
    with pytest.raises(Unauthenticated):
        accounts.authenticate(session, "alice", "wrong password")
    with pytest.raises(Unauthenticated):
        accounts.authenticate(session, "nobody", "long enough pw")


@pytest.mark.parametrize(
    ("name", "password", "email", "field"),
    [
        ("a", "long enough pw", None, "username"),
        ("bad name!", "long enough pw", None, "username"),
        ("bob", "short", None, "password"),
        ("bob", "long enough pw", "not-an-email", "email"),
    ],
)
def test_registration_rejects_bad_input(
    session: Session, name: str, password: str, email: str | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        accounts.create_user(session, name, password, email=email)
    assert caught.value.field == field


def test_duplicate_username_is_a_conflict(session: Session) -> None:
    accounts.create_user(session, "carol", "long enough pw")
    with pytest.raises(Conflict):
        accounts.create_user(session, "carol", "another password")


def test_tokens_are_stored_hashed_and_can_be_revoked(session: Session) -> None:
    user = accounts.create_user(session, "dave", "long enough pw")
    token = accounts.issue_token(session, user, "laptop")
    session.flush()
    stored = session.scalars(select(ApiToken)).one()
    assert token not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
    assert accounts.user_for_token(session, token).id == user.id
    assert accounts.revoke_tokens(session, user) == 1
    with pytest.raises(Unauthenticated):
        accounts.user_for_token(session, token)
    with pytest.raises(Unauthenticated):
        accounts.user_for_token(session, "arena_made-up")


def test_roles_are_per_challenge(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge = make_challenge(session, store, tmp_path / "b")
    user = accounts.create_user(session, "erin", "long enough pw")
    accounts.grant_role(session, challenge.id, user, ChallengeRoleKind.ORGANIZER)
    accounts.grant_role(session, challenge.id, user, ChallengeRoleKind.ORGANIZER)
    assert roles_in(session, user.id, challenge.id) == {ChallengeRoleKind.ORGANIZER}
    assert roles_in(session, user.id, challenge.id + 1) == frozenset()
