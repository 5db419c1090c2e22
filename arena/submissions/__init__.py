"""Submissions: accepting an upload, the status lifecycle, views and final selection."""

from arena.submissions.archives import check_code_archive, unpack_code
from arena.submissions.lifecycle import (
    SubmissionView,
    check_submittable,
    current_scores,
    fail,
    file_too_large,
    get_submission,
    phase_submissions,
    submit,
    team_submissions,
    transition,
    upload_limit,
    view_submission,
)
from arena.submissions.predictions import InvalidPredictionsFile, check_result_file
from arena.submissions.selection import select_submission, team_selection, unselect_submission

__all__ = [
    "check_code_archive",
    "unpack_code",
    "InvalidPredictionsFile",
    "SubmissionView",
    "check_result_file",
    "check_submittable",
    "current_scores",
    "fail",
    "file_too_large",
    "get_submission",
    "phase_submissions",
    "select_submission",
    "submit",
    "team_selection",
    "team_submissions",
    "transition",
    "unselect_submission",
    "upload_limit",
    "view_submission",
]
