"""The API keeps the promises of its OpenAPI document: schemathesis drives every operation through the WSGI app.

The app holds a demo-like challenge (the ``world`` fixture) with two teams, a scored submission and an
organizer, so ids the generator picks (small integers first) hit real rows as well as missing ones. Each
operation runs a bounded number of examples, once anonymously and once with a participant's token; every
answer must not be a server error, must have a documented status and content type, and must match its schema.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, settings

from arena.evaluation.pipeline import evaluate_submission
from tests.web.conftest import World, api_team, make_user, token_for
from web import state
from web.api.openapi import document
from web.extensions import db

# About 90 operations x 2 callers (plus the exports for an organizer): the file took about 5 minutes on two busy cores.
MAX_EXAMPLES = 6
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@dataclass(frozen=True)
class Seeded:
    """The participant's token header and the ids of what the app holds."""

    participant: dict[str, str]
    organizer: dict[str, str]
    submission_id: int


@pytest.fixture
def seeded(app: Flask, client: FlaskClient, world: World) -> Seeded:
    """A participant's team with a scored submission (and a finalist), a second team, an organizer, an invitation."""
    for name in ("ann", "ben", "cat"):
        make_user(app, name)
    make_user(app, "olga", organizer_of="demo")
    ann, ben, olga = token_for(client, "ann"), token_for(client, "ben"), token_for(client, "olga")
    team = api_team(client, ann, "Owls")
    api_team(client, ben, "Bats")
    client.post(f"/api/v1/teams/{team['id']}/invitations", json={"username": "cat"}, headers=ann)
    sent = client.post(
        f"/api/v1/phases/{world.open_phase_id}/submissions",
        headers=ann,
        data={"file": (io.BytesIO(b"id,label\n1,3\n2,5\n3,0\n"), "p.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 202, sent.get_json()
    with app.app_context():
        evaluate_submission(db.session(), state.settings(), state.store(), sent.get_json()["id"])
    _seed_final(client, olga, world.closed_phase_id, int(str(team["id"])))
    return Seeded(participant=ann, organizer=olga, submission_id=sent.get_json()["id"])


def _seed_final(client: FlaskClient, organizer: dict[str, str], phase_id: int, team_id: int) -> None:
    """A final in scoring with the participant's team as finalist and cat as judge, so finals routes find rows."""
    body = {
        "title": {"en": "Final", "zh": "总决赛"},
        "source_phase_ids": [phase_id],
        "formula": {"weights": {"online": 0.5, "judges": 0.5}},
        "appeal_deadline": "2100-01-01T00:00:00Z",
    }
    final = client.post("/api/v1/challenges/demo/finals", json=body, headers=organizer).get_json()
    criteria = client.get("/api/v1/rubric-templates", headers=organizer).get_json()["templates"][0]
    steps = [
        ("put", f"/api/v1/finals/{final['id']}/rubric", criteria),
        ("post", f"/api/v1/finals/{final['id']}/announce", None),
        ("post", f"/api/v1/finals/{final['id']}/finalists/manual", {"team_id": team_id, "reason": "host team"}),
        ("post", f"/api/v1/finals/{final['id']}/judges", {"username": "cat"}),
        ("post", f"/api/v1/finals/{final['id']}/scoring", None),
    ]
    for method, url, data in steps:
        response = getattr(client, method)(url, json=data, headers=organizer)
        assert response.status_code in (200, 201), (url, response.get_json())


# The document is built without an app; each call goes to the test's app through WSGI (``app=``).
schema = schemathesis.openapi.from_dict(document())


SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@SETTINGS
def test_api_keeps_its_promises_to_anonymous_callers(case: schemathesis.Case, app: Flask, seeded: Seeded) -> None:
    case.call_and_validate(app=app, checks=CHECKS)


@schema.parametrize()
@SETTINGS
def test_api_keeps_its_promises_to_a_participant(case: schemathesis.Case, app: Flask, seeded: Seeded) -> None:
    case.call_and_validate(app=app, headers=seeded.participant, checks=CHECKS)


@schema.include(path_regex="/exports/").parametrize()
@SETTINGS
def test_exports_are_the_documented_files_for_an_organizer(case: schemathesis.Case, app: Flask, seeded: Seeded) -> None:
    case.call_and_validate(app=app, headers=seeded.organizer, checks=CHECKS)
