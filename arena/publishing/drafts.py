"""Creating a challenge from a form or an uploaded bundle, as an unpublished draft organized by its creator.

The form's fields become a ``challenge.yaml`` (one track, one phase) written with the uploaded hidden key,
sample submission and optional baseline (for a code track: the hidden inputs archive, unpacked, and the
sample and baseline programs) into a bundle folder, which the bundle importer reads and installs:
the form is checked by the importer's own reader, so it gets the importer's messages, field by field.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import audit
from arena.accounts import grant_role
from arena.challenges import SLUG_TAKEN, ImportReport, import_bundle, read_spec
from arena.enums import ChallengeRoleKind
from arena.errors import BundleError
from arena.models import Challenge, ChallengeRole, User
from arena.permissions import Action, actor_for, require
from arena.publishing.draftbundle import INPUTS_FIELD, LABELS_FIELD, DraftFiles, DraftForm, bundle_data, write_draft
from arena.storage import BlobStore


def _slug_problem(session: Session, slug: str) -> list[tuple[str, str]]:
    if slug and session.scalar(select(Challenge.id).where(Challenge.slug == slug)) is not None:
        return [("slug", f"{slug!r} {SLUG_TAKEN}")]
    return []


def check_draft(session: Session, form: DraftForm, files: DraftFiles = DraftFiles()) -> list[tuple[str, str]]:  # noqa: B008
    """Every problem the importer would find in the form, as (bundle field, message); files not given yet are
    not counted as missing (the live check runs before they are chosen)."""
    data, problems = bundle_data(form, files)
    problems += _slug_problem(session, data["slug"])
    with tempfile.TemporaryDirectory(prefix="arena-draft-") as scratch:
        root = Path(scratch)
        upload_problems = write_draft(root, data, files)
        problems += upload_problems
        try:
            read_spec(data, root, root, "")
        except BundleError as error:
            # An archive that could not be used is named once, in its own words, not again as a missing path.
            refused = {field for field, _message in upload_problems}
            problems += [(field, message) for field, message in error.problems if field not in refused]
    later = {LABELS_FIELD} if files.labels is None else set()
    later |= {"public_files"} if files.sample is None else set()
    later |= {INPUTS_FIELD} if files.inputs is None else set()
    return [(field, message) for field, message in problems if field not in later]


def _made_draft(session: Session, user: User, report: ImportReport, source: str) -> None:
    challenge = session.get(Challenge, report.challenge_id)
    assert challenge is not None
    challenge.is_published = False
    grant_role(session, challenge.id, user, ChallengeRoleKind.ORGANIZER, actor_id=user.id)
    audit.record(
        session,
        "challenge.created",
        actor_id=user.id,
        challenge_id=challenge.id,
        target_type="challenge",
        target_id=challenge.id,
        source=source,
    )
    session.flush()


def create_challenge(
    session: Session, store: BlobStore, user: User, form: DraftForm, files: DraftFiles
) -> ImportReport:
    """Create an unpublished challenge from the form, with ``user`` as its organizer; the caller commits.

    Raises BundleError with every problem (the importer's messages) and changes nothing then.
    """
    require(actor_for(session, user, None), Action.CREATE_CHALLENGE)
    data, problems = bundle_data(form, files)
    with tempfile.TemporaryDirectory(prefix="arena-draft-") as scratch:
        root = Path(scratch) / "bundle"
        root.mkdir()
        problems += write_draft(root, data, files)
        if problems:
            raise BundleError(problems + [p for p in check_draft(session, form, files) if p not in problems])
        report = import_bundle(session, store, root, actor=user, new_only=True)
    _made_draft(session, user, report, "form")
    return report


def create_from_bundle(session: Session, store: BlobStore, user: User, path: Path) -> ImportReport:
    """Create an unpublished challenge from an uploaded bundle (zip or tar.gz) with ``user`` as its organizer.

    The slug must be new; a build step is refused unless ``user`` is a site admin. The caller commits.
    """
    require(actor_for(session, user, None), Action.CREATE_CHALLENGE)
    report = import_bundle(session, store, path, actor=user, new_only=True)
    _made_draft(session, user, report, "bundle")
    return report


def drafts_of(session: Session, user: User) -> list[Challenge]:
    """The unpublished challenges ``user`` organizes, newest first (the catalog does not list them)."""
    query = (
        select(Challenge)
        .join(ChallengeRole, ChallengeRole.challenge_id == Challenge.id)
        .where(
            ChallengeRole.user_id == user.id,
            ChallengeRole.role == ChallengeRoleKind.ORGANIZER.value,
            Challenge.is_published.is_(False),
        )
        .order_by(Challenge.created_at.desc(), Challenge.id.desc())
    )
    return list(session.scalars(query))


def reimport_bundle(session: Session, store: BlobStore, user: User, challenge: Challenge, path: Path) -> ImportReport:
    """Import a new version of ``challenge``'s own bundle (its organizers); audited by the importer."""
    return import_bundle(session, store, path, actor=user, slug=challenge.slug)
