"""Scoring a phase's reference submissions (the sample and the baseline) exactly as a submission is scored.

A dry run calls this before a challenge is published. Result tracks score the stored predictions file;
code tracks run the stored archive in the sandbox on the phase's hidden inputs first. Nothing is saved as a
submission or a score: the caller keeps the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from arena.enums import TrackKind
from arena.evaluation.coderuns import InfrastructureFailure, ParticipantFailure, run_archive
from arena.evaluation.programs import run_scoring_program
from arena.evaluation.sandboxing import runner_for
from arena.evaluation.scoring import InvalidPredictions, ScorerBroken, score_predictions
from arena.models import Phase
from arena.settings import Settings
from arena.storage import BlobStore


@dataclass(frozen=True)
class ReferenceOutcome:
    """What became of one reference submission: its split scores, or why it did not score."""

    scored: bool
    scores: dict[str, float] = field(default_factory=dict)
    message: str = ""
    template: str = ""
    params: dict[str, object] = field(default_factory=dict)


def needs_sandbox(phase: Phase) -> bool:
    """Whether scoring this phase's references runs a container (code tracks, scoring programs)."""
    track = phase.track
    return track.kind == TrackKind.CODE or bool(track.scoring_program_sha256)


def score_reference(settings: Settings, store: BlobStore, phase: Phase, sha256: str, label: str) -> ReferenceOutcome:
    """Score the stored reference ``sha256`` against the phase's hidden key; ``label`` names its containers."""
    track = phase.track
    work = Path(settings.data_dir).absolute() / "runs" / f"reference-{label}"
    labels = {"arena.instance": settings.queue_name, "arena.reference": label}
    try:
        if track.kind == TrackKind.CODE:
            output = run_archive(
                settings, store, phase, store.path_for(sha256), runner_for(settings), workdir=work, labels=labels
            )
            data = output.predictions
        else:
            data = store.read_bytes(sha256)
        if track.scoring_program_sha256:
            results = run_scoring_program(
                settings, store, phase, data, runner_for(settings), work.with_name(work.name + "-s")
            )
        else:
            results = score_predictions(store, phase, data, max_bytes=track.max_upload_bytes)
    except (InvalidPredictions, ParticipantFailure) as exc:
        return ReferenceOutcome(False, message=exc.message, template=exc.template, params=exc.params)
    except (ScorerBroken, InfrastructureFailure, OSError) as exc:
        return ReferenceOutcome(False, message=str(exc)[:1000])
    return ReferenceOutcome(True, scores={str(r.split): r.primary for r in results})
