"""The page blueprints, in registration order."""

from __future__ import annotations

from flask import Blueprint

from web.pages import admin, challenges, integrity, leaderboards, organizer, submissions, teams


def page_blueprints() -> list[Blueprint]:
    """Return every server-rendered page blueprint."""
    return [challenges.bp, teams.bp, submissions.bp, leaderboards.bp, organizer.bp, integrity.bp, admin.bp]
