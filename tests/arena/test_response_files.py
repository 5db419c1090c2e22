"""A response's files on a real database: checked like a demand's, open only to the respondent and the sponsor."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import demands
from arena.db import utcnow
from arena.errors import Conflict, FileTooLarge, InvalidInput, NotFound
from arena.models import AuditEvent
from arena.storage import BlobStore
from tests.arena.demands_world import DemandsWorld, build_demands_world, published_demand, submitted_response

PDF = b"%PDF-1.4 salt-spray results"


@pytest.fixture
def world(session: Session) -> DemandsWorld:
    return build_demands_world(session)


def test_the_respondent_attaches_and_only_the_two_sides_read(
    session: Session, world: DemandsWorld, store: BlobStore
) -> None:
    demand = published_demand(session, world)
    response = submitted_response(session, world, demand, world.lab_user, world.lab)
    row = demands.add_response_attachment(session, store, world.lab_user, response.id, "results.pdf", io.BytesIO(PDF))
    session.commit()
    assert row.response_id == response.id and row.demand_id is None and store.read_bytes(row.sha256) == PDF
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "response.attachment_added"))
    assert event is not None and event.actor_id == world.lab_user.id and event.data["sha256"] == row.sha256
    for reader in (world.lab_user, world.sponsor_user):
        assert demands.response_attachment(session, reader, response.id, row.id).id == row.id
        assert [a.id for a in demands.response_attachments(session, response.id)] == [row.id]
    for stranger in (world.firm_user, world.outsider, world.reviewer):
        with pytest.raises(NotFound):
            demands.response_attachment(session, stranger, response.id, row.id)
        with pytest.raises(NotFound):
            demands.add_response_attachment(session, store, stranger, response.id, "x.pdf", io.BytesIO(PDF))
    with pytest.raises(InvalidInput) as wrong:
        demands.add_response_attachment(session, store, world.lab_user, response.id, "a.exe", io.BytesIO(b"MZ"))
    assert wrong.value.field == "attachment"
    with pytest.raises(FileTooLarge):
        big = io.BytesIO(b"%PDF-" + b"0" * (20 * 1024 * 1024))
        demands.add_response_attachment(session, store, world.lab_user, response.id, "big.pdf", big)
    assert len(demands.response_attachments(session, response.id)) == 1


def test_a_draft_file_stays_with_the_respondent_and_none_is_added_late(
    session: Session, world: DemandsWorld, store: BlobStore
) -> None:
    demand = published_demand(session, world)
    draft, _ = demands.save_response(session, world.firm_user, demand.id, world.firm.id, {"approach": "Idea"})
    row = demands.add_response_attachment(session, store, world.firm_user, draft.id, "idea.pdf", io.BytesIO(PDF))
    session.commit()
    with pytest.raises(NotFound):
        demands.response_attachment(session, world.sponsor_user, draft.id, row.id)
    late = utcnow() + timedelta(days=400)
    with pytest.raises(InvalidInput):
        demands.add_response_attachment(
            session, store, world.firm_user, draft.id, "late.pdf", io.BytesIO(PDF), now=late
        )
    demands.withdraw_response(session, world.firm_user, draft.id)
    with pytest.raises(Conflict):
        demands.add_response_attachment(session, store, world.firm_user, draft.id, "after.pdf", io.BytesIO(PDF))
