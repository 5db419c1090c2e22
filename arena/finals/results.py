"""The final's result: preview with agreement, lock, the public result after reveal, and the results frame."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import boards
from arena.db import utcnow
from arena.enums import FinalStatus
from arena.errors import Conflict, InvalidInput
from arena.finals.access import check, get_final
from arena.finals.aggregation import Aggregate, Method, MissingRule, aggregate, judge_deviation, judge_total, kendall_w
from arena.finals.finalists import taking_part
from arena.finals.formula import Entry, FinalRow, final_ranking, parse_formula
from arena.finals.lifecycle import move
from arena.finals.marks import owed, raw_marks
from arena.finals.rubric import rubric, scales
from arena.models import Final, Finalist, FinalJudge, Phase, Team, User
from arena.permissions import Action


@dataclass(frozen=True)
class Preview:
    """The ranking as it stands, with the judges' aggregate, their agreement and each judge's deviation."""

    rows: list[FinalRow]
    judges: Aggregate
    totals: dict[int, dict[int, float]]
    kendall_w: float | None
    deviation: dict[int, float | None]
    finalists: dict[int, Finalist]


def compute(session: Session, final: Final) -> Preview:
    """Compute the final ranking from the stored raw marks and the declared formula and aggregation."""
    formula = parse_formula(final.formula)
    finalists = taking_part(session, final.id)
    scale = scales(rubric(session, final.id))
    totals: dict[int, dict[int, float]] = {}
    for judge, by_finalist in raw_marks(session, final.id).items():
        for finalist_id, points in by_finalist.items():
            total = judge_total(points, scale)
            if total is not None and any(f.id == finalist_id for f in finalists):
                totals.setdefault(judge, {})[finalist_id] = total
    result = aggregate(
        totals,
        [f.id for f in finalists],
        owed(session, final, finalists),
        method=Method(final.aggregation),
        missing_rule=MissingRule(final.missing_rule),
        trim_min_judges=final.trim_min_judges,
    )
    judges = dict(result.scores)
    if Method(final.aggregation) is Method.ZSCORE:
        # Mean z-scores are not on 0..1; min–max over the finalists puts them there for the formula.
        known = [v for v in judges.values() if v is not None]
        low, high = (min(known), max(known)) if known else (0.0, 0.0)
        judges = {
            k: (None if v is None else (1.0 if high == low else (v - low) / (high - low))) for k, v in judges.items()
        }
    entries = [
        Entry(
            f.id,
            f.online_score,
            judges.get(f.id),
            None if f.reproduction_status == "none" else f.reproduction_status == "passed",
            track=f.online_phase_id or 0,
        )
        for f in finalists
    ]
    directions: dict[int, bool] = {}
    for phase_id in {e.track for e in entries}:
        phase = session.get(Phase, phase_id)
        directions[phase_id] = boards.higher_is_better(phase) if phase is not None else True
    rows = final_ranking(formula, entries, higher_is_better=directions)
    return Preview(rows, result, totals, kendall_w(totals), judge_deviation(totals), {f.id: f for f in finalists})


def preview_ranking(session: Session, user: User, final_id: int) -> Preview:
    """The ranking as it would be locked now (organizers)."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    return compute(session, final)


def lock_final(session: Session, user: User, final_id: int, *, now: datetime | None = None) -> Preview:
    """Lock the final: no more marks; refused while marks are missing under the rule ``block``."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    preview = compute(session, final)
    if preview.judges.blocked:
        raise Conflict(
            "%(count)s marks are missing; under its missing-score rule the final cannot lock",
            params={"count": len(preview.judges.missing)},
        )
    move(session, final, FinalStatus.LOCKED, actor_id=user.id, ranking=[_audit_row(r) for r in preview.rows])
    final.locked_at = now or utcnow()
    return preview


def unlock_final(session: Session, user: User, final_id: int, reason: str) -> Final:
    """Reopen scoring of a locked, unrevealed final, with a reason on the record."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    if not reason.strip():
        raise InvalidInput("unlocking a final needs a reason", field="reason")
    move(session, final, FinalStatus.SCORING, actor_id=user.id, reason=reason.strip())
    final.locked_at = None
    return final


def _audit_row(row: FinalRow) -> dict[str, Any]:
    return {"finalist_id": row.finalist_id, "rank": row.rank, "total": row.total, "gates": row.gate_reasons}


def _team_names(session: Session, finalists: dict[int, Finalist]) -> dict[int, tuple[str, str]]:
    ids = [f.team_id for f in finalists.values()]
    teams = {t.id: t for t in session.scalars(select(Team).where(Team.id.in_(ids)))}
    return {fid: (teams[f.team_id].name, f.institution or teams[f.team_id].institution) for fid, f in finalists.items()}


def public_result(session: Session, user: User | None, final_id: int) -> dict[str, Any]:
    """The revealed result: formula, each component, the aggregated judges' score; no individual marks."""
    final = get_final(session, final_id)
    check(session, user, Action.VIEW_FINAL_RESULT, final)
    preview = compute(session, final)
    names = _team_names(session, preview.finalists)
    return {
        "final_id": final.id,
        "title": final.title,
        "formula": final.formula,
        "aggregation": final.aggregation,
        "revealed": final.status == FinalStatus.REVEALED,
        "rows": [
            {
                "rank": r.rank,
                "tied": r.tied,
                "team": names[r.finalist_id][0],
                "institution": names[r.finalist_id][1],
                "components": r.components,
                "total": r.total,
                "gate_reasons": r.gate_reasons,
            }
            for r in preview.rows
        ],
    }


def results_frame(session: Session, user: User, final_id: int) -> pd.DataFrame:
    """The results as a table for CSV or Parquet: components, ranks and each judge's total as J1, J2, …"""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    preview = compute(session, final)
    names = _team_names(session, preview.finalists)
    judges = session.scalars(
        select(FinalJudge.user_id).where(FinalJudge.final_id == final.id).order_by(FinalJudge.id)
    ).all()
    labels = {judge: f"J{i}" for i, judge in enumerate(judges, start=1)}
    records = []
    for row in preview.rows:
        record: dict[str, Any] = {
            "rank": row.rank,
            "tied": row.tied,
            "team": names[row.finalist_id][0],
            "institution": names[row.finalist_id][1],
            "online": row.components.get("online"),
            "judges": row.components.get("judges"),
            "reproduction": row.components.get("reproduction"),
            "total": row.total,
            "gated_out": "; ".join(row.gate_reasons),
        }
        for judge, label in labels.items():
            record[label] = preview.totals.get(judge, {}).get(row.finalist_id)
        records.append(record)
    columns = ["rank", "tied", "team", "institution", "online", "judges", "reproduction", "total", "gated_out"]
    return pd.DataFrame.from_records(records, columns=[*columns, *labels.values()])
