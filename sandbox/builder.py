"""Building the default runner image: from its Dockerfile when the base can be pulled, else offline."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess  # noqa: S404 - runs debootstrap and tar with fixed argument lists, never a shell
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal, cast

import docker
import docker.errors

from sandbox.engine import ENGINE_ERRORS, ClientFactory, connect
from sandbox.mirrors import debian_mirror
from sandbox.spec import ImageInfo

DEFAULT_TAG = "arena-runner:latest"
DOCKERFILE_DIR = Path(__file__).parent / "images" / "runner"
BASE_IMAGE = "python:3.11-slim"
SUITE = "bookworm"
DEBIAN_PACKAGES: tuple[str, ...] = (
    "python3",
    "python-is-python3",
    "python3-numpy",
    "python3-pandas",
    "python3-pil",
    "python3-sklearn",
)
IMAGE_CHANGES: tuple[str, ...] = (
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    "ENV PYTHONDONTWRITEBYTECODE=1",
    "WORKDIR /code",
    "USER 65534:65534",
    'CMD ["python3"]',
    "LABEL org.arena.runner=default",
)
# Debian's scipy depends on pythran, which drags in a C++ toolchain and development headers that no
# run needs (there is no network to install anything that would compile); purged after debootstrap.
BUILD_ONLY_PACKAGES: tuple[str, ...] = (
    "python3-pythran",
    "python3-beniget",
    "python3-gast",
    "python3-dev",
    "python3-all-dev",
    "python3.11-dev",
    "libpython3-dev",
    "libpython3-all-dev",
    "libpython3.11-dev",
    "g++",
    "g++-12",
    "gcc",
    "gcc-12",
    "cpp",
    "cpp-12",
    "libstdc++-12-dev",
    "libgcc-12-dev",
    "libc6-dev",
    "libc-dev-bin",
    "linux-libc-dev",
    "libcrypt-dev",
    "libnsl-dev",
    "libtirpc-dev",
    "rpcsvc-proto",
    "libexpat1-dev",
    "zlib1g-dev",
    "libboost-dev",
    "libboost1.74-dev",
    "libxsimd-dev",
    "libopenblas-dev",
    "libopenblas-pthread-dev",
    "binutils",
    "binutils-common",
    "binutils-x86-64-linux-gnu",
    "libbinutils",
    "libctf0",
    "libctf-nobfd0",
    "libgprofng0",
    "libjansson4",
    "libcc1-0",
    "libisl23",
    "libmpc3",
    "libmpfr6",
    "libasan8",
    "liblsan0",
    "libtsan2",
    "libubsan1",
    "libitm1",
)
# Trimmed from the offline root filesystem: not needed to run code, and they slow the import.
_PRUNE = (
    "var/cache/apt/archives",
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
    "usr/share/lintian",
    "debootstrap",
)

_NOISE = ("I: Retrieving", "I: Validating", "I: Extracting", "I: Unpacking", "I: Configuring")

Method = Literal["auto", "dockerfile", "debootstrap"]
Log = Callable[[str], object]


class ImageBuildError(RuntimeError):
    """The runner image could not be built."""


def build_runner_image(
    tag: str = DEFAULT_TAG,
    *,
    method: Method = "auto",
    force: bool = False,
    log: Log = print,
    client_factory: ClientFactory | None = None,
    mirror: str | None = None,
    cache_dir: Path | None = None,
    work_dir: Path | None = None,
) -> ImageInfo:
    """Build (or reuse) the default runner image and return its tag and content id."""
    client = (client_factory or connect)()
    try:
        if not force:
            existing = _image_id(client, tag)
            if existing is not None:
                log(f"runner image {tag} already present ({existing[:19]}); use force to rebuild")
                return ImageInfo(tag=tag, digest=existing)
        started = time.monotonic()
        chosen = method
        if method == "auto":
            chosen = "dockerfile" if _base_available(client, log) else "debootstrap"
            log(f"building {tag} with method {chosen}")
        if chosen == "dockerfile":
            _build_dockerfile(client, tag, log)
        elif chosen == "debootstrap":
            _build_debootstrap(client, tag, log, mirror, cache_dir, work_dir)
        else:
            raise ValueError(f"unknown build method {method!r}")
        digest = _image_id(client, tag)
        if digest is None:
            raise ImageBuildError(f"the build finished but {tag} is not on the engine")
        seconds = round(time.monotonic() - started, 1)
        log(f"built {tag} ({digest[:19]}) with {chosen} in {seconds}s")
        return ImageInfo(tag=tag, digest=digest, built=True, method=chosen, seconds=seconds)
    finally:
        client.close()


def _image_id(client: docker.DockerClient, tag: str) -> str | None:
    try:
        return str(client.images.get(tag).id)
    except docker.errors.ImageNotFound:
        return None


def _base_available(client: docker.DockerClient, log: Log) -> bool:
    if _image_id(client, BASE_IMAGE) is not None:
        return True
    try:
        client.images.pull(BASE_IMAGE)
        return True
    except ENGINE_ERRORS as exc:
        log(f"cannot pull {BASE_IMAGE} ({str(exc).splitlines()[0][:160]}); building offline")
        return False


def _build_dockerfile(client: docker.DockerClient, tag: str, log: Log) -> None:
    stream = client.api.build(path=str(DOCKERFILE_DIR), tag=tag, rm=True, forcerm=True, pull=False, decode=True)
    for chunk in cast(Iterator[dict[str, Any]], stream):
        if "error" in chunk:
            raise ImageBuildError(f"docker build failed: {chunk['error']}")
        text = str(chunk.get("stream", "")).rstrip()
        if text:
            log(text)


def _build_debootstrap(
    client: docker.DockerClient,
    tag: str,
    log: Log,
    mirror: str | None,
    cache_dir: Path | None,
    work_dir: Path | None,
) -> None:
    debootstrap = shutil.which("debootstrap")
    if debootstrap is None:
        raise ImageBuildError("debootstrap is not installed (apt-get install debootstrap)")
    if os.geteuid() != 0:
        raise ImageBuildError("the offline build runs debootstrap and must run as root")
    source = mirror or debian_mirror(SUITE)
    cache = cache_dir or _default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="arena-rootfs-", dir=work_dir) as tmp:
        root = Path(tmp) / "rootfs"
        _prime_dpkg(root)
        command = [
            debootstrap,
            "--variant=minbase",
            "--components=main",
            f"--include={','.join(DEBIAN_PACKAGES)}",
            f"--cache-dir={cache}",
            SUITE,
            str(root),
            source,
        ]
        log(f"debootstrap {SUITE} from {source} (package cache {cache})")
        t0 = time.monotonic()
        _run_logged(command, log)
        log(f"debootstrap finished in {time.monotonic() - t0:.0f}s")
        t0 = time.monotonic()
        _purge_build_only(root, log)
        log(f"toolchain purged in {time.monotonic() - t0:.0f}s")
        _finish_rootfs(root)
        t0 = time.monotonic()
        _import_rootfs(client, root, tag)
        log(f"docker import finished in {time.monotonic() - t0:.0f}s")


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "arena" / "debootstrap"


def _prime_dpkg(root: Path) -> None:
    # dpkg inside the new root reads this before installing anything: skipping fsync on a throwaway
    # tree that is tarred right after makes the build several times faster on slow disks.
    config = root / "etc" / "dpkg" / "dpkg.cfg.d"
    config.mkdir(parents=True)
    (config / "arena-unsafe-io").write_text("force-unsafe-io\n")
    # Policy that stops package scripts from trying to start services in the chroot.
    policy = root / "usr" / "sbin" / "policy-rc.d"
    policy.parent.mkdir(parents=True)
    policy.write_text("#!/bin/sh\nexit 101\n")
    policy.chmod(0o755)


def _run_logged(command: list[str], log: Log, *, quiet: bool = False) -> None:
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"}
    with subprocess.Popen(  # noqa: S603 - fixed argument list built above
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    ) as proc:
        assert proc.stdout is not None
        tail: list[str] = []
        for line in proc.stdout:
            line = line.rstrip()
            tail = [*tail[-19:], line]
            if quiet or line.startswith(_NOISE):
                continue  # one line per package is noise; keep the phase lines
            log(line)
        code = proc.wait()
    if code != 0:
        raise ImageBuildError(f"{Path(command[0]).name} failed:\n" + "\n".join(tail))


def _purge_build_only(root: Path, log: Log) -> None:
    chroot = shutil.which("chroot") or "/usr/sbin/chroot"
    listing = subprocess.run(  # noqa: S603 - fixed argument list
        [chroot, str(root), "dpkg-query", "-W", "-f=${Package}\\n"], capture_output=True, text=True, check=True
    )
    installed = set(listing.stdout.split())
    doomed = [name for name in BUILD_ONLY_PACKAGES if name in installed]
    if doomed:
        _run_logged([chroot, str(root), "dpkg", "--purge", "--force-depends", *doomed], log, quiet=True)


def _finish_rootfs(root: Path) -> None:
    (root / "etc" / "dpkg" / "dpkg.cfg.d" / "arena-unsafe-io").unlink(missing_ok=True)
    (root / "usr" / "sbin" / "policy-rc.d").unlink(missing_ok=True)
    for relative in _PRUNE:
        target = root / relative
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
            if relative.startswith(("var/", "usr/")):
                target.mkdir(mode=0o755)
    for name in ("code", "data", "output"):
        (root / name).mkdir(mode=0o755, exist_ok=True)
    _drop_setuid_bits(root)


def _drop_setuid_bits(root: Path) -> None:
    # no-new-privileges already neuters them; removing the bits keeps the image safe on its own too.
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(dirpath, name)
            info = os.lstat(path)
            if stat.S_ISREG(info.st_mode) and info.st_mode & (stat.S_ISUID | stat.S_ISGID):
                os.chmod(path, stat.S_IMODE(info.st_mode) & ~(stat.S_ISUID | stat.S_ISGID))


def _import_rootfs(client: docker.DockerClient, root: Path, tag: str) -> None:
    repository, _, version = tag.rpartition(":") if ":" in tag.split("/")[-1] else (tag, "", "latest")
    tar = subprocess.Popen(  # noqa: S603 - fixed argument list
        ["tar", "--numeric-owner", "--xattrs", "-C", str(root), "-cf", "-", "."],  # noqa: S607 - tar from PATH
        stdout=subprocess.PIPE,
    )
    assert tar.stdout is not None
    try:
        reply = client.api.import_image_from_stream(
            tar.stdout, repository=repository, tag=version, changes=list(IMAGE_CHANGES)
        )
    finally:
        tar.stdout.close()
        code = tar.wait()
    if code != 0:
        raise ImageBuildError(f"tar of the root filesystem failed with exit code {code}")
    if "error" in str(reply).lower():
        raise ImageBuildError(f"docker import failed: {reply}")
