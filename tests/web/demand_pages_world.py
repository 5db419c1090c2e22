"""A demands world inside the web app: logins through the form, a published demand and helpers to post forms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient

from tests.arena.demands_world import build_demands_world, published_demand, submitted_response
from tests.factories import PASSWORD
from web.extensions import db

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class PagesWorld:
    """Ids of the demand, the respondents' organizations and the lab's submitted response."""

    demand_id: int
    other_demand_id: int
    lab_id: int
    firm_id: int
    response_id: int


def build(app: Flask) -> PagesWorld:
    """Two published demands of the sponsor; the lab has submitted a response to the first one."""
    with app.app_context():
        session = db.session()
        world = build_demands_world(session)
        demand = published_demand(session, world)
        other = published_demand(session, world, title="Second demand of the same sponsor")
        response = submitted_response(session, world, demand, world.lab_user, world.lab)
        return PagesWorld(demand.id, other.id, world.lab.id, world.firm.id, response.id)


def sign_in(client: FlaskClient, username: str) -> None:
    """Log in through the login form with the shared test password."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'value="([^"]+)" name="csrf_token"|name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    data = {"username": username, "password": PASSWORD, "csrf_token": token.group(1) or token.group(2)}
    assert client.post("/login", data=data).status_code == 302


def post_form(client: FlaskClient, page_url: str, action: str, data: dict[str, str], **headers: str) -> tuple[int, str]:
    """Post a form found on a page (its CSRF token taken from the page); return the status and the text."""
    page = client.get(page_url, headers=headers).get_data(as_text=True)
    match = TOKEN_RE.search(page)
    assert match is not None, page[:500]
    response = client.post(action, data={**data, "csrf_token": match.group(1)}, headers=headers)
    return response.status_code, response.get_data(as_text=True)
