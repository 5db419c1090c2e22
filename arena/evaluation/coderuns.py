"""Running a code submission in the sandbox and collecting its predictions."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from arena.enums import FailureClass
from arena.evaluation.sandboxing import container_labels, gpus_for
from arena.models import Phase, Submission
from arena.settings import Settings
from arena.storage import BlobStore
from arena.submissions import unpack_code
from sandbox import Limits, Outcome, Runner, RunResult, RunSpec
from sandbox.archives import ArchiveError

PREDICTIONS_FILE = "predictions.csv"

FAILURE_FOR_OUTCOME = {
    Outcome.NONZERO_EXIT: FailureClass.CRASHED,
    Outcome.TIMEOUT: FailureClass.TIMEOUT,
    Outcome.OUT_OF_MEMORY: FailureClass.OUT_OF_MEMORY,
    Outcome.OUTPUT_TOO_LARGE: FailureClass.OUTPUT_TOO_LARGE,
}

FAILURE_MESSAGES = {
    FailureClass.CRASHED: "your code exited with an error",
    FailureClass.TIMEOUT: "your code ran longer than the time limit and was stopped",
    FailureClass.OUT_OF_MEMORY: "your code used more memory than the limit and was stopped",
    FailureClass.OUTPUT_TOO_LARGE: "your code wrote more output than the limit allows",
    FailureClass.OUTPUT_INVALID: "your code did not write a valid predictions file",
}
NO_GPUS = "this worker serves the gpu class but has no GPUs configured (ARENA_SANDBOX_GPUS)"
NO_PREDICTIONS = f"your code finished but did not write /output/{PREDICTIONS_FILE}"
"""Fixed messages like these are looked up in the pages' translation catalogue as they are."""


class ParticipantFailure(Exception):
    """The code failed through its own fault; carries the class and a safe message."""

    def __init__(
        self,
        failure: FailureClass,
        message: str,
        run: RunResult | None = None,
        *,
        template: str = "",
        params: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.failure = failure
        self.message = message
        self.run = run
        self.template = template
        self.params = dict(params or {})


class InfrastructureFailure(Exception):
    """The platform could not run the code (engine down, image missing); retried, never counted."""

    def __init__(self, message: str, run: RunResult | None = None) -> None:
        super().__init__(message)
        self.run = run


@dataclass(frozen=True)
class CodeRunOutput:
    """A successful run: the predictions it wrote and the run's record."""

    predictions: bytes
    run: RunResult


def run_directory(settings: Settings, submission: Submission) -> Path:
    """Return this attempt's private working directory."""
    return Path(settings.data_dir).absolute() / "runs" / f"{submission.id}-{submission.attempts}"


def limits_for(runner_config: dict[str, object]) -> Limits:
    """Build sandbox limits from a track's runner configuration."""
    raw = runner_config.get("limits") or {}
    return Limits.from_dict(raw if isinstance(raw, dict) else {})


def run_code(
    settings: Settings,
    store: BlobStore,
    submission: Submission,
    runner: Runner,
    *,
    workdir: Path | None = None,
    labels: dict[str, str] | None = None,
    inputs_sha256: str | None = None,
) -> CodeRunOutput:
    """Unpack the archive safely, run it on the phase's hidden inputs, and return its predictions.

    ``workdir`` and ``labels`` default to the submission's own attempt; re-runs pass their own so that
    they never share a folder or a cleanup label with an evaluation. ``inputs_sha256`` names other hidden
    inputs than the phase's (a final's sealed test set).
    """
    return run_archive(
        settings,
        store,
        submission.phase,
        store.path_for(submission.file_sha256),
        runner,
        workdir=workdir or run_directory(settings, submission),
        labels=labels or {**container_labels(settings, submission.id), "arena.attempt": str(submission.attempts)},
        inputs_sha256=inputs_sha256,
    )


def run_archive(  # noqa: PLR0913
    settings: Settings,
    store: BlobStore,
    phase: Phase,
    archive: Path,
    runner: Runner,
    *,
    workdir: Path,
    labels: dict[str, str],
    inputs_sha256: str | None = None,
) -> CodeRunOutput:
    """Run a code archive on ``phase``'s hidden inputs (or ``inputs_sha256``) in ``workdir`` (removed afterwards).

    Returns its predictions.
    """
    track = phase.track
    inputs = inputs_sha256 if inputs_sha256 is not None else phase.inputs_sha256
    shutil.rmtree(workdir, ignore_errors=True)
    (workdir / "output").mkdir(parents=True)
    try:
        try:
            entry = unpack_code(archive, workdir / "code")
        except ArchiveError as exc:
            raise ParticipantFailure(
                FailureClass.INVALID_FILE, exc.message, template=exc.template, params=exc.params
            ) from None
        config = dict(track.runner or {})
        gpus = gpus_for(settings, config)
        if gpus is None:
            raise InfrastructureFailure(NO_GPUS)
        spec = RunSpec(
            image=str(config.get("image") or settings.runner_image),
            command=entry.command,
            code_dir=entry.root.absolute(),
            output_dir=(workdir / "output").absolute(),
            input_dir=store.tree_path(inputs).absolute() if inputs else None,
            env={"ARENA_INPUT": "/data", "ARENA_OUTPUT": "/output"},
            limits=limits_for(config),
            runtime=str(config.get("runtime") or settings.sandbox_runtime or "runc"),
            labels=labels,
            gpus=gpus,
        )
        result = runner.run(spec)
        if result.outcome == Outcome.INFRASTRUCTURE_ERROR:
            raise InfrastructureFailure(result.error or "the sandbox could not run the code", result)
        if result.outcome != Outcome.OK:
            failure = FAILURE_FOR_OUTCOME.get(result.outcome, FailureClass.CRASHED)
            raise ParticipantFailure(failure, FAILURE_MESSAGES[failure], result)
        predictions = workdir / "output" / PREDICTIONS_FILE
        if not predictions.is_file() or predictions.is_symlink():
            raise ParticipantFailure(FailureClass.OUTPUT_INVALID, NO_PREDICTIONS, result)
        return CodeRunOutput(predictions=predictions.read_bytes(), run=result)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
