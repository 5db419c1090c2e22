"""Running untrusted code in locked-down containers (Docker with runc or gVisor's runsc)."""

from sandbox.archives import ArchiveError, ExtractedArchive, detect_format, extract_archive
from sandbox.builder import DEFAULT_TAG, ImageBuildError, build_runner_image
from sandbox.container_config import sandbox_environment
from sandbox.containers import SANDBOX_LABEL, kill_containers, remove_containers
from sandbox.engine import docker_available, image_digest, runtimes
from sandbox.logs import BoundedLog
from sandbox.manifest import CodeEntry, find_code_root, read_manifest
from sandbox.runner import DockerRunner, Runner
from sandbox.spec import RUNTIMES, ImageInfo, Limits, Outcome, RunResult, RunSpec

__all__ = [
    "DEFAULT_TAG",
    "ImageBuildError",
    "build_runner_image",
    "RUNTIMES",
    "ArchiveError",
    "CodeEntry",
    "ExtractedArchive",
    "detect_format",
    "extract_archive",
    "find_code_root",
    "read_manifest",
    "SANDBOX_LABEL",
    "BoundedLog",
    "DockerRunner",
    "ImageInfo",
    "Limits",
    "Outcome",
    "RunResult",
    "RunSpec",
    "Runner",
    "docker_available",
    "image_digest",
    "kill_containers",
    "remove_containers",
    "runtimes",
    "sandbox_environment",
]
