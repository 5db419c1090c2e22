"""Lifecycles and kinds, as str-Enums; each lifecycle has one transition function."""

from __future__ import annotations

from enum import StrEnum

from arena.errors import InvalidTransition


class TrackKind(StrEnum):
    """What participants upload to a track."""

    RESULT = "result"
    CODE = "code"


class ResourceClass(StrEnum):
    """What a code track's runs need from a worker's host; each class has its own queue."""

    CPU = "cpu"
    GPU = "gpu"
    LARGE_MEMORY = "large-memory"


class Direction(StrEnum):
    """Which way a track ranks its scores."""

    MAX = "max"
    MIN = "min"


class Split(StrEnum):
    """The two parts of a phase's hidden key."""

    PUBLIC = "public"
    PRIVATE = "private"


class ChallengeRoleKind(StrEnum):
    """Roles a user can hold within one challenge."""

    ORGANIZER = "organizer"
    JUDGE = "judge"


class TeamStatus(StrEnum):
    """A team's standing in its challenge."""

    ACTIVE = "active"
    MERGED = "merged"
    DISQUALIFIED = "disqualified"


class FailureClass(StrEnum):
    """Why a submission failed, in words a participant may see in any phase."""

    INVALID_FILE = "invalid_file"
    CRASHED = "crashed"
    TIMEOUT = "timeout"
    OUT_OF_MEMORY = "out_of_memory"
    OUTPUT_TOO_LARGE = "output_too_large"
    OUTPUT_INVALID = "output_invalid"
    INFRASTRUCTURE = "infrastructure"


class SubmissionStatus(StrEnum):
    """A submission's lifecycle: queued → running → scoring → scored | failed."""

    QUEUED = "queued"
    RUNNING = "running"
    SCORING = "scoring"
    SCORED = "scored"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        """Whether the submission will not change status again on its own."""
        return self in {SubmissionStatus.SCORED, SubmissionStatus.FAILED, SubmissionStatus.CANCELLED}


_SUBMISSION_EDGES: dict[SubmissionStatus, frozenset[SubmissionStatus]] = {
    SubmissionStatus.QUEUED: frozenset(
        {SubmissionStatus.RUNNING, SubmissionStatus.SCORING, SubmissionStatus.FAILED, SubmissionStatus.CANCELLED}
    ),
    SubmissionStatus.RUNNING: frozenset({SubmissionStatus.SCORING, SubmissionStatus.FAILED, SubmissionStatus.QUEUED}),
    SubmissionStatus.SCORING: frozenset({SubmissionStatus.SCORED, SubmissionStatus.FAILED, SubmissionStatus.QUEUED}),
    # Re-runs and rescoring start over from a final state.
    SubmissionStatus.SCORED: frozenset({SubmissionStatus.QUEUED}),
    SubmissionStatus.FAILED: frozenset({SubmissionStatus.QUEUED}),
    SubmissionStatus.CANCELLED: frozenset(),
}


def check_submission_transition(current: SubmissionStatus, new: SubmissionStatus) -> None:
    """Raise InvalidTransition unless the lifecycle allows ``current → new``."""
    if new not in _SUBMISSION_EDGES[current]:
        raise InvalidTransition(
            "a submission cannot go from %(current)s to %(new)s", params={"current": str(current), "new": str(new)}
        )


class RequestStatus(StrEnum):
    """A team invitation's or merge request's lifecycle: pending → accepted | declined | cancelled."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


_REQUEST_EDGES: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.PENDING: frozenset({RequestStatus.ACCEPTED, RequestStatus.DECLINED, RequestStatus.CANCELLED}),
    RequestStatus.ACCEPTED: frozenset(),
    RequestStatus.DECLINED: frozenset(),
    RequestStatus.CANCELLED: frozenset(),
}


def check_request_transition(current: RequestStatus, new: RequestStatus) -> None:
    """Raise InvalidTransition unless an invitation or merge request may go from ``current`` to ``new``."""
    if new not in _REQUEST_EDGES[current]:
        raise InvalidTransition(
            "this request is already %(current)s; it cannot become %(new)s",
            params={"current": str(current), "new": str(new)},
        )


class FinalStatus(StrEnum):
    """A final's lifecycle: draft → announced → finalists_named → scoring → locked → revealed."""

    DRAFT = "draft"
    ANNOUNCED = "announced"
    FINALISTS_NAMED = "finalists_named"
    SCORING = "scoring"
    LOCKED = "locked"
    REVEALED = "revealed"


_FINAL_EDGES: dict[FinalStatus, frozenset[FinalStatus]] = {
    FinalStatus.DRAFT: frozenset({FinalStatus.ANNOUNCED}),
    FinalStatus.ANNOUNCED: frozenset({FinalStatus.FINALISTS_NAMED}),
    FinalStatus.FINALISTS_NAMED: frozenset({FinalStatus.SCORING}),
    # Unlocking sends the final back to scoring (audited), e.g. after an appeal is upheld.
    FinalStatus.SCORING: frozenset({FinalStatus.LOCKED}),
    FinalStatus.LOCKED: frozenset({FinalStatus.REVEALED, FinalStatus.SCORING}),
    FinalStatus.REVEALED: frozenset(),
}


def check_final_transition(current: FinalStatus, new: FinalStatus) -> None:
    """Raise InvalidTransition unless a final may go from ``current`` to ``new``."""
    if new not in _FINAL_EDGES[current]:
        raise InvalidTransition(
            "a final cannot go from %(current)s to %(new)s", params={"current": str(current), "new": str(new)}
        )


