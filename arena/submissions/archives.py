"""What a code submission's archive must be: the platform's caps, and unpacking it to find what to run.

Uploads are checked with this before they are accepted, and runs unpack with it, so both refuse alike.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sandbox.archives import extract_archive
from sandbox.manifest import CodeEntry, read_manifest

MAX_ARCHIVE_FILES = 2000
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024


def unpack_code(archive: Path, dest: Path) -> CodeEntry:
    """Unpack a code archive into ``dest`` under the platform's caps and find what to run; raise ArchiveError."""
    extract_archive(
        archive, dest, max_files=MAX_ARCHIVE_FILES, max_total_bytes=MAX_ARCHIVE_BYTES, max_file_bytes=MAX_ARCHIVE_BYTES
    )
    return read_manifest(dest)


def check_code_archive(archive: Path, scratch: Path) -> None:
    """Make every check a run makes of an archive before starting it, unpacking into a folder then removed.

    Raises ArchiveError with the same message the run would record.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch, prefix="archive-check-") as folder:
        unpack_code(archive, Path(folder) / "code")
