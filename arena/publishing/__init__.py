"""Publishing a challenge: creating it, its data files and hidden keys, the dry run, publishing, bundle export."""

from arena.publishing.creators import grant_creator, is_creator, list_creators, revoke_creator
from arena.publishing.datafiles import (
    KeyCheck,
    KeyRefused,
    KeyReplacement,
    check_key,
    get_public_file,
    key_needs_reason,
    put_public_file,
    remove_public_file,
    replace_key,
)
from arena.publishing.draftbundle import FORM_FIELDS, DraftFiles, DraftForm, scorer_choices
from arena.publishing.drafts import check_draft, create_challenge, create_from_bundle, drafts_of, reimport_bundle
from arena.publishing.dryruns import (
    execute_dry_run,
    fingerprint,
    get_dry_run,
    latest_dry_run,
    publish,
    publish_problems,
    start_dry_run,
    unpublish,
)
from arena.publishing.exports import export_bundle
from arena.publishing.phase_edits import (
    COLUMNS,
    EDITABLE,
    PhaseEdit,
    check_phase,
    edit_phase,
    phase_entry,
    tell_participants,
    unfair_changes,
)
from arena.publishing.scorer_edits import OptionsEdit, edit_options, options_problems, parse_options
from arena.publishing.texts import MAX_TEXT_KB, text_problems, update_texts

__all__ = [
    "COLUMNS",
    "MAX_TEXT_KB",
    "EDITABLE",
    "OptionsEdit",
    "PhaseEdit",
    "check_phase",
    "edit_options",
    "edit_phase",
    "options_problems",
    "parse_options",
    "phase_entry",
    "text_problems",
    "tell_participants",
    "unfair_changes",
    "update_texts",
    "FORM_FIELDS",
    "DraftFiles",
    "DraftForm",
    "check_draft",
    "create_challenge",
    "create_from_bundle",
    "drafts_of",
    "grant_creator",
    "is_creator",
    "list_creators",
    "reimport_bundle",
    "revoke_creator",
    "scorer_choices",
    "KeyCheck",
    "KeyRefused",
    "KeyReplacement",
    "check_key",
    "execute_dry_run",
    "export_bundle",
    "fingerprint",
    "get_dry_run",
    "get_public_file",
    "key_needs_reason",
    "latest_dry_run",
    "publish",
    "publish_problems",
    "put_public_file",
    "remove_public_file",
    "replace_key",
    "start_dry_run",
    "unpublish",
]
