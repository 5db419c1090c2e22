"""The threaded questions and answers between a sponsor and one respondent about its response."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.demands.access import acts_for, is_sponsor_of
from arena.errors import InvalidInput, NotFound
from arena.models import Demand, DemandResponse, ResponseMessage, User

MESSAGE_LIMIT = 5000


def _side(session: Session, user: User, response: DemandResponse) -> str:
    demand = session.get(Demand, response.demand_id)
    if demand is not None and response.status != "draft" and is_sponsor_of(session, user, demand):
        return "sponsor"
    if acts_for(session, user, response.respondent_id):
        return "respondent"
    raise NotFound("no such response")


def post_message(session: Session, user: User, response_id: int, body: str) -> ResponseMessage:
    """Add a question or an answer to a response's thread (sponsor or respondent only)."""
    response = session.get(DemandResponse, response_id)
    if response is None:
        raise NotFound("no such response")
    side = _side(session, user, response)
    text = body.strip()
    if not text:
        raise InvalidInput("write a message", field="body")
    if len(text) > MESSAGE_LIMIT:
        raise InvalidInput("at most %(limit)s characters", field="body", params={"limit": MESSAGE_LIMIT})
    message = ResponseMessage(response_id=response.id, author_id=user.id, side=side, body=text)
    session.add(message)
    session.flush()
    return message


def thread(session: Session, user: User, response_id: int) -> list[ResponseMessage]:
    """The response's messages, oldest first, for its sponsor or its respondent."""
    response = session.get(DemandResponse, response_id)
    if response is None:
        raise NotFound("no such response")
    _side(session, user, response)
    return list(
        session.scalars(
            select(ResponseMessage).where(ResponseMessage.response_id == response.id).order_by(ResponseMessage.at)
        )
    )
