"""Reproduction: re-running a finalist's selected submission and checking it against the online score.

Without a sealed test set the submission runs again on its phase's own hidden data and its private score is
compared with the online one. With a sealed set for the phase, the code runs on the sealed inputs and is scored
against the sealed key on every row; it passes when the run completes and that score is within the final's
tolerance of the online score.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from arena import audit, evaluation
from arena.errors import Conflict
from arena.finals.access import check, get_final, get_finalist
from arena.finals.sealed import sealed_set_for
from arena.models import Finalist, Submission, User
from arena.permissions import Action
from arena.settings import Settings


def request_reproduction(session: Session, settings: Settings, user: User, finalist_id: int) -> Finalist:
    """Re-run the finalist's selected submission through the evaluation queue (organizers; commits)."""
    finalist = get_finalist(session, finalist_id)
    final = get_final(session, finalist.final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    submission = session.get(Submission, finalist.code_submission_id) if finalist.code_submission_id else None
    if submission is None:
        raise Conflict("the finalist has not selected a code submission to re-run")
    sealed_set = sealed_set_for(session, final.id, submission.phase_id)
    sealed = (
        evaluation.SealedData(inputs_sha256=sealed_set.inputs_sha256, labels_sha256=sealed_set.labels_sha256)
        if sealed_set is not None
        else None
    )
    audit.record(
        session,
        "final.reproduction_requested",
        actor_id=user.id,
        challenge_id=final.challenge_id,
        target_type="finalist",
        target_id=finalist.id,
        submission_id=submission.id,
        sealed=sealed is not None,
    )
    rerun = evaluation.request_rerun(session, settings, submission, actor_id=user.id, sealed=sealed)
    finalist.rerun_id = rerun.id
    finalist.reproduction_status, finalist.reproduction_result = "pending", {}
    session.commit()
    return finalist


def record_reproduction(session: Session, finalist_id: int) -> str:
    """Read the finalist's re-run and record whether it reproduces the online score within the final's tolerance.

    Returns the reproduction status: none, pending, passed or failed.
    """
    finalist = get_finalist(session, finalist_id)
    if finalist.rerun_id is None:
        return finalist.reproduction_status
    final = get_final(session, finalist.final_id)
    rerun = evaluation.get_rerun(session, finalist.rerun_id)
    if rerun.status in ("queued", "running"):
        finalist.reproduction_status = "pending"
        return finalist.reproduction_status
    detail: dict[str, Any] = dict(rerun.detail or {})
    sealed = detail.get("sealed") if isinstance(detail.get("sealed"), dict) else None
    if sealed is not None:
        again = sealed.get("score")
    else:
        again = ((detail.get("splits") or {}).get("private") or {}).get("rerun")
    result: dict[str, Any] = {
        "rerun_id": rerun.id,
        "rerun_status": rerun.status,
        "online": finalist.online_score,
        "reproduced": again,
        "tolerance": final.tolerance,
        "image_digest": detail.get("image_digest", ""),
        "failure_class": detail.get("failure_class"),
        "run": {
            k: v
            for k, v in (detail.get("run") or {}).items()
            if k in ("duration_seconds", "peak_memory_bytes", "exit_code")
        },
    }
    if sealed is not None:
        # What the key was is never kept here: this result reaches judges' packets and the finalist.
        result["sealed"] = {"score": again, "cases": sealed.get("cases")}
    passed = (
        rerun.status == "done"
        and not detail.get("failure_class")
        and again is not None
        and finalist.online_score is not None
        and abs(float(again) - finalist.online_score) <= final.tolerance
    )
    both = again is not None and finalist.online_score is not None
    result["difference"] = abs(float(again or 0.0) - float(finalist.online_score or 0.0)) if both else None
    finalist.reproduction_status = "passed" if passed else "failed"
    finalist.reproduction_result = result
    return finalist.reproduction_status
