"""Rubrics: the criteria judges score, their weights and scales, and the template to start from."""

from __future__ import annotations

import math
from copy import deepcopy
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from arena import audit
from arena.enums import FinalStatus
from arena.errors import Conflict, InvalidInput
from arena.finals.access import check, get_final
from arena.finals.aggregation import Scale
from arena.models import JudgeScore, RubricCriterion, User
from arena.permissions import Action

TEMPLATE: list[dict[str, Any]] = [
    {
        "name": {"en": "Algorithmic innovation", "zh": "算法创新性"},
        "description": {
            "en": "How new the approach is, compared with the state of the art.",
            "zh": "方法相对于现有技术的新颖程度。",
        },
        "weight": 0.3,
    },
    {
        "name": {"en": "Technical depth", "zh": "技术深度"},
        "description": {
            "en": "Soundness of the method, the experiments and the analysis of errors.",
            "zh": "方法、实验与误差分析的严谨程度。",
        },
        "weight": 0.3,
    },
    {
        "name": {"en": "Application value", "zh": "应用价值"},
        "description": {
            "en": "Whether the solution can be deployed for the sponsor's problem, and at what cost.",
            "zh": "方案能否落地解决出题方的问题，以及落地成本。",
        },
        "weight": 0.2,
    },
    {
        "name": {"en": "Pitch performance", "zh": "答辩表现"},
        "description": {
            "en": "Clarity of the pitch and of the answers to questions.",
            "zh": "答辩陈述与回答提问的清晰程度。",
        },
        "weight": 0.2,
    },
]


def rubric_template() -> list[dict[str, Any]]:
    """The starting rubric (算法创新性, 技术深度, 应用价值, 答辩表现), each 0–10 in steps of 1."""
    return [{**deepcopy(c), "min": 0, "max": 10, "step": 1} for c in TEMPLATE]


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput("%(field)s must be a number", field=field, params={"field": field})
    return float(value)


def _texts(value: Any, field: str, *, required: bool) -> dict[str, str]:
    texts = value if isinstance(value, dict) else {}
    result = {lang: str(texts.get(lang, "")).strip() for lang in ("en", "zh")}
    if required and not all(result.values()):
        raise InvalidInput("%(field)s needs English and Chinese text", field=field, params={"field": field})
    return result


def validate_rubric(criteria: list[dict[str, Any]], weights_sum: float | None = None) -> list[dict[str, Any]]:
    """Check a rubric (weights positive and summing as declared, min < max, the step dividing the range)."""
    if not isinstance(criteria, list) or not criteria:
        raise InvalidInput("a rubric needs at least one criterion", field="rubric")
    clean: list[dict[str, Any]] = []
    for i, raw in enumerate(criteria):
        where = f"rubric[{i}]"
        if not isinstance(raw, dict):
            raise InvalidInput("%(field)s must be a mapping", field=where, params={"field": where})
        weight = _number(raw.get("weight", 1), f"{where}.weight")
        low, high = _number(raw.get("min", 0), f"{where}.min"), _number(raw.get("max", 10), f"{where}.max")
        step = _number(raw.get("step", 1), f"{where}.step")
        if weight <= 0:
            raise InvalidInput("a criterion's weight must be more than 0", field=f"{where}.weight")
        if not low < high:
            raise InvalidInput("a criterion's minimum must be below its maximum", field=f"{where}.max")
        steps = (high - low) / step if step > 0 else math.nan
        if not (step > 0 and abs(steps - round(steps)) < 1e-9):
            raise InvalidInput(
                "the step %(step)s does not divide the range %(min)s to %(max)s",
                field=f"{where}.step",
                params={"step": step, "min": low, "max": high},
            )
        clean.append(
            {
                "name": _texts(raw.get("name"), f"{where}.name", required=True),
                "description": _texts(raw.get("description"), f"{where}.description", required=False),
                "weight": weight,
                "min": low,
                "max": high,
                "step": step,
            }
        )
    total = sum(c["weight"] for c in clean)
    if weights_sum is not None and abs(total - weights_sum) > 1e-9:
        raise InvalidInput(
            "the criteria's weights sum to %(total)s, not the declared %(declared)s",
            field="rubric",
            params={"total": round(total, 9), "declared": weights_sum},
        )
    return clean


def set_rubric(
    session: Session, user: User, final_id: int, criteria: list[dict[str, Any]], *, weights_sum: float | None = 1.0
) -> list[RubricCriterion]:
    """Replace a final's rubric (organizers) until scoring opens; ``weights_sum`` is the declared sum, or None."""
    final = get_final(session, final_id)
    check(session, user, Action.MANAGE_FINAL, final)
    if final.status not in (FinalStatus.DRAFT, FinalStatus.ANNOUNCED, FinalStatus.FINALISTS_NAMED):
        raise Conflict("the rubric cannot change once scoring has opened")
    clean = validate_rubric(criteria, weights_sum)
    old = select(RubricCriterion.id).where(RubricCriterion.final_id == final.id)
    session.execute(delete(JudgeScore).where(JudgeScore.criterion_id.in_(old)))
    session.execute(delete(RubricCriterion).where(RubricCriterion.final_id == final.id))
    rows = [
        RubricCriterion(
            final_id=final.id,
            name=c["name"],
            description=c["description"],
            weight=c["weight"],
            min_points=c["min"],
            max_points=c["max"],
            step=c["step"],
            position=i,
        )
        for i, c in enumerate(clean)
    ]
    session.add_all(rows)
    session.flush()
    audit.record(
        session,
        "final.rubric_set",
        actor_id=user.id,
        challenge_id=final.challenge_id,
        target_type="final",
        target_id=final.id,
        criteria=clean,
    )
    return rows


def rubric(session: Session, final_id: int) -> list[RubricCriterion]:
    """A final's criteria in order."""
    query = select(RubricCriterion).where(RubricCriterion.final_id == final_id).order_by(RubricCriterion.position)
    return list(session.scalars(query))


def scales(criteria: list[RubricCriterion]) -> list[Scale]:
    """The criteria as aggregation sees them."""
    return [Scale(c.id, c.weight, c.min_points, c.max_points) for c in criteria]
