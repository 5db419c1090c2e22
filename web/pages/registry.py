"""The page blueprints, in registration order."""

from __future__ import annotations

from flask import Blueprint

from web.pages import (
    admin,
    admin_creators,
    challenges,
    console,
    console_create,
    console_data,
    console_edit,
    console_people,
    console_publish,
    console_tracks,
    demand_responses,
    demand_selection,
    demand_stats,
    demands,
    demands_review,
    finalist,
    finals,
    finals_manage,
    finals_people,
    inbox,
    integrity,
    judging,
    leaderboards,
    operations,
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
        operations.bp,
        admin.bp,
        admin_creators.bp,
        console_create.bp,
        console_data.bp,
        console_edit.bp,
        console_tracks.bp,
        console_publish.bp,
        console.bp,
        console_people.bp,
        demands.bp,
        demands_review.bp,
        finalist.bp,
        inbox.bp,
        demand_stats.bp,
        demand_responses.bp,
        demand_selection.bp,
    ]
