"""JSON shapes of challenges, phases, files and teams for the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for

from arena.models import Challenge, ChallengeFile, Phase, Team, Track
from arena.quotas import QuotaStatus
from arena.services.challenges import phase_state
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
        "daily_quota_resets": "00:00 UTC",
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
    }


def team_dict(team: Team, *, private: bool) -> dict[str, Any]:
    """Return a team; members see the invite code."""
    data: dict[str, Any] = {
        "id": team.id,
        "challenge_id": team.challenge_id,
        "name": team.name,
        "institution": team.institution,
        "status": team.status,
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
    }
