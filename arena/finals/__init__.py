"""On-site finals: finalists, judges, rubrics, conflicts, marks, the declared formula, lock, reveal and appeals."""

from arena.finals.access import get_final, get_finalist
from arena.finals.aggregation import Aggregate, Method, MissingRule, judge_deviation, kendall_w
from arena.finals.appeals import answer_appeal, appeals, file_appeal, own_appeals
from arena.finals.finalists import (
    Eligibility,
    add_finalist,
    choose_code_submission,
    confirm_identity,
    decline_finalist,
    eligibility,
    materials_open,
    name_finalists,
    own_finalist,
    taking_part,
    upload_report,
)
from arena.finals.formula import FinalRow, Formula, final_ranking, parse_formula
from arena.finals.history import FormulaChange, formula_changes
from arena.finals.judges import ConflictView, assign_panel, conflicts, declare_conflict, detect_conflicts, invite_judge
from arena.finals.lifecycle import announce_final, create_final, open_scoring, reveal_final, update_final
from arena.finals.marks import (
    JudgeProgress,
    finalist_code,
    finalist_packet,
    judge_queue,
    judged_finals,
    mark_form,
    progress,
    save_mark,
)
from arena.finals.reproduction import record_reproduction, request_reproduction
from arena.finals.results import Preview, lock_final, preview_ranking, public_result, results_frame, unlock_final
from arena.finals.rubric import rubric, rubric_template, set_rubric, validate_rubric

__all__ = [
    "Aggregate",
    "ConflictView",
    "Eligibility",
    "FinalRow",
    "Formula",
    "FormulaChange",
    "JudgeProgress",
    "Method",
    "MissingRule",
    "Preview",
    "add_finalist",
    "announce_final",
    "answer_appeal",
    "appeals",
    "assign_panel",
    "choose_code_submission",
    "confirm_identity",
    "conflicts",
    "create_final",
    "declare_conflict",
    "decline_finalist",
    "detect_conflicts",
    "eligibility",
    "file_appeal",
    "final_ranking",
    "finalist_code",
    "formula_changes",
    "finalist_packet",
    "get_final",
    "get_finalist",
    "invite_judge",
    "judge_deviation",
    "judge_queue",
    "judged_finals",
    "kendall_w",
    "lock_final",
    "materials_open",
    "mark_form",
    "name_finalists",
    "open_scoring",
    "own_appeals",
    "own_finalist",
    "parse_formula",
    "preview_ranking",
    "progress",
    "public_result",
    "record_reproduction",
    "request_reproduction",
    "results_frame",
    "reveal_final",
    "rubric",
    "rubric_template",
    "save_mark",
    "set_rubric",
    "taking_part",
    "unlock_final",
    "update_final",
    "upload_report",
    "validate_rubric",
]
