"""Getting a bundle ready to read: unpack a zip safely and run its build step."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from arena.challenges.bundles.reader import load_yaml
from arena.errors import BundleError
from arena.storage import sha256_file, sha256_tree
from sandbox.archives import ArchiveError, extract_archive
from sandbox.manifest import find_code_root

BUILD_TIMEOUT_SECONDS = 600
MAX_BUNDLE_FILES = 200_000
MAX_BUNDLE_BYTES = 8 * 1024**3
BUILD_REFUSED = (
    "runs a script on the server, which only site admins may import; ship the built files in the bundle "
    "and remove 'build:', or ask a site admin to import it"
)


@dataclass(frozen=True)
class PreparedBundle:
    """A bundle on disk: where challenge.yaml is, where its data paths are relative to, and its hash."""

    bundle_dir: Path
    data_root: Path
    sha256: str
    data: dict[str, Any]


@contextmanager
def prepared(path: Path, *, allow_build: bool = True) -> Iterator[PreparedBundle]:
    """Yield the bundle at ``path`` (a folder or a zip) with its build step run, cleaning up afterwards.

    With ``allow_build`` false a bundle that declares a build step is refused before anything runs.
    """
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="arena-bundle-") as scratch:
        if path.is_dir():
            bundle_dir = path.resolve()
            sha = sha256_tree(bundle_dir)
        elif path.is_file():
            sha = sha256_file(path)
            try:
                extract_archive(
                    path,
                    Path(scratch) / "src",
                    max_files=MAX_BUNDLE_FILES,
                    max_total_bytes=MAX_BUNDLE_BYTES,
                    max_file_bytes=MAX_BUNDLE_BYTES,
                )
            except ArchiveError as exc:
                raise BundleError([("bundle", exc.message)]) from None
            bundle_dir = _find_yaml_root(Path(scratch) / "src")
        else:
            raise BundleError([("bundle", f"{path} is neither a folder nor a zip file")])
        data = load_yaml(bundle_dir)
        data_root = bundle_dir
        build = data.get("build")
        if build is not None and not allow_build:
            raise BundleError([("build", BUILD_REFUSED)])
        if build is not None:
            if not isinstance(build, str) or not build.strip():
                raise BundleError([("build", "must name a Python script inside the bundle, e.g. build.py")])
            data_root = Path(scratch) / "built"
            data_root.mkdir()
            run_build(bundle_dir, build.strip(), data_root)
        yield PreparedBundle(bundle_dir=bundle_dir, data_root=data_root, sha256=sha, data=data)


def _find_yaml_root(extracted: Path) -> Path:
    if (extracted / "challenge.yaml").is_file():
        return extracted
    return find_code_root(extracted)


def run_build(bundle_dir: Path, script: str, out_dir: Path) -> None:
    """Run the bundle's build script with this Python, writing data into ``out_dir``."""
    pure = PurePosixPath(script)
    if pure.is_absolute() or ".." in pure.parts or not (bundle_dir / pure).is_file():
        raise BundleError([("build", f"{script!r} must be a script inside the bundle")])
    try:
        done = subprocess.run(  # noqa: S603 (the organizer's own build script, run by an admin's import)
            [sys.executable, str(pure), str(out_dir)],
            cwd=bundle_dir,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BundleError([("build", f"{script} ran longer than {BUILD_TIMEOUT_SECONDS} s")]) from None
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise BundleError([("build", f"{script} exited with code {done.returncode}:\n{tail}")])
