"""Files a respondent attaches to its proposal, read only by its organization and the demand's sponsor."""

from __future__ import annotations

from datetime import datetime
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import audit
from arena.db import utcnow
from arena.demands.access import acts_for, own_response, response_for_sponsor
from arena.demands.filing import store_attachment
from arena.demands.responses import OPEN_STATES, check_open_for_responses
from arena.enums import ResponseStatus
from arena.errors import Conflict, NotFound
from arena.models import Demand, DemandAttachment, DemandResponse, User
from arena.storage import BlobStore


def add_response_attachment(
    session: Session,
    store: BlobStore,
    user: User,
    response_id: int,
    name: str,
    stream: BinaryIO,
    *,
    now: datetime | None = None,
) -> DemandAttachment:
    """Attach a file to the organization's own response while it may still be revised; checked like a demand's."""
    response = own_response(session, user, response_id)
    demand = session.get(Demand, response.demand_id)
    assert demand is not None
    check_open_for_responses(demand, now or utcnow())
    if ResponseStatus(response.status) not in OPEN_STATES:
        raise Conflict("this response can no longer be changed")
    attachment = store_attachment(store, user, name, stream)
    attachment.response_id = response.id
    session.add(attachment)
    session.flush()
    audit.record(
        session,
        "response.attachment_added",
        actor_id=user.id,
        target_type="response",
        target_id=response.id,
        name=attachment.name,
        sha256=attachment.sha256,
    )
    return attachment


def readable_response(session: Session, user: User, response_id: int) -> DemandResponse:
    """The response if the user acts for its respondent or (once submitted) for the demand's sponsor; else NotFound."""
    response = session.get(DemandResponse, response_id)
    if response is not None and acts_for(session, user, response.respondent_id):
        return response
    return response_for_sponsor(session, user, response_id)


def response_attachments(session: Session, response_id: int) -> list[DemandAttachment]:
    """A response's files in upload order; the caller has checked who may read them."""
    return list(
        session.scalars(
            select(DemandAttachment).where(DemandAttachment.response_id == response_id).order_by(DemandAttachment.id)
        )
    )


def response_attachment(session: Session, user: User, response_id: int, attachment_id: int) -> DemandAttachment:
    """One file of a response the user may read; NotFound for everyone else, other respondents included."""
    response = readable_response(session, user, response_id)
    row = session.get(DemandAttachment, attachment_id)
    if row is None or row.response_id != response.id:
        raise NotFound("no such attachment")
    return row
