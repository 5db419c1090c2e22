"""The demands workflow on a real database: drafts, review, publication, responses, selection, deals, access."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import demands
from arena.db import utcnow
from arena.enums import DemandStatus, ResponseStatus, check_demand_transition
from arena.errors import FileTooLarge, Forbidden, FormErrors, InvalidInput, InvalidTransition, NotFound
from arena.models import AuditEvent, Demand, DemandResponse
from arena.storage import BlobStore
from tests.arena.demands_world import (
    FORM,
    RESPONSE,
    DemandsWorld,
    build_demands_world,
    published_demand,
    submitted_response,
)

ALL_TRUE = dict.fromkeys(demands.CHECKLIST, True)


@pytest.fixture
def world(session: Session) -> DemandsWorld:
    return build_demands_world(session)


def _deadline(days: int = 30) -> str:
    return (utcnow() + timedelta(days=days)).date().isoformat()


def test_a_draft_keeps_every_valid_field_and_names_each_bad_one(session: Session, world: DemandsWorld) -> None:
    form = dict(FORM, budget_max="about two million", deadline="2001-01-01", field="astrology")
    saved = demands.save_draft(session, world.sponsor_user, form, sponsor_id=world.sponsor.id)
    session.commit()
    fields = {field for field, _, _ in saved.problems}
    assert fields == {"budget_max", "deadline", "field"}
    demand = session.get(Demand, saved.demand.id)
    assert demand is not None and demand.status == DemandStatus.DRAFT
    assert demand.title == FORM["title"] and demand.problem == FORM["problem"]
    assert demand.budget_min == 500_000 and demand.budget_max is None
    assert demand.intended_investment == 5_000_000
    messages = dict((field, message) for field, message, _ in saved.problems)
    assert "whole number" in messages["budget_max"] and "future" in messages["deadline"]


def test_submitting_an_incomplete_draft_names_every_missing_field(session: Session, world: DemandsWorld) -> None:
    saved = demands.save_draft(session, world.sponsor_user, {"title": "Only a title"}, sponsor_id=world.sponsor.id)
    with pytest.raises(FormErrors) as raised:
        demands.submit_demand(session, world.sponsor_user, saved.demand.id)
    assert {field for field, _, _ in raised.value.problems} >= {"field", "summary", "problem", "indicators", "deadline"}
    assert saved.demand.status == DemandStatus.DRAFT


def test_review_sends_back_for_changes_then_approves_and_publishes(session: Session, world: DemandsWorld) -> None:
    saved = demands.save_draft(
        session, world.sponsor_user, dict(FORM, deadline=_deadline()), sponsor_id=world.sponsor.id
    )
    demand = demands.submit_demand(session, world.sponsor_user, saved.demand.id)
    assert demands.review_queue(session, world.reviewer) == [demand]
    assert demands.review_queue(session, world.sponsor_user) == []
    demands.start_review(session, world.reviewer, demand.id)
    with pytest.raises(InvalidInput):
        demands.request_changes(session, world.reviewer, demand.id, "  ")
    demands.request_changes(session, world.reviewer, demand.id, "State the test standard for salt spray.")
    assert demand.status == DemandStatus.CHANGES_REQUESTED
    demands.save_draft(
        session, world.sponsor_user, {"indicators": "ISO 9227 salt spray ≥ 5,000 h"}, demand_id=demand.id
    )
    demands.submit_demand(session, world.sponsor_user, demand.id)
    demands.start_review(session, world.reviewer, demand.id)
    with pytest.raises(InvalidInput) as incomplete:
        demands.approve(session, world.reviewer, demand.id, {"authentic": True, "complete": True})
    assert "feasible" in incomplete.value.message
    demands.approve(session, world.reviewer, demand.id, ALL_TRUE, "Clear and feasible.")
    assert world.sponsor.verified_at is not None
    demands.publish(session, world.reviewer, demand.id)
    session.commit()
    history = [(e.data["old"], e.data["new"], e.actor_id) for e in demands.history(session, demand.id)]
    assert [new for _, new, _ in history] == [
        "submitted",
        "in_review",
        "changes_requested",
        "submitted",
        "in_review",
        "approved",
        "published",
    ]
    assert history[2][2] == world.reviewer.id
    reasons = [e.data["reason"] for e in demands.history(session, demand.id)]
    assert "State the test standard for salt spray." in reasons
    assert [r.decision for r in demands.reviews(session, demand.id)] == ["changes_requested", "approved"]


def test_only_reviewers_review_and_a_sponsor_edits_only_drafts(session: Session, world: DemandsWorld) -> None:
    saved = demands.save_draft(
        session, world.sponsor_user, dict(FORM, deadline=_deadline()), sponsor_id=world.sponsor.id
    )
    demands.submit_demand(session, world.sponsor_user, saved.demand.id)
    for user in (world.sponsor_user, world.lab_user, world.outsider, world.broker):
        with pytest.raises(NotFound):
            demands.start_review(session, user, saved.demand.id)
    with pytest.raises(InvalidInput):
        demands.save_draft(session, world.sponsor_user, {"title": "changed"}, demand_id=saved.demand.id)
    with pytest.raises(NotFound):
        demands.save_draft(session, world.outsider, {"title": "mine now"}, demand_id=saved.demand.id)


def test_a_broker_files_for_a_sponsor_and_is_linked_to_the_demand(session: Session, world: DemandsWorld) -> None:
    saved = demands.save_draft(session, world.broker, dict(FORM, deadline=_deadline()), sponsor_id=world.sponsor.id)
    assert saved.demand.broker_id == world.broker.id and saved.demand.filed_by_id == world.broker.id
    assert demands.is_sponsor_of(session, world.broker, saved.demand)
    with pytest.raises(Forbidden):
        demands.save_draft(session, world.outsider, FORM, sponsor_id=world.sponsor.id)
    with pytest.raises(InvalidInput):
        demands.save_draft(session, world.lab_user, FORM, sponsor_id=world.lab.id)  # a university does not sponsor


def test_drafts_and_reviews_are_invisible_to_the_public_published_ones_listed(
    session: Session, world: DemandsWorld
) -> None:
    draft = demands.save_draft(session, world.sponsor_user, FORM, sponsor_id=world.sponsor.id).demand
    session.commit()
    for user in (None, world.lab_user, world.outsider, world.reviewer):
        assert not demands.may_see(session, user, draft)
        with pytest.raises(NotFound):
            demands.visible_demand(session, user, draft.id)
    published = published_demand(session, world, title="Seawater desalination membrane", field="marine")
    rows, total = demands.search(session, demands.DemandQuery(words="desalination"))
    assert rows == [published] and total == 1
    assert demands.search(session, demands.DemandQuery(field="food"))[1] == 0
    assert demands.search(session, demands.DemandQuery(words="membrane", budget_at_least=3_000_000))[1] == 0
    assert demands.search(session, demands.DemandQuery(words="membrane", budget_at_least=2_000_000))[1] == 1


def test_confidential_details_open_only_after_the_terms_are_accepted(session: Session, world: DemandsWorld) -> None:
    demand = published_demand(session, world, confidential="on", terms="Do not disclose the alloy composition.")
    assert demands.may_see(session, None, demand) and not demands.may_read_details(session, None, demand)
    assert not demands.may_read_details(session, world.lab_user, demand)
    assert demands.may_read_details(session, world.sponsor_user, demand)
    assert demands.may_read_details(session, world.reviewer, demand)
    demands.accept_terms(session, world.lab_user, demand.id)
    session.commit()
    assert demands.may_read_details(session, world.lab_user, demand)
    assert not demands.may_read_details(session, world.firm_user, demand)
    words = demands.search(session, demands.DemandQuery(words="splash"))  # a word of the confidential problem
    assert words[1] == 0


def test_a_confidential_demand_needs_terms_to_be_submitted(session: Session, world: DemandsWorld) -> None:
    form = dict(FORM, deadline=_deadline(), confidential="on")
    saved = demands.save_draft(session, world.sponsor_user, form, sponsor_id=world.sponsor.id)
    with pytest.raises(FormErrors) as raised:
        demands.submit_demand(session, world.sponsor_user, saved.demand.id)
    assert [field for field, _, _ in raised.value.problems] == ["terms"]


def test_respondents_see_only_their_own_responses_and_sponsors_never_drafts(
    session: Session, world: DemandsWorld
) -> None:
    demand = published_demand(session, world)
    lab = submitted_response(session, world, demand, world.lab_user, world.lab)
    draft, problems = demands.save_response(
        session, world.firm_user, demand.id, world.firm.id, dict(RESPONSE, price="cheap")
    )
    session.commit()
    assert [field for field, _, _ in problems] == ["price"] and draft.approach == RESPONSE["approach"]
    assert demands.own_responses(session, world.lab_user) == [lab]
    assert demands.own_responses(session, world.firm_user) == [draft]
    compared = demands.compare(session, world.sponsor_user, demand.id)
    assert [c.response.id for c in compared] == [lab.id]
    for user in (world.firm_user, world.lab_user, world.outsider, world.reviewer):
        with pytest.raises((NotFound, Forbidden)):
            demands.compare(session, user, demand.id)
    with pytest.raises(NotFound):
        demands.thread(session, world.firm_user, lab.id)
    with pytest.raises(NotFound):
        demands.post_message(session, world.sponsor_user, draft.id, "What is your price?")
    with pytest.raises(NotFound):
        demands.withdraw_response(session, world.firm_user, lab.id)


def test_a_response_can_be_revised_until_the_deadline_only(session: Session, world: DemandsWorld) -> None:
    demand = published_demand(session, world)
    response = submitted_response(session, world, demand, world.lab_user, world.lab)
    revised, _ = demands.save_response(session, world.lab_user, demand.id, world.lab.id, dict(RESPONSE, price="900000"))
    assert revised.id == response.id and revised.price == 900_000 and revised.status == ResponseStatus.SUBMITTED
    later = utcnow() + timedelta(days=31)
    with pytest.raises(InvalidInput):
        demands.save_response(session, world.lab_user, demand.id, world.lab.id, RESPONSE, now=later)
    with pytest.raises(InvalidInput):
        demands.save_response(session, world.sponsor_user, demand.id, world.sponsor.id, RESPONSE)


def test_questions_and_answers_form_one_thread_between_the_two_sides(session: Session, world: DemandsWorld) -> None:
    demand = published_demand(session, world)
    response = submitted_response(session, world, demand, world.lab_user, world.lab)
    demands.post_message(session, world.sponsor_user, response.id, "Can you test at 60 °C?")
    demands.post_message(session, world.lab_user, response.id, "Yes, in our salt-spray chamber.")
    session.commit()
    thread = demands.thread(session, world.sponsor_user, response.id)
    assert [(m.side, m.body) for m in thread] == [
        ("sponsor", "Can you test at 60 °C?"),
        ("respondent", "Yes, in our salt-spray chamber."),
    ]


def test_selection_records_reasons_and_a_deal_contracts_the_demand(session: Session, world: DemandsWorld) -> None:
    demand = published_demand(session, world)
    lab = submitted_response(session, world, demand, world.lab_user, world.lab)
    firm = submitted_response(session, world, demand, world.firm_user, world.firm)
    demands.shortlist(session, world.sponsor_user, lab.id)
    with pytest.raises(InvalidInput):
        demands.select_responses(session, world.sponsor_user, demand.id, {lab.id: " "})
    chosen = demands.select_responses(session, world.sponsor_user, demand.id, {lab.id: "Best salt-spray data."})
    session.commit()
    assert chosen == [lab] and lab.status == ResponseStatus.SELECTED and firm.status == ResponseStatus.NOT_SELECTED
    assert demand.status == DemandStatus.SELECTED and lab.decision_reason == "Best salt-spray data."
    with pytest.raises(FormErrors) as bad:
        demands.record_deal(
            session,
            world.sponsor_user,
            demand.id,
            {"kind": "barter", "value": "lots", "signed_on": "", "response_id": str(firm.id), "broker": "outsider"},
        )
    assert {f for f, _, _ in bad.value.problems} == {"kind", "value", "signed_on", "response_id", "broker"}
    deal = demands.record_deal(
        session,
        world.sponsor_user,
        demand.id,
        {
            "kind": "development",
            "value": "1,150,000",
            "signed_on": "2027-02-01",
            "response_id": str(lab.id),
            "parties": "Bohai Steel Ltd.; Tianjin University",
            "broker": "broker1",
        },
    )
    demands.add_milestone(
        session, world.sponsor_user, deal.id, {"title": "Lab samples", "due_on": "2027-05-01", "amount": "300000"}
    )
    session.commit()
    assert demand.status == DemandStatus.CONTRACTED and deal.value == 1_150_000 and deal.broker_id == world.broker.id
    assert demands.deals_brokered_by(session, world.broker.id) == [deal]
    milestone = demands.milestones(session, deal.id)[0]
    demands.complete_milestone(session, world.sponsor_user, milestone.id, date(2027, 4, 28))
    with pytest.raises(Forbidden):
        demands.add_milestone(session, world.lab_user, deal.id, {"title": "Mine"})
    actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "response")))
    assert "response.selected" in actions and "response.not_selected" in actions


def test_overdue_demands_close_to_selection_or_expire(session: Session, world: DemandsWorld) -> None:
    answered = published_demand(session, world, title="Answered")
    submitted_response(session, world, answered, world.lab_user, world.lab)
    silent = published_demand(session, world, title="Silent")
    closed = demands.close_overdue(session, now=utcnow() + timedelta(days=31))
    assert sorted(closed) == sorted([answered.id, silent.id])
    assert answered.status == DemandStatus.RESPONSES_CLOSED and silent.status == DemandStatus.EXPIRED


def test_publishing_refuses_a_demand_whose_deadline_passed(session: Session, world: DemandsWorld) -> None:
    saved = demands.save_draft(
        session, world.sponsor_user, dict(FORM, deadline=_deadline(2)), sponsor_id=world.sponsor.id
    )
    demands.submit_demand(session, world.sponsor_user, saved.demand.id)
    demands.start_review(session, world.reviewer, saved.demand.id)
    demands.approve(session, world.reviewer, saved.demand.id, ALL_TRUE)
    with pytest.raises(InvalidInput):
        demands.publish(session, world.reviewer, saved.demand.id, now=utcnow() + timedelta(days=3))


def test_attachments_are_checked_by_type_content_and_size(
    session: Session, world: DemandsWorld, store: BlobStore
) -> None:
    demand = demands.save_draft(session, world.sponsor_user, FORM, sponsor_id=world.sponsor.id).demand
    pdf = demands.add_attachment(
        session, store, world.sponsor_user, demand.id, "spec.pdf", io.BytesIO(b"%PDF-1.4 spec")
    )
    assert pdf.content_type == "application/pdf" and store.path_for(pdf.sha256).exists()
    with pytest.raises(InvalidInput) as wrong_type:
        demands.add_attachment(session, store, world.sponsor_user, demand.id, "run.exe", io.BytesIO(b"MZ"))
    assert "pdf" in wrong_type.value.message
    with pytest.raises(InvalidInput):
        demands.add_attachment(session, store, world.sponsor_user, demand.id, "fake.pdf", io.BytesIO(b"<html>"))
    with pytest.raises(FileTooLarge):
        big = io.BytesIO(b"%PDF-" + b"0" * (20 * 1024 * 1024))
        demands.add_attachment(session, store, world.sponsor_user, demand.id, "big.pdf", big)
    with pytest.raises(NotFound):
        demands.add_attachment(session, store, world.lab_user, demand.id, "spec.pdf", io.BytesIO(b"%PDF-1.4"))


def test_the_lifecycle_allows_only_its_edges() -> None:
    check_demand_transition(DemandStatus.DRAFT, DemandStatus.SUBMITTED)
    for status in DemandStatus:
        if status.is_final:
            for other in DemandStatus:
                with pytest.raises(InvalidTransition):
                    check_demand_transition(status, other)
    with pytest.raises(InvalidTransition):
        check_demand_transition(DemandStatus.DRAFT, DemandStatus.PUBLISHED)
    with pytest.raises(InvalidTransition):
        check_demand_transition(DemandStatus.SUBMITTED, DemandStatus.APPROVED)


def test_withdrawing_needs_a_reason_and_ends_the_demand(session: Session, world: DemandsWorld) -> None:
    demand = published_demand(session, world)
    with pytest.raises(InvalidInput):
        demands.withdraw_demand(session, world.sponsor_user, demand.id, "")
    demands.withdraw_demand(session, world.sponsor_user, demand.id, "Solved in-house.")
    session.commit()
    assert demand.status == DemandStatus.WITHDRAWN
    assert not demands.may_see(session, world.lab_user, session.get(Demand, demand.id) or demand)
    assert session.scalar(select(DemandResponse.id)) is None


def test_a_demand_with_a_bounty_becomes_a_draft_challenge_linked_back(session: Session, world: DemandsWorld) -> None:
    demand = published_demand(session, world)
    with pytest.raises(FormErrors) as bad:
        demands.to_challenge(
            session, world.sponsor_user, demand.id, {"slug": "X", "bounty": "100000", "prize_split": "50000, 30000"}
        )
    assert {field for field, _, _ in bad.value.problems} == {"slug", "prize_split"}
    with pytest.raises(NotFound):
        demands.to_challenge(session, world.lab_user, demand.id, {"slug": "coating-challenge", "bounty": "1"})
    challenge = demands.to_challenge(
        session,
        world.sponsor_user,
        demand.id,
        {"slug": "coating-challenge", "bounty": "100000", "prize_split": "60000，40000"},
    )
    session.commit()
    assert challenge.title["zh"] == FORM["title"] and not challenge.is_published
    assert FORM["indicators"] in challenge.text["description"]["en"]
    assert demand.challenge_id == challenge.id and demand.bounty == 100_000 and demand.prize_split == [60_000, 40_000]
    assert demands.demand_of_challenge(session, challenge.id) == demand
    with pytest.raises(InvalidInput):
        demands.link_challenge(session, world.sponsor_user, demand.id, "coating-challenge", {"bounty": "1"})
