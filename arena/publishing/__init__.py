"""Publishing a challenge: its data files and hidden keys, the dry run, publishing and export to a bundle."""

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

__all__ = [
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