class FinalistStatus(StrEnum):
    """A finalist's standing: named (or substitute) until it declines or withdraws."""

    NAMED = "named"
    DECLINED = "declined"
    SUBSTITUTE = "substitute"
    WITHDRAWN = "withdrawn"

    @property
    def takes_part(self) -> bool:
        """Whether the finalist is in the final (scored and ranked)."""
        return self in {FinalistStatus.NAMED, FinalistStatus.SUBSTITUTE}


class ConflictSource(StrEnum):
    """Where a conflict of interest comes from."""

    DECLARED = "declared"
    INSTITUTION = "institution"
    EMAIL_DOMAIN = "email_domain"
    MEMBER = "member"


class DemandStatus(StrEnum):
    """A technical demand's lifecycle, from the sponsor's draft to a signed contract."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    PUBLISHED = "published"
    RESPONSES_CLOSED = "responses_closed"
    SELECTED = "selected"
    CONTRACTED = "contracted"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        """Whether the demand will not change status again."""
        return self in {DemandStatus.CONTRACTED, DemandStatus.WITHDRAWN, DemandStatus.REJECTED, DemandStatus.EXPIRED}

    @property
    def is_public(self) -> bool:
        """Whether the demand is listed for everyone."""
        return self in {
            DemandStatus.PUBLISHED,
            DemandStatus.RESPONSES_CLOSED,
            DemandStatus.SELECTED,
            DemandStatus.CONTRACTED,
        }

    @property
    def sponsor_edits(self) -> bool:
        """Whether the sponsor may change the demand's texts."""
        return self in {DemandStatus.DRAFT, DemandStatus.CHANGES_REQUESTED}


_DEMAND_EDGES: dict[DemandStatus, frozenset[DemandStatus]] = {
    DemandStatus.DRAFT: frozenset({DemandStatus.SUBMITTED, DemandStatus.WITHDRAWN}),
    DemandStatus.SUBMITTED: frozenset({DemandStatus.IN_REVIEW, DemandStatus.WITHDRAWN}),
    DemandStatus.IN_REVIEW: frozenset(
        {DemandStatus.CHANGES_REQUESTED, DemandStatus.APPROVED, DemandStatus.REJECTED, DemandStatus.WITHDRAWN}
    ),
    DemandStatus.CHANGES_REQUESTED: frozenset({DemandStatus.SUBMITTED, DemandStatus.WITHDRAWN}),
    DemandStatus.APPROVED: frozenset({DemandStatus.PUBLISHED, DemandStatus.WITHDRAWN}),
    DemandStatus.PUBLISHED: frozenset({DemandStatus.RESPONSES_CLOSED, DemandStatus.WITHDRAWN, DemandStatus.EXPIRED}),
    DemandStatus.RESPONSES_CLOSED: frozenset({DemandStatus.SELECTED, DemandStatus.WITHDRAWN, DemandStatus.EXPIRED}),
    DemandStatus.SELECTED: frozenset({DemandStatus.CONTRACTED, DemandStatus.WITHDRAWN}),
    DemandStatus.CONTRACTED: frozenset(),
    DemandStatus.WITHDRAWN: frozenset(),
    DemandStatus.REJECTED: frozenset(),
    DemandStatus.EXPIRED: frozenset(),
}


def check_demand_transition(current: DemandStatus, new: DemandStatus) -> None:
    """Raise InvalidTransition unless a demand may go from ``current`` to ``new``."""
    if new not in _DEMAND_EDGES[current]:
        raise InvalidTransition(
            "a demand cannot go from %(current)s to %(new)s", params={"current": str(current), "new": str(new)}
        )


class ResponseStatus(StrEnum):
    """A respondent's proposal: a draft until submitted, then shortlisted, selected or not."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    SHORTLISTED = "shortlisted"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"
    WITHDRAWN = "withdrawn"


_RESPONSE_EDGES: dict[ResponseStatus, frozenset[ResponseStatus]] = {
    ResponseStatus.DRAFT: frozenset({ResponseStatus.SUBMITTED, ResponseStatus.WITHDRAWN}),
    ResponseStatus.SUBMITTED: frozenset(
        {ResponseStatus.SHORTLISTED, ResponseStatus.SELECTED, ResponseStatus.NOT_SELECTED, ResponseStatus.WITHDRAWN}
    ),
    ResponseStatus.SHORTLISTED: frozenset(
        {ResponseStatus.SUBMITTED, ResponseStatus.SELECTED, ResponseStatus.NOT_SELECTED, ResponseStatus.WITHDRAWN}
    ),
    ResponseStatus.SELECTED: frozenset(),
    ResponseStatus.NOT_SELECTED: frozenset(),
    ResponseStatus.WITHDRAWN: frozenset(),
}


def check_response_transition(current: ResponseStatus, new: ResponseStatus) -> None:
    """Raise InvalidTransition unless a response may go from ``current`` to ``new``."""
    if new not in _RESPONSE_EDGES[current]:
        raise InvalidTransition(
            "a response cannot go from %(current)s to %(new)s", params={"current": str(current), "new": str(new)}
        )


class OrganizationKind(StrEnum):
    """What kind of body an organization is."""

    ENTERPRISE = "enterprise"
    UNIVERSITY = "university"
    INSTITUTE = "institute"
    COMPANY = "company"
    INDIVIDUAL = "individual"


class SiteRoleKind(StrEnum):
    """Site-wide roles: of the demands workflow, and creators, who may create challenges."""

    REVIEWER = "reviewer"
    BROKER = "broker"
    CREATOR = "creator"


class DealKind(StrEnum):
    """The four kinds of technology contract: 技术开发 / 转让 / 许可 / 服务."""

    DEVELOPMENT = "development"
    TRANSFER = "transfer"
    LICENSE = "license"
    SERVICE = "service"
