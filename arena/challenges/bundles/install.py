"""Installing a validated bundle: create or update the challenge without losing submissions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena import audit, boards
from arena.accounts import grant_role
from arena.challenges.bundles.loader import prepared
from arena.challenges.bundles.reader import read_spec
from arena.challenges.bundles.references import reference_bytes
from arena.challenges.bundles.rule_numbers import RulesMismatch, rules_mismatches
from arena.challenges.bundles.spec import ChallengeSpec, FinalSpec, PhaseSpec, TrackSpec
from arena.enums import ChallengeRoleKind, FinalStatus, SubmissionStatus
from arena.errors import BundleError
from arena.models import (
    Challenge,
    ChallengeFile,
    Final,
    FinalSealedSet,
    Phase,
    RubricCriterion,
    Submission,
    Track,
    User,
)
from arena.permissions import Action, Resource, actor_for, decide, require
from arena.storage import BlobStore, sha256_file

SLUG_TAKEN = "is the address of another challenge; choose another slug"


@dataclass
class ImportReport:
    """What an import did, for the person who ran it; warnings are numbers in the rules the configuration denies."""

    challenge_id: int
    slug: str
    created: bool
    changes: list[str] = field(default_factory=list)
    rescore_submission_ids: list[int] = field(default_factory=list)
    warnings: list[RulesMismatch] = field(default_factory=list)


def validate_bundle(path: Path) -> ChallengeSpec:
    """Check a bundle completely (running its build step) without touching the database."""
    with prepared(path) as bundle:
        return read_spec(bundle.data, bundle.bundle_dir, bundle.data_root, bundle.sha256)


def import_bundle(  # noqa: PLR0913
    session: Session,
    store: BlobStore,
    path: Path,
    *,
    actor: User | None = None,
    organizer: User | None = None,
    new_only: bool = False,
    slug: str | None = None,
) -> ImportReport:
    """Validate the bundle at ``path`` and install it; raise BundleError listing every problem first.

    A bundle's build step runs only for site admins (and the command line, ``actor`` None); ``new_only``
    refuses a slug that another challenge has, and ``slug`` any other slug than this one.
    """
    allow_build = actor is None or decide(actor_for(session, actor, None), Action.BUILD_BUNDLE)
    with prepared(path, allow_build=allow_build) as bundle:
        spec = read_spec(bundle.data, bundle.bundle_dir, bundle.data_root, bundle.sha256)
        existing = session.scalar(select(Challenge).where(Challenge.slug == spec.slug))
        if existing is not None and new_only:
            raise BundleError([("slug", f"{spec.slug!r} {SLUG_TAKEN}")])
        if slug is not None and spec.slug != slug:
            raise BundleError([("slug", f"must stay {slug!r}: this imports that challenge again, got {spec.slug!r}")])
        if actor is not None:
            exists = Resource(challenge_exists=existing is not None)
            require(actor_for(session, actor, existing.id if existing else None), Action.IMPORT_CHALLENGE, exists)
        if existing is not None:
            _check_nothing_lost(session, existing, spec)
        report = _install(session, store, spec, existing)
        report.warnings.extend(rules_mismatches(spec))
    for user in (organizer, actor if actor is not None and not actor.is_admin else None):
        if user is not None:
            grant_role(session, report.challenge_id, user, ChallengeRoleKind.ORGANIZER)
    audit.record(
        session,
        "challenge.imported",
        actor_id=actor.id if actor else None,
        challenge_id=report.challenge_id,
        target_type="challenge",
        target_id=report.challenge_id,
        sha256=spec.bundle_sha256,
        changes=report.changes,
        warnings=[str(warning) for warning in report.warnings],
    )
    session.flush()
    return report


def _submission_count(session: Session, *conditions: object) -> int:
    return session.scalar(select(func.count(Submission.id)).join(Phase).where(*conditions)) or 0  # type: ignore[arg-type]


def _check_nothing_lost(session: Session, challenge: Challenge, spec: ChallengeSpec) -> None:
    problems: list[tuple[str, str]] = []
    wanted = {t.slug: {p.slug for p in t.phases} for t in spec.tracks}
    for track in challenge.tracks:
        for phase in track.phases:
            if track.slug in wanted and phase.slug in wanted[track.slug]:
                continue
            count = _submission_count(session, Submission.phase_id == phase.id)
            if count:
                where, why = f"tracks.{track.slug}.phases.{phase.slug}", "submissions and cannot be removed"
                problems.append((where, f"has {count} {why}; keep it in the bundle"))
    for t_spec in spec.tracks:
        track_row = next((t for t in challenge.tracks if t.slug == t_spec.slug), None)
        if (
            track_row is not None
            and track_row.kind != t_spec.kind
            and any(_submission_count(session, Submission.phase_id == ph.id) for ph in track_row.phases)
        ):
            problems.append((f"tracks.{t_spec.slug}.kind", "cannot change once the track has submissions"))
    if problems:
        raise BundleError(problems)


def _install(session: Session, store: BlobStore, spec: ChallengeSpec, challenge: Challenge | None) -> ImportReport:
    created = challenge is None
    if challenge is None:
        challenge = Challenge(slug=spec.slug, title=spec.title)
        session.add(challenge)
    challenge.title = spec.title
    challenge.summary = spec.summary
    challenge.text = spec.text
    challenge.team_size_max = spec.team_size_max
    challenge.entry_deadline = spec.entry_deadline
    challenge.merge_deadline = spec.merge_deadline
    challenge.person_daily_quota = spec.person_daily_quota
    challenge.bundle_sha256 = spec.bundle_sha256
    session.flush()
    report = ImportReport(challenge_id=challenge.id, slug=challenge.slug, created=created)
    _install_files(session, store, spec, challenge)
    keep_tracks = set()
    for position, t_spec in enumerate(spec.tracks):
        track = next((t for t in challenge.tracks if t.slug == t_spec.slug), None)
        if track is None:
            track = Track(
                challenge_id=challenge.id,
                slug=t_spec.slug,
                title=t_spec.title,
                scorer=t_spec.scorer,
                id_column=t_spec.id_column,
                target_columns=t_spec.target_columns,
            )
            challenge.tracks.append(track)
            report.changes.append(f"added track {t_spec.slug}")
        _update_track(session, store, track, t_spec, position, report)
        keep_tracks.add(track.slug)
    for track in list(challenge.tracks):
        if track.slug not in keep_tracks:
            challenge.tracks.remove(track)
            report.changes.append(f"removed track {track.slug}")
    session.flush()
    if spec.final is not None:
        _install_final(session, store, challenge, spec.final, report)
    return report


def _install_final(
    session: Session, store: BlobStore, challenge: Challenge, spec: FinalSpec, report: ImportReport
) -> None:
    """Create the declared final as announced, or update it while no finalist is named yet."""
    final = session.scalar(select(Final).where(Final.challenge_id == challenge.id).order_by(Final.id).limit(1))
    if final is not None and final.status not in (FinalStatus.DRAFT, FinalStatus.ANNOUNCED):
        report.changes.append(f"the final is {final.status}; its declaration in the bundle was not applied")
        return
    if final is None:
        final = Final(challenge_id=challenge.id, title=spec.title, status=FinalStatus.ANNOUNCED)
        session.add(final)
        report.changes.append("added the final")
    phases = {(t.slug, ph.slug): ph.id for t in challenge.tracks for ph in t.phases}
    final.title = spec.title
    final.source_phase_ids = [phases[source] for source in spec.sources]
    final.materials_due_at, final.pitch_at, final.venue = spec.materials_due_at, spec.pitch_at, spec.venue
    final.appeal_deadline, final.formula, final.blind = spec.appeal_deadline, spec.formula, spec.blind
    final.aggregation, final.trim_min_judges, final.missing_rule = (
        spec.aggregation,
        spec.trim_min_judges,
        spec.missing_rule,
    )
    final.tolerance, final.report_max_bytes = spec.tolerance, spec.report_max_bytes
    session.flush()
    # No judge can have marked anything before scoring opens, so the rubric is simply replaced.
    for row in session.scalars(select(RubricCriterion).where(RubricCriterion.final_id == final.id)):
        session.delete(row)
    for position, c in enumerate(spec.rubric):
        session.add(
            RubricCriterion(
                final_id=final.id,
                name=c["name"],
                description=c["description"],
                weight=c["weight"],
                min_points=c["min"],
                max_points=c["max"],
                step=c["step"],
                position=position,
            )
        )
    session.flush()
    audit.record(
        session,
        "final.announced",
        actor_id=None,
        challenge_id=challenge.id,
        target_type="final",
        target_id=final.id,
        formula=final.formula,
        source="bundle",
    )
    _install_sealed(session, store, final, spec, phases, report)


def _install_sealed(
    session: Session,
    store: BlobStore,
    final: Final,
    spec: FinalSpec,
    phases: dict[tuple[str, str], int],
    report: ImportReport,
) -> None:
    """Store the declared sealed test sets; drop the ones an earlier import declared and this one does not."""
    rows = {
        row.phase_id: row for row in session.scalars(select(FinalSealedSet).where(FinalSealedSet.final_id == final.id))
    }
    declared = set()
    for sealed in spec.sealed:
        phase_id = phases[(sealed.track, sealed.phase)]
        declared.add(phase_id)
        inputs_sha, labels_sha = store.put_tree(sealed.inputs), store.put_file(sealed.labels)
        row = rows.get(phase_id)
        if row is not None and (row.inputs_sha256, row.labels_sha256) == (inputs_sha, labels_sha):
            continue
        if row is None:
            row = FinalSealedSet(
                final_id=final.id, phase_id=phase_id, inputs_sha256=inputs_sha, labels_sha256=labels_sha
            )
            session.add(row)
        with sealed.labels.open("rb") as handle:
            row.cases = max(0, sum(1 for _ in handle) - 1)
        row.inputs_sha256, row.labels_sha256, row.source, row.provided_by_id = inputs_sha, labels_sha, "bundle", None
        report.changes.append(f"the sealed final test set of {sealed.track}/{sealed.phase} is stored")
        session.flush()
        audit.record(
            session,
            "final.sealed_set_provided",
            actor_id=None,
            challenge_id=final.challenge_id,
            target_type="final",
            target_id=final.id,
            phase_id=phase_id,
            cases=row.cases,
            inputs_sha256=inputs_sha,
            labels_sha256=labels_sha,
            source="bundle",
            reproductions_cleared=[],
        )
    for phase_id, row in rows.items():
        if row.source == "bundle" and phase_id not in declared:
            session.delete(row)
            report.changes.append("removed a sealed final test set the bundle no longer declares")
            audit.record(
                session,
                "final.sealed_set_removed",
                actor_id=None,
                challenge_id=final.challenge_id,
                target_type="final",
                target_id=final.id,
                phase_id=phase_id,
                reproductions_cleared=[],
            )
    session.flush()


def _install_files(session: Session, store: BlobStore, spec: ChallengeSpec, challenge: Challenge) -> None:
    by_path = {f.path: f for f in challenge.files}
    keep = set()
    for position, f_spec in enumerate(spec.public_files):
        sha = store.put_file(f_spec.source)
        row = by_path.get(f_spec.path)
        if row is None:
            row = ChallengeFile(challenge_id=challenge.id, path=f_spec.path, sha256=sha, size=0)
            challenge.files.append(row)
        row.sha256 = sha
        row.size = f_spec.source.stat().st_size
        row.title = f_spec.title
        row.available_from = f_spec.available_from
        row.position = position
        keep.add(f_spec.path)
    for row in list(challenge.files):
        if row.path not in keep:
            challenge.files.remove(row)


def _update_track(
    session: Session, store: BlobStore, track: Track, spec: TrackSpec, position: int, report: ImportReport
) -> None:
    scoring_changed = track.id is not None and (
        track.scorer != spec.scorer or dict(track.scorer_options or {}) != spec.scorer_options
    )
    track.kind = spec.kind
    track.title = spec.title
    track.scorer = spec.scorer
    track.scorer_options = spec.scorer_options
    track.direction = spec.direction
    track.id_column = spec.id_column
    track.target_columns = spec.target_columns
    track.targets = spec.targets
    track.precision = spec.precision
    track.max_upload_bytes = spec.max_upload_bytes
    track.runner = spec.runner
    track.position = position
    program_sha = store.put_tree(spec.scoring_program) if spec.scoring_program is not None else ""
    scoring_changed = scoring_changed or (track.id is not None and track.scoring_program_sha256 != program_sha)
    track.scoring_program_sha256 = program_sha
    session.flush()
    keep = set()
    for index, p_spec in enumerate(spec.phases):
        phase = next((p for p in track.phases if p.slug == p_spec.slug), None)
        if phase is None:
            phase = Phase(track_id=track.id, slug=p_spec.slug, split_seed=p_spec.split_seed or secrets.token_hex(16))
            track.phases.append(phase)
            report.changes.append(f"added phase {track.slug}/{p_spec.slug}")
        _update_phase(session, store, phase, p_spec, index, scoring_changed, report)
        keep.add(p_spec.slug)
    for phase in list(track.phases):
        if phase.slug not in keep:
            track.phases.remove(phase)
            report.changes.append(f"removed phase {track.slug}/{phase.slug}")
    session.flush()
    by_slug = {phase.slug: phase for phase in track.phases}
    for phase in track.phases:
        source = by_slug.get(str(phase.advancement.get("from", ""))) if phase.advancement else None
        phase.previous_phase_id = source.id if source is not None else None


def _update_phase(
    session: Session,
    store: BlobStore,
    phase: Phase,
    spec: PhaseSpec,
    position: int,
    scoring_changed: bool,
    report: ImportReport,
) -> None:
    labels_sha = sha256_file(spec.labels)
    store.put_file(spec.labels)
    key_changed = bool(phase.labels_sha256) and phase.labels_sha256 != labels_sha
    phase.title = spec.title
    phase.opens_at = spec.opens
    phase.closes_at = spec.closes
    phase.daily_quota = spec.daily_quota
    phase.total_quota = spec.total_quota
    phase.concurrent_quota = spec.concurrent_quota
    if spec.split_seed and spec.split_seed != phase.split_seed:
        if _submission_count(session, Submission.phase_id == phase.id):
            raise BundleError([(f"phases.{phase.slug}.split_seed", "cannot change once the phase has submissions")])
        phase.split_seed = spec.split_seed
    phase.public_fraction = spec.public_fraction
    phase.hide_logs = spec.hide_logs
    phase.count_participant_failures = spec.count_participant_failures
    phase.advancement = dict(spec.advancement)
    board_rules = (spec.freeze_at, spec.final_selection_max, spec.use_ladder)
    boards_changed = (phase.freeze_at, phase.final_selection_max, phase.use_ladder) != board_rules
    phase.freeze_at, phase.final_selection_max, phase.use_ladder = board_rules
    phase.labels_sha256 = labels_sha
    with spec.labels.open("rb") as handle:
        phase.labels_rows = max(0, sum(1 for _ in handle) - 1)
    phase.inputs_sha256 = store.put_tree(spec.inputs) if spec.inputs is not None else ""
    sample, baseline = reference_bytes(spec.sample_submission), reference_bytes(spec.baseline)
    phase.sample_sha256 = store.put_bytes(sample) if sample is not None else ""
    phase.baseline_sha256 = store.put_bytes(baseline) if baseline is not None else ""
    phase.position = position
    session.flush()
    if boards_changed and phase.id is not None:
        boards.rebuild_phases(session, store, [phase])
    if (key_changed or scoring_changed) and phase.id is not None:
        phase.score_version = (phase.score_version or 1) + 1
        scored = session.scalars(
            select(Submission.id).where(Submission.phase_id == phase.id, Submission.status == SubmissionStatus.SCORED)
        ).all()
        report.rescore_submission_ids.extend(scored)
        report.changes.append(
            f"the hidden key or scorer of phase {phase.slug} changed: score version {phase.score_version}, "
            f"{len(scored)} submissions to rescore"
        )
