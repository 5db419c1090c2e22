"""JSON shapes of finals, finalists, rubrics, judges, conflicts, marks, previews and appeals for the API."""

from __future__ import annotations

from typing import Any

from arena import finals
from arena.models import Appeal, Final, Finalist, FinalJudge, JudgeScore, RubricCriterion
from arena.timestamps import rfc3339


def final_dict(final: Final) -> dict[str, Any]:
    """Return a final as its organizer sees it: schedule, sources, formula and aggregation."""
    return {
        "id": final.id,
        "challenge_id": final.challenge_id,
        "title": final.title,
        "status": final.status,
        "materials_due_at": rfc3339(final.materials_due_at),
        "pitch_at": rfc3339(final.pitch_at),
        "venue": final.venue,
        "source_phase_ids": list(final.source_phase_ids),
        "formula": final.formula,
        "aggregation": final.aggregation,
        "trim_min_judges": final.trim_min_judges,
        "missing_rule": final.missing_rule,
        "blind": final.blind,
        "appeal_deadline": rfc3339(final.appeal_deadline),
        "tolerance": final.tolerance,
        "report_max_bytes": final.report_max_bytes,
        "locked_at": rfc3339(final.locked_at),
        "revealed_at": rfc3339(final.revealed_at),
    }


def judged_final_dict(final: Final) -> dict[str, Any]:
    """Return a final as a judge lists it."""
    return {"id": final.id, "title": final.title, "status": final.status, "blind": final.blind}


def criterion_dict(criterion: RubricCriterion) -> dict[str, Any]:
    """Return a rubric criterion with its weight and scale."""
    return {
        "id": criterion.id,
        "name": criterion.name,
        "description": criterion.description,
        "weight": criterion.weight,
        "min": criterion.min_points,
        "max": criterion.max_points,
        "step": criterion.step,
    }


def finalist_dict(finalist: Finalist, eligibility: finals.Eligibility | None = None) -> dict[str, Any]:
    """Return a finalist record (organizers and the finalist's own members)."""
    data: dict[str, Any] = {
        "id": finalist.id,
        "final_id": finalist.final_id,
        "code": f"F{finalist.position}",
        "team_id": finalist.team_id,
        "status": finalist.status,
        "chosen_by": finalist.chosen_by,
        "reason": finalist.reason,
        "online_score": finalist.online_score,
        "online_rank": finalist.online_rank,
        "online_phase_id": finalist.online_phase_id,
        "real_names": list(finalist.real_names),
        "institution": finalist.institution,
        "confirmed_at": rfc3339(finalist.confirmed_at),
        "report": {"sha256": finalist.report_sha256, "size": finalist.report_size} if finalist.report_sha256 else None,
        "report_uploaded_at": rfc3339(finalist.report_uploaded_at),
        "code_submission_id": finalist.code_submission_id,
        "reproduction_status": finalist.reproduction_status,
    }
    if eligibility is not None:
        data["eligible"], data["ineligible_reasons"] = eligibility.eligible, list(eligibility.reasons)
    return data


def judge_dict(judge: FinalJudge) -> dict[str, Any]:
    """Return a judge's seat in a final."""
    return {"id": judge.id, "user_id": judge.user_id, "panel": judge.panel}


def conflict_dict(conflict: finals.ConflictView) -> dict[str, Any]:
    """Return a conflict of interest with its source."""
    return {
        "judge_id": conflict.judge_id,
        "judge": conflict.judge,
        "team_id": conflict.team_id,
        "team": conflict.team,
        "source": conflict.source,
        "reason": conflict.reason,
    }


def progress_dict(row: finals.JudgeProgress) -> dict[str, Any]:
    """Return one judge's scoring progress."""
    return {
        "judge_id": row.judge_id,
        "username": row.username,
        "panel": row.panel,
        "complete": row.complete,
        "partial": row.partial,
        "missing": row.missing,
        "excluded": row.excluded,
    }


def preview_dict(preview: finals.Preview, usernames: dict[int, str]) -> dict[str, Any]:
    """Return the ranking as it stands, the judges' aggregate, Kendall's W and each judge's deviation."""
    return {
        "rows": [
            {
                "finalist_id": row.finalist_id,
                "code": f"F{preview.finalists[row.finalist_id].position}",
                "rank": row.rank,
                "tied": row.tied,
                "components": row.components,
                "total": row.total,
                "gate_reasons": row.gate_reasons,
            }
            for row in preview.rows
        ],
        "judges_score": {str(k): v for k, v in preview.judges.scores.items()},
        "judges_counted": {str(k): v for k, v in preview.judges.judges_counted.items()},
        "missing": [{"judge_id": j, "finalist_id": f} for j, f in preview.judges.missing],
        "blocked": preview.judges.blocked,
        "kendall_w": preview.kendall_w,
        "deviation": [
            {"judge_id": judge, "username": usernames.get(judge, ""), "deviation": value}
            for judge, value in sorted(preview.deviation.items())
        ],
    }


def mark_dict(mark: JudgeScore) -> dict[str, Any]:
    """Return a saved mark."""
    return {
        "finalist_id": mark.finalist_id,
        "criterion_id": mark.criterion_id,
        "points": mark.points,
        "comment": mark.comment,
        "updated_at": rfc3339(mark.updated_at),
    }


def appeal_dict(appeal: Appeal) -> dict[str, Any]:
    """Return an appeal and its answer."""
    return {
        "id": appeal.id,
        "finalist_id": appeal.finalist_id,
        "text": appeal.text,
        "filed_at": rfc3339(appeal.filed_at),
        "answer": appeal.answer,
        "answered_at": rfc3339(appeal.answered_at),
    }
