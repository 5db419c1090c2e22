"""Safe extraction of code archives and manifest reading (no Docker needed)."""

from __future__ import annotations

import io
import json
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from sandbox import ArchiveError, detect_format, extract_archive, read_manifest

CAPS = {"max_files": 50, "max_total_bytes": 1_000_000, "max_file_bytes": 500_000}


def make_zip(path: Path, entries: dict[str, bytes], *, symlinks: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def make_tgz(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for info, data in members:
            if data is not None:
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
            else:
                tf.addfile(info)
    return path


def tar_file(name: str, kind: bytes = tarfile.REGTYPE, **attrs: object) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    for key, value in attrs.items():
        setattr(info, key, value)
    return info


def assert_refused(archive: Path, dest: Path, reason: str, **caps: int) -> ArchiveError:
    with pytest.raises(ArchiveError) as caught:
        extract_archive(archive, dest, **{**CAPS, **caps})
    assert caught.value.reason == reason, caught.value.message
    assert not dest.exists() or not any(dest.iterdir()), "nothing may be written for a refused archive"
    return caught.value


def test_zip_extracts_with_safe_modes(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", {"main.py": b"print(1)\n", "lib/util.py": b"X = 1\n"})
    result = extract_archive(archive, tmp_path / "out", **CAPS)
    assert result.format == "zip" and result.files == 2 and result.total_bytes == 15
    assert (tmp_path / "out" / "lib" / "util.py").read_bytes() == b"X = 1\n"
    assert stat.S_IMODE((tmp_path / "out" / "main.py").stat().st_mode) == 0o644


def test_tgz_detected_by_content_not_name(tmp_path: Path) -> None:
    archive = make_tgz(tmp_path / "upload.zip", [(tar_file("main.py"), b"print(2)\n")])
    assert detect_format(archive) == "tar.gz"
    result = extract_archive(archive, tmp_path / "out", **CAPS)
    assert result.format == "tar.gz" and (tmp_path / "out" / "main.py").exists()


def test_not_an_archive(tmp_path: Path) -> None:
    fake = tmp_path / "code.zip"
    fake.write_bytes(b"print('hello')\n" * 10)
    assert_refused(fake, tmp_path / "out", "not_an_archive")


def test_zip_bomb_refused_by_declared_size(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "bomb.zip", {"zeros.bin": b"\0" * 5_000_000})
    assert archive.stat().st_size < 20_000
    assert_refused(archive, tmp_path / "out", "file_too_large")
    assert_refused(archive, tmp_path / "out2", "too_large", max_file_bytes=10_000_000)


def test_zip_bomb_with_lying_header_stopped_while_extracting(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "bomb.zip", {"main.py": b"pass\n", "zeros.bin": b"\0" * 2_000_000})
    raw = bytearray(archive.read_bytes())
    # Rewrite the declared uncompressed size of zeros.bin (local header and central directory) to 100 bytes.
    name = b"zeros.bin"
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (index := raw.find(signature, start)) >= 0:
            name_at = index + (30 if signature == b"PK\x03\x04" else 46)
            if raw[name_at : name_at + len(name)] == name:
                raw[index + offset : index + offset + 4] = (100).to_bytes(4, "little")
            start = index + 4
    archive.write_bytes(bytes(raw))
    dest = tmp_path / "out"
    with pytest.raises(ArchiveError):
        extract_archive(archive, dest, **CAPS)
    assert not dest.exists(), "a partial extraction must be removed"


def test_tgz_bomb_refused(tmp_path: Path) -> None:
    archive = make_tgz(tmp_path / "bomb.tgz", [(tar_file(f"f{i}.bin"), b"\0" * 400_000) for i in range(5)])
    assert_refused(archive, tmp_path / "out", "too_large")


def test_zip_symlink_to_etc_passwd(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "s.zip", {"main.py": b""}, symlinks={"passwd": "/etc/passwd"})
    assert_refused(archive, tmp_path / "out", "link")


def test_tar_symlink_and_hardlink(tmp_path: Path) -> None:
    sym = make_tgz(tmp_path / "s.tgz", [(tar_file("passwd", tarfile.SYMTYPE, linkname="/etc/passwd"), None)])
    assert_refused(sym, tmp_path / "out", "link")
    hard = make_tgz(
        tmp_path / "h.tgz",
        [(tar_file("main.py"), b"x"), (tar_file("shadow", tarfile.LNKTYPE, linkname="/etc/shadow"), None)],
    )
    assert_refused(hard, tmp_path / "out2", "link")


@pytest.mark.parametrize("kind", [tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE])
def test_tar_devices_and_fifos(tmp_path: Path, kind: bytes) -> None:
    archive = make_tgz(tmp_path / "d.tgz", [(tar_file("dev", kind, devmajor=1, devminor=3), None)])
    assert_refused(archive, tmp_path / "out", "special_file")


@pytest.mark.parametrize("name", ["../evil.py", "a/../../evil.py", "a\\..\\..\\evil.py"])
def test_parent_paths(tmp_path: Path, name: str) -> None:
    assert_refused(make_zip(tmp_path / "p.zip", {"main.py": b"", name: b"x"}), tmp_path / "out", "parent_path")
    tgz = make_tgz(tmp_path / "p.tgz", [(tar_file(name), b"x")])
    assert_refused(tgz, tmp_path / "out2", "parent_path")


@pytest.mark.parametrize("name", ["/etc/cron.d/evil", "C:/evil.py"])
def test_absolute_paths(tmp_path: Path, name: str) -> None:
    assert_refused(make_zip(tmp_path / "a.zip", {name: b"x"}), tmp_path / "out", "absolute_path")
    tgz = make_tgz(tmp_path / "a.tgz", [(tar_file(name), b"x")])
    assert_refused(tgz, tmp_path / "out2", "absolute_path")


def test_too_many_files(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "many.zip", {f"f{i}.txt": b"" for i in range(51)})
    assert_refused(archive, tmp_path / "out", "too_many_files")


def test_encrypted_zip(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "e.zip", {"main.py": b"print(1)"})
    raw = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        index = raw.find(signature)
        raw[index + offset] |= 0x1
    archive.write_bytes(bytes(raw))
    assert_refused(archive, tmp_path / "out", "encrypted")


def test_duplicate_entries(tmp_path: Path) -> None:
    tgz = make_tgz(tmp_path / "d.tgz", [(tar_file("main.py"), b"a"), (tar_file("main.py"), b"b")])
    assert_refused(tgz, tmp_path / "out", "duplicate")


def test_destination_must_be_empty(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x").write_text("x")
    with pytest.raises(ValueError, match="not empty"):
        extract_archive(make_zip(tmp_path / "a.zip", {"main.py": b""}), tmp_path / "out", **CAPS)


def test_macos_junk_skipped_and_nested_folder_layout(tmp_path: Path) -> None:
    entries = {
        "solution/main.py": b"print(1)\n",
        "solution/model.txt": b"w",
        "__MACOSX/solution/._main.py": b"j",
    }
    extract_archive(make_zip(tmp_path / "n.zip", entries), tmp_path / "out", **CAPS)
    assert not (tmp_path / "out" / "__MACOSX").exists()
    entry = read_manifest(tmp_path / "out")
    assert entry.root == tmp_path / "out" / "solution"
    assert entry.command == ("python", "main.py") and entry.source == "main.py"


def test_manifest_yaml_command(tmp_path: Path) -> None:
    entries = {"arena.yaml": b"command: [python, -m, predictor, --fast]\n", "predictor/__main__.py": b""}
    extract_archive(make_zip(tmp_path / "m.zip", entries), tmp_path / "out", **CAPS)
    entry = read_manifest(tmp_path / "out")
    assert entry.command == ("python", "-m", "predictor", "--fast") and entry.source == "arena.yaml"


def test_manifest_json_wins_over_main_py(tmp_path: Path) -> None:
    (tmp_path / "arena.json").write_text(json.dumps({"command": ["python", "run.py"]}))
    (tmp_path / "main.py").write_text("")
    assert read_manifest(tmp_path).command == ("python", "run.py")


@pytest.mark.parametrize(
    "text",
    [
        "command: python main.py\n",
        "command: []\n",
        "command: [python, 3]\n",
        "cmd: [python, main.py]\n",
        "- python\n",
        "command: [python\n",
    ],
)
def test_bad_manifests(tmp_path: Path, text: str) -> None:
    (tmp_path / "arena.yaml").write_text(text)
    with pytest.raises(ArchiveError) as caught:
        read_manifest(tmp_path)
    assert caught.value.reason == "manifest" and "arena.yaml" in caught.value.message


def test_missing_entrypoint_says_what_is_needed(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b.py").write_text("")
    with pytest.raises(ArchiveError, match=r"main\.py.*arena\.yaml") as caught:
        read_manifest(tmp_path)
    assert caught.value.reason == "no_entrypoint"
