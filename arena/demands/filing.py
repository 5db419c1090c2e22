"""Sponsors (or brokers for them) write demands: drafts saved as typed, submitted for review, withdrawn, attached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from sqlalchemy.orm import Session

from arena.db import utcnow
from arena.demands.access import acts_for, has_site_role, sponsored_demand
from arena.demands.forms import FieldReader
from arena.demands.lifecycle import move
from arena.demands.vocabulary import ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES, FIELDS, MAGIC
from arena.enums import DemandStatus, OrganizationKind, SiteRoleKind
from arena.errors import FileTooLarge, Forbidden, FormErrors, InvalidInput, NotFound
from arena.models import Demand, DemandAttachment, Organization, User
from arena.storage import BlobStore, TooLarge

TEXT_LIMITS = {
    "title": 200,
    "region": 64,
    "summary": 2000,
    "problem": 20000,
    "current_state": 20000,
    "indicators": 20000,
    "terms": 20000,
}
REQUIRED_TO_SUBMIT = ("title", "field", "summary", "problem", "indicators", "deadline")


@dataclass(frozen=True)
class Saved:
    """A saved draft and the problems of the fields that could not be kept as typed."""

    demand: Demand
    problems: list[tuple[str, str, dict[str, object]]]


def _sponsor_for_filing(session: Session, user: User, sponsor_id: int) -> Organization:
    sponsor = session.get(Organization, sponsor_id)
    if sponsor is None:
        raise NotFound("no such organization")
    if sponsor.kind != OrganizationKind.ENTERPRISE and not user.is_admin:
        raise InvalidInput("demands are filed by enterprises", field="sponsor_id")
    if not (acts_for(session, user, sponsor.id) or has_site_role(session, user, SiteRoleKind.BROKER)):
        raise Forbidden("only the sponsor's members or a technology broker may file its demands")
    return sponsor


def save_draft(
    session: Session,
    user: User,
    raw: dict[str, str],
    *,
    sponsor_id: int | None = None,
    demand_id: int | None = None,
    now: datetime | None = None,
) -> Saved:
    """Create or update a draft from the form values given (absent keys stay as they are); valid values are kept,
    invalid ones come back as problems on their fields."""
    now = now or utcnow()
    if demand_id is None:
        if sponsor_id is None:
            raise InvalidInput("choose the sponsor organization", field="sponsor_id")
        sponsor = _sponsor_for_filing(session, user, sponsor_id)
        demand = Demand(sponsor_id=sponsor.id, filed_by_id=user.id, status=DemandStatus.DRAFT.value)
        if not acts_for(session, user, sponsor.id):
            demand.broker_id = user.id
        session.add(demand)
    else:
        demand = sponsored_demand(session, user, demand_id)
        if not DemandStatus(demand.status).sponsor_edits:
            raise InvalidInput("the demand can be changed only as a draft or when changes were requested")
    reader = FieldReader(raw)
    for name, limit in TEXT_LIMITS.items():
        if name in raw:
            value = reader.text(name, limit=limit)
            if len(value) <= limit:
                setattr(demand, name, value)
    if "field" in raw:
        demand.field = reader.choice("field", FIELDS)
    for name in ("budget_min", "budget_max", "intended_investment"):
        if name in raw:
            before = len(reader.problems)
            amount = reader.money(name)
            if len(reader.problems) == before:
                setattr(demand, name, amount)
    if demand.budget_min is not None and demand.budget_max is not None and demand.budget_min > demand.budget_max:
        reader.problems.append(("budget_max", "the upper end of the budget is below its lower end", {}))
    if "deadline" in raw:
        before = len(reader.problems)
        deadline = reader.moment("deadline", after=now)
        if len(reader.problems) == before:
            demand.deadline = deadline
    if "confidential" in raw:
        demand.confidential = reader.flag("confidential")
    session.flush()
    return Saved(demand, reader.problems)


def submit_demand(session: Session, user: User, demand_id: int, *, now: datetime | None = None) -> Demand:
    """Send a complete draft (or a changed one) to the reviewers; every missing field is named."""
    now = now or utcnow()
    demand = sponsored_demand(session, user, demand_id)
    problems: list[tuple[str, str, dict[str, object]]] = []
    for name in REQUIRED_TO_SUBMIT:
        if not getattr(demand, name):
            problems.append((name, "this field is required", {}))
    if demand.deadline is not None and demand.deadline <= now:
        problems.append(("deadline", "the date must be in the future", {}))
    if demand.budget_max is None and demand.budget_min is None:
        problems.append(("budget_max", "state a budget range", {}))
    if demand.confidential and not demand.terms.strip():
        problems.append(("terms", "a confidential demand needs the terms respondents accept", {}))
    sponsor = session.get(Organization, demand.sponsor_id)
    if sponsor is not None and not (sponsor.contact_name and sponsor.contact_email):
        problems.append(("sponsor_id", "the sponsor needs a contact name and e-mail before it files demands", {}))
    if problems:
        raise FormErrors(problems)
    move(session, demand, DemandStatus.SUBMITTED, actor_id=user.id, now=now)
    return demand


def withdraw_demand(session: Session, user: User, demand_id: int, reason: str) -> Demand:
    """The sponsor withdraws the demand (any state before a contract), with a reason."""
    demand = sponsored_demand(session, user, demand_id)
    if not reason.strip():
        raise InvalidInput("say why the demand is withdrawn", field="reason")
    move(session, demand, DemandStatus.WITHDRAWN, actor_id=user.id, reason=reason.strip())
    return demand


def add_attachment(
    session: Session,
    store: BlobStore,
    user: User,
    demand_id: int,
    name: str,
    stream: BinaryIO,
    *,
    public: bool = False,
) -> DemandAttachment:
    """Attach a file to a demand the sponsor may still edit; type and size are checked, the bytes kept by sha256."""
    demand = sponsored_demand(session, user, demand_id)
    if not DemandStatus(demand.status).sponsor_edits:
        raise InvalidInput("the demand can be changed only as a draft or when changes were requested")
    attachment = store_attachment(store, user, name, stream)
    attachment.demand_id, attachment.public = demand.id, public
    session.add(attachment)
    session.flush()
    return attachment


def store_attachment(store: BlobStore, user: User, name: str, stream: BinaryIO) -> DemandAttachment:
    """Check an attachment's type by name and content, its size, and keep it; the caller links it."""
    clean = name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    extension = clean.rsplit(".", 1)[-1].lower() if "." in clean else ""
    content_type = ATTACHMENT_TYPES.get(extension)
    if not clean or content_type is None:
        raise InvalidInput(
            "attach a file of one of these types: %(types)s",
            field="attachment",
            params={"types": ", ".join(sorted(ATTACHMENT_TYPES))},
        )
    try:
        staged = store.stage(stream, ATTACHMENT_MAX_BYTES)
    except TooLarge:
        raise FileTooLarge("the file is larger than %(bytes)s bytes", params={"bytes": ATTACHMENT_MAX_BYTES}) from None
    with staged:
        with staged.path.open("rb") as handle:
            head = handle.read(16)
        if not any(head.startswith(magic) for magic in MAGIC[content_type]):
            raise InvalidInput(
                "the file's content is not a %(type)s file", field="attachment", params={"type": extension}
            )
        sha256 = staged.keep()
        size = staged.size
    return DemandAttachment(name=clean, content_type=content_type, size=size, sha256=sha256, uploaded_by_id=user.id)
