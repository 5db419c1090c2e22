"""The authorization policy as a role × action matrix."""

from __future__ import annotations

import pytest

from arena.enums import ChallengeRoleKind
from arena.errors import Forbidden, NotFound, Unauthenticated
from arena.permissions import ANONYMOUS, Action, Actor, Resource, decide, require

OWN_TEAM = 7
OTHER_TEAM = 8

ACTORS = {
    "anonymous": ANONYMOUS,
    "outsider": Actor(user_id=1),
    "member": Actor(user_id=2, team_id=OWN_TEAM),
    "other_member": Actor(user_id=3, team_id=OTHER_TEAM),
    "judge": Actor(user_id=4, roles=frozenset({ChallengeRoleKind.JUDGE})),
    "organizer": Actor(user_id=5, roles=frozenset({ChallengeRoleKind.ORGANIZER})),
    "admin": Actor(user_id=6, is_admin=True),
}

RUNNING = Resource(owner_team_id=OWN_TEAM, phase_ended=False)
ENDED = Resource(owner_team_id=OWN_TEAM, phase_ended=True)
LOGS_HIDDEN = Resource(owner_team_id=OWN_TEAM, logs_hidden=True)
UNPUBLISHED = Resource(owner_team_id=OWN_TEAM, challenge_published=False)
NOT_YET = Resource(file_available=False)
NOT_ADMITTED = Resource(owner_team_id=OWN_TEAM, team_admitted=False)
INVITATION = Resource(invitee_id=1)
# A finalist (owned by OWN_TEAM) of a final the judge (user 4) judges; conflicted, unassigned, another final's.
JUDGES = frozenset({4})
FINALIST = Resource(owner_team_id=OWN_TEAM, final_judge_ids=JUDGES)
CONFLICTED = Resource(owner_team_id=OWN_TEAM, final_judge_ids=JUDGES, conflicted_judge_ids=JUDGES)
UNASSIGNED = Resource(owner_team_id=OWN_TEAM, final_judge_ids=JUDGES, assigned_judge_ids=frozenset({99}))
OTHER_FINAL = Resource(owner_team_id=OWN_TEAM, final_judge_ids=frozenset({99}))
REVEALED = Resource(owner_team_id=OWN_TEAM, final_judge_ids=JUDGES, final_revealed=True)

# (action, resource) -> the actors allowed.
MATRIX: list[tuple[Action, Resource, set[str]]] = [
    (Action.VIEW_CHALLENGE, RUNNING, set(ACTORS)),
    (Action.VIEW_CHALLENGE, UNPUBLISHED, {"judge", "organizer", "admin"}),
    (Action.VIEW_PUBLIC_LEADERBOARD, RUNNING, set(ACTORS)),
    (Action.DOWNLOAD_PUBLIC_FILE, RUNNING, set(ACTORS)),
    (Action.DOWNLOAD_PUBLIC_FILE, NOT_YET, {"organizer", "admin"}),
    (Action.ENTER_CHALLENGE, RUNNING, {"outsider", "member", "other_member", "judge", "organizer", "admin"}),
    (Action.ENTER_CHALLENGE, UNPUBLISHED, set()),
    (Action.VIEW_TEAM_PRIVATE, RUNNING, {"member", "organizer", "admin"}),
    (Action.SUBMIT, RUNNING, {"member"}),
    (Action.SUBMIT, NOT_ADMITTED, set()),
    (Action.SUBMIT, UNPUBLISHED, set()),
    (Action.VIEW_SUBMISSION, RUNNING, {"member", "organizer", "admin"}),
    (Action.VIEW_SUBMISSION_LOGS, RUNNING, {"member", "organizer", "admin"}),
    (Action.VIEW_SUBMISSION_LOGS, LOGS_HIDDEN, {"organizer", "admin"}),
    (Action.VIEW_PRIVATE_SCORE, RUNNING, {"organizer", "admin"}),
    (Action.VIEW_PRIVATE_SCORE, ENDED, set(ACTORS)),
    (Action.VIEW_PRIVATE_LEADERBOARD, RUNNING, {"organizer", "admin"}),
    (Action.VIEW_PRIVATE_LEADERBOARD, ENDED, set(ACTORS)),
    (Action.VIEW_ALL_SUBMISSIONS, RUNNING, {"organizer", "admin"}),
    (Action.EXPORT, ENDED, {"organizer", "admin"}),
    (Action.MANAGE_CHALLENGE, RUNNING, {"organizer", "admin"}),
    (Action.IMPORT_CHALLENGE, RUNNING, {"organizer", "admin"}),
    (Action.IMPORT_CHALLENGE, Resource(challenge_exists=False), {"admin"}),
    (Action.MANAGE_USERS, RUNNING, {"admin"}),
    (Action.REVIEW_INTEGRITY, ENDED, {"organizer", "admin"}),
    (Action.RESCORE, RUNNING, {"organizer", "admin"}),
    # Only a captain manages a team; no actor above is one (see test_only_the_captain_manages_the_team).
    (Action.MANAGE_TEAM, RUNNING, set()),
    (Action.LEAVE_TEAM, RUNNING, {"member"}),
    (Action.RESPOND_INVITATION, INVITATION, {"outsider"}),
    (Action.MANAGE_PHASE_ENTRIES, RUNNING, {"organizer", "admin"}),
    (Action.SELECT_FINAL_SUBMISSIONS, RUNNING, {"member"}),
    (Action.MODERATE, RUNNING, {"organizer", "admin"}),
    (Action.VIEW_LIVE_LEADERBOARD, RUNNING, {"organizer", "admin"}),
    (Action.MANAGE_FINAL, FINALIST, {"organizer", "admin"}),
    (Action.JUDGE_FINAL, FINALIST, {"judge", "organizer", "admin"}),
    (Action.JUDGE_FINAL, OTHER_FINAL, {"organizer", "admin"}),
    (Action.VIEW_FINALIST_PACKET, FINALIST, {"judge", "organizer", "admin"}),
    (Action.VIEW_FINALIST_PACKET, CONFLICTED, {"organizer", "admin"}),
    (Action.VIEW_FINALIST_PACKET, UNASSIGNED, {"organizer", "admin"}),
    (Action.VIEW_FINALIST_PACKET, OTHER_FINAL, {"organizer", "admin"}),
    (Action.SCORE_FINALIST, FINALIST, {"judge"}),
    (Action.SCORE_FINALIST, CONFLICTED, set()),
    (Action.SCORE_FINALIST, UNASSIGNED, set()),
    (Action.SCORE_FINALIST, OTHER_FINAL, set()),
    (Action.VIEW_FINALIST_RECORD, FINALIST, {"member", "organizer", "admin"}),
    (Action.VIEW_FINAL_RESULT, FINALIST, {"organizer", "admin"}),
    (Action.VIEW_FINAL_RESULT, REVEALED, set(ACTORS)),
    (Action.FILE_APPEAL, FINALIST, {"member"}),
    (Action.CREATE_CHALLENGE, Resource(), {"admin"}),
    (Action.BUILD_BUNDLE, Resource(), {"admin"}),
]


