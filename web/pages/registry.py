"""The page blueprints, in registration order."""

from __future__ import annotations

from flask import Blueprint

from web.pages import (
    admin,
    challenges,
    console_data,
    console_publish,
    demand_responses,
    demand_selection,
    demand_stats,
    finals,
    finals_manage,
    finals_people,
    integrity,
    judging,
    leaderboards,
    organizer,
    stages,
    submissions,
    team_actions,
    teams,
)


def page_blueprints() -> list[Blueprint]:
    """Return every server-rendered page blueprint."""
    return [
        challenges.bp,
        teams.bp,
        team_actions.bp,
        stages.bp,
        submissions.bp,
        leaderboards.bp,
        organizer.bp,
        integrity.bp,
        judging.bp,
        finals.bp,
        finals_manage.bp,
        finals_people.bp,
        admin.bp,
        console_data.bp,
        console_publish.bp,
        demand_stats.bp,
        demand_responses.bp,
        demand_selection.bp,
    ]
