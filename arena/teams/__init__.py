"""Teams: creating and joining, captains, invitations and merges."""

from arena.teams.invitations import (
    cancel_invitation,
    get_invitation,
    invite,
    pending_invitations_for_team,
    pending_invitations_for_user,
    respond_to_invitation,
)
from arena.teams.membership import (
    create_team,
    find_team,
    get_team,
    join_team,
    leave_team,
    list_teams,
    set_institution,
    team_of,
    transfer_captain,
)
from arena.teams.merges import (
    accept_merge,
    cancel_merge,
    decline_merge,
    get_merge_request,
    merge_deadline,
    pending_merges_for_team,
    request_merge,
)

__all__ = [
    "accept_merge",
    "cancel_invitation",
    "cancel_merge",
    "create_team",
    "decline_merge",
    "find_team",
    "get_invitation",
    "get_merge_request",
    "get_team",
    "invite",
    "join_team",
    "leave_team",
    "list_teams",
    "merge_deadline",
    "pending_invitations_for_team",
    "pending_invitations_for_user",
    "pending_merges_for_team",
    "request_merge",
    "respond_to_invitation",
    "set_institution",
    "team_of",
    "transfer_captain",
]
