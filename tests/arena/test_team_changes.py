"""Invitations, leaving, captain transfer and the institution."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.db import utcnow
from arena.enums import RequestStatus
from arena.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from arena.models import AuditEvent, Team
from arena.storage import BlobStore
from arena.teams import invitations
from arena.teams import membership as teams
from tests.factories import answers, first_phase, make_challenge, make_team, make_user, upload


def test_invite_accept_and_decline(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge = make_challenge(session, store, tmp_path / "b", team_size_max=2)
    ann, ben, cat = (make_user(session, n) for n in ("ann", "ben", "cat"))
    team = make_team(session, ann, challenge)
    other = make_team(session, cat, challenge, "cats")
    with pytest.raises(NotFound, match="no user"):
        invitations.invite(session, ann, team, "nobody")
    with pytest.raises(Conflict, match="already in a team"):
        invitations.invite(session, ann, team, "cat")
    with pytest.raises(Forbidden):
        invitations.invite(session, cat, team, "ben")  # not this team's captain
    invitation = invitations.invite(session, ann, team, "BEN")
    rival = invitations.invite(session, cat, other, "ben")
    with pytest.raises(Conflict, match="pending invitation"):
        invitations.invite(session, ann, team, "ben")
    assert [i.id for i in invitations.pending_invitations_for_user(session, ben.id, challenge.id)] == [
        rival.id,
        invitation.id,
    ]
    with pytest.raises(NotFound):
        invitations.respond_to_invitation(session, cat, invitation, accept=True)  # only the invitee
    joined = invitations.respond_to_invitation(session, ben, invitation, accept=True)
    session.commit()
    assert joined.id == team.id and {m.user_id for m in joined.members} == {ann.id, ben.id}
    assert rival.status == RequestStatus.CANCELLED  # one team per person: the other invitation lapses
    with pytest.raises(InvalidTransition):
        invitations.respond_to_invitation(session, ben, invitation, accept=False)
    dan = make_user(session, "dan")
    with pytest.raises(Conflict, match="full"):
        invitations.invite(session, ann, team, "dan")
    declined = invitations.invite(session, cat, other, "dan")
    invitations.respond_to_invitation(session, dan, declined, accept=False)
    assert declined.status == RequestStatus.DECLINED and teams.team_of(session, dan.id, challenge.id) is None


def test_invitation_after_the_entry_deadline(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge = make_challenge(session, store, tmp_path / "b")
    ann, ben = make_user(session, "ann"), make_user(session, "ben")
    team = make_team(session, ann, challenge)
    invitation = invitations.invite(session, ann, team, "ben")
    challenge.entry_deadline = utcnow() - timedelta(seconds=1)
    with pytest.raises(Forbidden, match="entry deadline"):
        invitations.respond_to_invitation(session, ben, invitation, accept=True)
    with pytest.raises(Forbidden, match="entry deadline"):
        invitations.invite(session, ann, team, "ben")


def test_leave_transfer_and_dissolve(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge = make_challenge(session, store, tmp_path / "b")
    ann, ben = make_user(session, "ann"), make_user(session, "ben")
    team = make_team(session, ann, challenge)
    teams.join_team(session, ben, team.invite_code)
    with pytest.raises(Conflict, match="hand the captaincy"):
        teams.leave_team(session, ann, team)
    with pytest.raises(Forbidden):
        teams.transfer_captain(session, ben, team, "ben")
    with pytest.raises(InvalidInput, match="not a member"):
        teams.transfer_captain(session, ann, team, "carl")
    teams.transfer_captain(session, ann, team, "Ben")
    assert team.captain_id == ben.id
    assert teams.leave_team(session, ann, team) is team and [m.user_id for m in team.members] == [ben.id]
    team_id = team.id
    assert teams.leave_team(session, ben, team) is None
    session.commit()
    assert session.get(Team, team_id) is None
    actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == team_id)))
    assert {"team.captain_transferred", "team.left", "team.dissolved"} <= set(actions)


def test_no_leaving_after_submitting_or_after_the_merge_deadline(
    session: Session, store: BlobStore, tmp_path: Path
) -> None:
    challenge = make_challenge(session, store, tmp_path / "b")
    ann, ben, cat = (make_user(session, n) for n in ("ann", "ben", "cat"))
    team = make_team(session, ann, challenge)
    teams.join_team(session, ben, team.invite_code)
    upload(session, store, ben, first_phase(challenge), answers(["a"] * 20))
    with pytest.raises(Conflict, match="made submissions"):
        teams.leave_team(session, ben, team)
    solo = make_team(session, cat, challenge, "solo")
    challenge.merge_deadline = utcnow() - timedelta(seconds=1)
    with pytest.raises(Forbidden, match="merge deadline"):
        teams.leave_team(session, cat, solo)


def test_institution_is_the_captains(session: Session, store: BlobStore, tmp_path: Path) -> None:
    challenge = make_challenge(session, store, tmp_path / "b")
    ann, ben = make_user(session, "ann"), make_user(session, "ben")
    team = make_team(session, ann, challenge)
    teams.join_team(session, ben, team.invite_code)
    with pytest.raises(Forbidden):
        teams.set_institution(session, ben, team, "Elsewhere")
    teams.set_institution(session, ann, team, "  Tianjin   University ")
    assert team.institution == "Tianjin University"
    with pytest.raises(InvalidInput):
        teams.set_institution(session, ann, team, "x" * 201)