@pytest.mark.parametrize(("action", "resource", "allowed"), MATRIX, ids=lambda v: getattr(v, "value", ""))
@pytest.mark.parametrize("role", sorted(ACTORS))
def test_matrix(role: str, action: Action, resource: Resource, allowed: set[str]) -> None:
    assert decide(ACTORS[role], action, resource) is (role in allowed)


def test_every_action_is_in_the_matrix() -> None:
    assert {action for action, _, _ in MATRIX} == set(Action)


def test_require_distinguishes_anonymous_from_forbidden() -> None:
    with pytest.raises(Unauthenticated):
        require(ANONYMOUS, Action.SUBMIT, RUNNING)
    with pytest.raises(Forbidden):
        require(ACTORS["other_member"], Action.VIEW_SUBMISSION, RUNNING)
    with pytest.raises(NotFound):
        require(ACTORS["other_member"], Action.VIEW_SUBMISSION, RUNNING, hide=True)
    require(ACTORS["member"], Action.VIEW_SUBMISSION, RUNNING)


def test_only_the_captain_manages_the_team() -> None:
    captain = Actor(user_id=9, team_id=OWN_TEAM, is_captain=True)
    assert decide(captain, Action.MANAGE_TEAM, RUNNING)
    assert decide(captain, Action.LEAVE_TEAM, RUNNING) and decide(captain, Action.SUBMIT, RUNNING)
    assert not decide(captain, Action.MANAGE_TEAM, Resource(owner_team_id=OTHER_TEAM))
    assert not decide(captain, Action.SUBMIT, NOT_ADMITTED)
    assert not decide(ACTORS["organizer"], Action.MANAGE_TEAM, RUNNING)


def test_a_creator_creates_and_imports_new_challenges_but_builds_nothing() -> None:
    creator = Actor(user_id=10, is_creator=True)
    assert decide(creator, Action.CREATE_CHALLENGE)
    assert decide(creator, Action.IMPORT_CHALLENGE, Resource(challenge_exists=False))
    # An existing challenge is re-imported only by its organizers, whoever created challenges before.
    assert not decide(creator, Action.IMPORT_CHALLENGE, Resource(challenge_exists=True))
    assert not decide(creator, Action.BUILD_BUNDLE)
    assert not decide(creator, Action.MANAGE_CHALLENGE, RUNNING)
    assert not decide(ACTORS["organizer"], Action.IMPORT_CHALLENGE, Resource(challenge_exists=False))
