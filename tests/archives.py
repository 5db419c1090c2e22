"""Hostile code archives, shared by the upload tests (refused at intake) and the worker tests (refused again there).

Each builder returns the bytes of one archive; ``ARCHIVES`` maps a name to a builder and ``file_name`` gives the
name to upload it under.
"""

from __future__ import annotations

import functools
import io
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable

from tests.factories import zip_bytes

MAIN = "open('/output/predictions.csv', 'w').write('id,label\\n')\n"


@functools.cache
def _zip_bomb() -> bytes:
    """About 600 MB of zeros declared honestly, compressed (bzip2) to a few dozen kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("main.py", MAIN)
        with archive.open("weights.bin", "w", force_zip64=True) as out:
            block = bytes(8 * 1024 * 1024)
            for _ in range(75):
                out.write(block)
    return buffer.getvalue()


def _lying_zip_bomb() -> bytes:
    """A zip whose headers claim 1 KB for an entry that inflates to 64 MB."""
    payload = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = payload.compress(bytes(64 * 1024 * 1024)) + payload.flush()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("main.py", MAIN)
        info = zipfile.ZipInfo("weights.bin")
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, b"x" * 1024)
    raw = bytearray(buffer.getvalue())
    # Swap the small entry's compressed bytes for the big stream and patch the sizes where they are recorded.
    small = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    small_data = small.compress(b"x" * 1024) + small.flush()
    start = raw.index(b"weights.bin") + len(b"weights.bin")
    assert raw[start : start + len(small_data)] == small_data
    raw[start : start + len(small_data)] = data
    local = raw.rindex(b"PK\x03\x04", 0, start)
    struct.pack_into("<I", raw, local + 18, len(data))
    delta = len(data) - len(small_data)
    central = raw.index(b"PK\x01\x02", start + len(data))
    central = raw.index(b"PK\x01\x02", central + 4) if b"weights.bin" not in raw[central : central + 64] else central
    struct.pack_into("<I", raw, central + 20, len(data))
    struct.pack_into("<I", raw, central + 42, struct.unpack_from("<I", raw, central + 42)[0] + delta)
    end = raw.index(b"PK\x05\x06")
    struct.pack_into("<I", raw, end + 16, struct.unpack_from("<I", raw, end + 16)[0] + delta)
    return bytes(raw)


def _zip_with_symlink() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("main.py", "print(open('passwd').read())\n")
        link = zipfile.ZipInfo("passwd")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


def _tar_gz(members: list[tarfile.TarInfo], payloads: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info in members:
            data = payloads.get(info.name)
            if data is not None:
                info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def _tar_with_links() -> bytes:
    main = tarfile.TarInfo("main.py")
    link = tarfile.TarInfo("data")
    link.type, link.linkname = tarfile.SYMTYPE, "/"
    return _tar_gz([main, link], {"main.py": MAIN.encode()})


def _tar_with_parent_path() -> bytes:
    main, escape = tarfile.TarInfo("main.py"), tarfile.TarInfo("../../../../tmp/escaped.py")
    return _tar_gz([main, escape], {"main.py": MAIN.encode(), "../../../../tmp/escaped.py": b"pwned = 1\n"})


ARCHIVES: dict[str, Callable[[], bytes]] = {
    "zip-bomb": _zip_bomb,
    "lying-zip-bomb": _lying_zip_bomb,
    "zip-symlink-to-etc-passwd": _zip_with_symlink,
    "zip-parent-path": lambda: zip_bytes({"main.py": MAIN, "../escaped.py": "pwned = 1\n"}),
    "zip-absolute-path": lambda: zip_bytes({"main.py": MAIN, "/etc/cron.d/escaped": "* * * * * root id\n"}),
    "zip-backslash-parent": lambda: zip_bytes({"main.py": MAIN, "..\\..\\escaped.py": "pwned = 1\n"}),
    "tar-symlink-to-root": _tar_with_links,
    "tar-parent-path": _tar_with_parent_path,
}


def _tar_with(info: tarfile.TarInfo) -> bytes:
    return _tar_gz([tarfile.TarInfo("main.py"), info], {"main.py": MAIN.encode()})


def _tar_with_device() -> bytes:
    device = tarfile.TarInfo("tty")
    device.type, device.devmajor, device.devminor = tarfile.CHRTYPE, 5, 0
    return _tar_with(device)


def _tar_with_hard_link() -> bytes:
    link = tarfile.TarInfo("shadow")
    link.type, link.linkname = tarfile.LNKTYPE, "/etc/shadow"
    return _tar_with(link)


def _tar_with_fifo() -> bytes:
    fifo = tarfile.TarInfo("pipe")
    fifo.type = tarfile.FIFOTYPE
    return _tar_with(fifo)


def _zip_with_too_many_files() -> bytes:
    return zip_bytes({"main.py": MAIN, **{f"f/{i}.txt": "" for i in range(2001)}})


ARCHIVES.update(
    {
        "tar-char-device": _tar_with_device,
        "tar-hard-link": _tar_with_hard_link,
        "tar-fifo": _tar_with_fifo,
        "zip-too-many-files": _zip_with_too_many_files,
        "not-an-archive": lambda: b"#!/bin/sh\nrm -rf /\n" * 10,
        "damaged-zip": lambda: zip_bytes({"main.py": MAIN})[:-30],
        "no-entrypoint": lambda: zip_bytes({"readme.txt": "nothing to run"}),
    }
)


def file_name(name: str) -> str:
    """Return the file name to upload the archive ``name`` under (its suffix matches what it claims to be)."""
    return f"{name}.tar.gz" if name.startswith("tar") else f"{name}.zip"
