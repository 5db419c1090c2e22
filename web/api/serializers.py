"""JSON shapes of challenges, phases, files and teams for the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for

from arena import challenges as challenge_service
from arena.challenges import QuotaStatus, phase_state
from arena.models import Challenge, ChallengeFile, MergeRequest, Phase, PhaseEntry, Team, TeamInvitation, Track, User
from web.times import iso_utc


def challenge_summary(challenge: Challenge) -> dict[str, Any]:
    """Return a challenge's list entry."""
    return {
        "slug": challenge.slug,
        "title": challenge.title,
        "summary": challenge.summary,
        "team_size_max": challenge.team_size_max,
        "url": url_for("api.challenges.detail", slug=challenge.slug, _external=True),
    }


def phase_dict(phase: Phase, now: datetime) -> dict[str, Any]:
    """Return a phase with its window in ISO-8601 UTC and its quotas."""
    return {
        "id": phase.id,
        "slug": phase.slug,
        "title": phase.title,
        "opens_at": iso_utc(phase.opens_at),
        "closes_at": iso_utc(phase.closes_at),
        "state": phase_state(phase, now).value,
        "daily_quota": phase.daily_quota,
        "total_quota": phase.total_quota,
        "concurrent_quota": phase.concurrent_quota,
        "count_participant_failures": phase.count_participant_failures,
        "daily_quota_resets": "00:00 UTC",
        "advancement": rule.to_dict() if (rule := challenge_service.rule_of(phase)) else None,
        "public_fraction": phase.public_fraction,
        "submissions_url": url_for("api.submissions.create", phase_id=phase.id, _external=True),
        "leaderboard_url": url_for("api.leaderboards.show", phase_id=phase.id, _external=True),
    }


def track_dict(track: Track, now: datetime) -> dict[str, Any]:
    """Return a track with its phases."""
    return {
        "slug": track.slug,
        "kind": track.kind,
        "title": track.title,
        "direction": track.direction,
        "precision": track.precision,
        "id_column": track.id_column,
        "target_columns": list(track.target_columns),
        "max_upload_bytes": track.max_upload_bytes,
        "phases": [phase_dict(phase, now) for phase in track.phases],
    }


def file_dict(challenge: Challenge, file: ChallengeFile) -> dict[str, Any]:
    """Return a public file with its download URL."""
    return {
        "id": file.id,
        "name": file.path.rsplit("/", 1)[-1],
        "title": file.title,
        "size": file.size,
        "sha256": file.sha256,
        "download_url": url_for("challenges.download", slug=challenge.slug, file_id=file.id, _external=True),
        "api_download_url": url_for(
            "api.challenges.file_download", slug=challenge.slug, file_id=file.id, _external=True
        ),
    }


def team_dict(team: Team, *, private: bool) -> dict[str, Any]:
    """Return a team; members see the invite code."""
    data: dict[str, Any] = {
        "id": team.id,
        "challenge_id": team.challenge_id,
        "name": team.name,
        "institution": team.institution,
        "status": team.status,
        "captain": team.captain.username if team.captain else None,
        "merged_into_id": team.merged_into_id,
        "members": [
            {"username": m.user.username, "display_name": m.user.display_name, "captain": m.user_id == team.captain_id}
            for m in team.members
        ],
    }
    if private:
        data["invite_code"] = team.invite_code
    return data


def quota_dict(quota: QuotaStatus) -> dict[str, Any]:
    """Return a team's quota position."""
    return {
        "daily_limit": quota.daily_limit,
        "used_today": quota.used_today,
        "remaining_today": quota.remaining_today,
        "total_limit": quota.total_limit,
        "used_total": quota.used_total,
        "remaining_total": quota.remaining_total,
        "resets_at": iso_utc(quota.resets_at),
        "allowed_now": quota.allowed_now,
        "next_allowed_at": iso_utc(quota.next_allowed_at),
        "blocked_by": quota.blocked_by.value if quota.blocked_by else None,
        "concurrent_limit": quota.concurrent_limit,
        "in_flight": quota.in_flight,
        "remaining_concurrent": quota.remaining_concurrent,
        "person_daily_limit": quota.person_limit,
        "person_used_today": quota.person_used_today,
        "person_remaining_today": quota.person_remaining_today,
        "counts_participant_failures": quota.counts_participant_failures,
    }


def invitation_dict(invitation: TeamInvitation, team: Team, user: User | None) -> dict[str, Any]:
    """Return a team invitation."""
    return {
        "id": invitation.id,
        "team": {"id": team.id, "name": team.name},
        "username": user.username if user else None,
        "status": invitation.status,
        "created_at": iso_utc(invitation.created_at),
        "responded_at": iso_utc(invitation.responded_at),
    }


def merge_dict(request: MergeRequest) -> dict[str, Any]:
    """Return a merge request."""
    return {
        "id": request.id,
        "from_team_id": request.from_team_id,
        "into_team_id": request.into_team_id,
        "status": request.status,
        "reason": request.reason,
        "created_at": iso_utc(request.created_at),
        "decided_at": iso_utc(request.decided_at),
    }


def entry_dict(entry: PhaseEntry, team: Team, *, with_reason: bool) -> dict[str, Any]:
    """Return a team's admission to a staged phase; the reason only for organizers."""
    data: dict[str, Any] = {
        "team": {"id": team.id, "name": team.name, "institution": team.institution},
        "admitted_at": iso_utc(entry.created_at),
    }
    if with_reason:
        data["reason"] = entry.reason
    return data
