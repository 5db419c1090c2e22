"""Both storage backends pass one suite: a directory (local or a shared mount) and S3 (moto's server).

Content is addressed by sha256, nothing half-written is ever visible, an S3 store's blobs and folders are
read through a local cache checked by hash before use, and an unreachable or full store refuses cleanly.
"""

from __future__ import annotations

import errno
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import EndpointConnectionError
from sqlalchemy.orm import Session

from arena.enums import SubmissionStatus
from arena.errors import StorageFull, StorageUnavailable
from arena.evaluation.pipeline import evaluate_submission
from arena.settings import Settings
from arena.storage import BlobStore, DirectoryBackend, TooLarge, open_store, sha256_bytes, sha256_tree
from tests.factories import answers, first_phase, make_challenge, make_team, make_user, upload
from tests.s3server import S3Server, running_s3


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    """One S3 server for the module; each test uses a prefix of its own."""
    with running_s3() as server:
        yield server


@pytest.fixture(params=["directory", "s3"])
def kind(request: pytest.FixtureRequest) -> str:
    """Which backend a test runs on."""
    return str(request.param)


def _open(kind: str, tmp_path: Path, s3: S3Server, cache: str = "cache") -> BlobStore:
    if kind == "directory":
        return open_store(str(tmp_path / "store"), cache_dir=tmp_path / cache)
    return open_store(s3.url(tmp_path.name), cache_dir=tmp_path / cache)


@pytest.fixture
def store(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> BlobStore:
    """A fresh store of the backend ``kind``."""
    return _open(kind, tmp_path, request.getfixturevalue("s3"))


def _scratch_empty(store: BlobStore) -> bool:
    scratch = store.scratch()
    return not any(scratch.iterdir())


def test_blobs_are_named_by_their_sha256_and_stored_once(store: BlobStore) -> None:
    sha = store.put_bytes(b"id,label\n1,3\n")
    assert sha == sha256_bytes(b"id,label\n1,3\n")
    assert store.exists(sha) and not store.exists(sha256_bytes(b"other"))
    assert store.put_bytes(b"id,label\n1,3\n") == sha
    assert store.read_bytes(sha) == b"id,label\n1,3\n"
    assert store.path_for(sha).read_bytes() == b"id,label\n1,3\n"
    assert _scratch_empty(store)


def test_a_staged_upload_is_stored_only_when_kept(store: BlobStore) -> None:
    with store.stage(io.BytesIO(b"dropped"), max_bytes=100) as dropped:
        assert dropped.path.read_bytes() == b"dropped" and dropped.size == 7
    assert not dropped.path.exists() and not store.exists(sha256_bytes(b"dropped"))
    with store.stage(io.BytesIO(b"kept"), max_bytes=4) as kept:
        assert kept.keep() == sha256_bytes(b"kept")
    assert store.read_bytes(sha256_bytes(b"kept")) == b"kept" and _scratch_empty(store)


def test_a_stream_past_its_limit_leaves_nothing(store: BlobStore) -> None:
    with pytest.raises(TooLarge):
        store.put_stream(io.BytesIO(b"x" * 2000), max_bytes=1000)
    assert _scratch_empty(store) and not store.exists(sha256_bytes(b"x" * 2000))


def test_folders_are_named_by_their_tree_hash(store: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "inputs"
    (source / "images").mkdir(parents=True)
    (source / "ids.txt").write_text("r0 r1\n")
    (source / "images" / "r0.bin").write_bytes(bytes(range(256)))
    tree = store.put_tree(source)
    assert tree == sha256_tree(source) and store.put_tree(source) == tree
    local = store.tree_path(tree)
    assert (local / "ids.txt").read_text() == "r0 r1\n"
    assert (local / "images" / "r0.bin").read_bytes() == bytes(range(256))
    assert sha256_tree(local) == tree


def test_an_empty_folder_is_a_folder_too(store: BlobStore, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    tree = store.put_tree(tmp_path / "empty")
    assert store.tree_path(tree).is_dir() and not any(store.tree_path(tree).iterdir())


def test_a_second_host_sees_what_the_first_stored(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    s3 = request.getfixturevalue("s3")
    web, worker = _open(kind, tmp_path, s3, "web-cache"), _open(kind, tmp_path, s3, "worker-cache")
    sha = web.put_bytes(b"hidden labels")
    assert worker.exists(sha) and worker.read_bytes(sha) == b"hidden labels"


def test_a_digest_that_is_not_a_sha256_is_refused(store: BlobStore) -> None:
    for bad in ("../../etc/passwd", "AB" * 32, "ab" * 31):
        with pytest.raises(ValueError, match="sha256"):
            store.path_for(bad)


def test_the_store_at_a_url_is_its_backend(tmp_path: Path, s3: S3Server) -> None:
    plain, uri = (
        open_store(str(tmp_path / "a"), cache_dir=tmp_path),
        open_store(f"file://{tmp_path}/a", cache_dir=tmp_path),
    )
    assert isinstance(plain.backend, DirectoryBackend) and plain == uri and plain.root == tmp_path / "a"
    remote = open_store(s3.url("p"), cache_dir=tmp_path / "c")
    assert remote.root == tmp_path / "c" and remote.backend.url.startswith("s3://arena/p?")
    assert remote != open_store(s3.url("p"), cache_dir=tmp_path / "other")
    assert len({remote, open_store(s3.url("p"), cache_dir=tmp_path / "c")}) == 1


def test_s3_keeps_blobs_and_folder_manifests_below_its_prefix(s3: S3Server, tmp_path: Path) -> None:
    store = open_store(s3.url("layout"), cache_dir=tmp_path / "cache")
    sha = store.put_bytes(b"content")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.txt").write_bytes(b"content")
    tree = store.put_tree(tmp_path / "t")
    assert sorted(s3.keys("layout/")) == [f"layout/blobs/{sha[:2]}/{sha[2:]}", f"layout/trees/{tree}.json"]


def test_a_damaged_cached_copy_is_fetched_again(s3: S3Server, tmp_path: Path) -> None:
    store = open_store(s3.url("cache"), cache_dir=tmp_path / "cache")
    sha = store.put_bytes(b"the real labels")
    cached = store.path_for(sha)
    assert cached.is_relative_to(tmp_path / "cache")
    cached.write_bytes(b"the real lab")  # truncated
    assert store.path_for(sha).read_bytes() == b"the real labels"
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "x.txt").write_bytes(b"input")
    tree = store.put_tree(tmp_path / "t")
    (store.tree_path(tree) / "x.txt").write_bytes(b"tampered")
    (store.tree_path(tree) / "extra").write_bytes(b"")
    assert sha256_tree(store.tree_path(tree)) == tree and (store.tree_path(tree) / "x.txt").read_bytes() == b"input"


def test_an_object_that_does_not_match_its_hash_is_never_used(s3: S3Server, tmp_path: Path) -> None:
    store = open_store(s3.url("bad"), cache_dir=tmp_path / "cache")
    sha = sha256_bytes(b"expected")
    s3.client().put_object(Bucket=s3.bucket, Key=f"bad/blobs/{sha[:2]}/{sha[2:]}", Body=b"forged")  # type: ignore[attr-defined]
    with pytest.raises(StorageUnavailable):
        store.path_for(sha)
    assert not (tmp_path / "cache" / "blobs" / sha[:2] / sha[2:]).exists() and _scratch_empty(store)
    with pytest.raises(FileNotFoundError):
        store.path_for(sha256_bytes(b"never stored"))


def test_an_unreachable_store_refuses_and_leaves_nothing(tmp_path: Path) -> None:
    with running_s3() as server:
        store = open_store(server.url("gone"), cache_dir=tmp_path / "cache")
        store.put_bytes(b"before")
        server.stop()
        with store.stage(io.BytesIO(b"during the outage"), max_bytes=100) as staged, pytest.raises(StorageUnavailable):
            staged.keep()
        with pytest.raises(StorageUnavailable):
            store.put_bytes(b"also during the outage")
        with pytest.raises(StorageUnavailable):
            store.read_bytes(sha256_bytes(b"before"))
        assert _scratch_empty(store)
        server.start()  # an empty server: the store reconnects by itself
        assert store.put_bytes(b"after") == sha256_bytes(b"after") and server.keys("gone/")


def test_a_directory_store_whose_folder_is_gone_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "mount").write_text("not a folder: the share is not mounted")
    store = open_store(str(tmp_path / "mount" / "arena"), cache_dir=tmp_path / "cache", min_free_bytes=1)
    with pytest.raises(StorageUnavailable):
        store.stage(io.BytesIO(b"x"), max_bytes=10)
    with pytest.raises(StorageUnavailable):
        store.put_bytes(b"x")


def test_a_nearly_full_directory_store_refuses_uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(str(tmp_path / "store"), cache_dir=tmp_path / "cache", min_free_bytes=1000)
    free = {"bytes": 1500}
    monkeypatch.setattr("arena.storage.backends.free_bytes", lambda path: free["bytes"])
    with store.stage(io.BytesIO(b"y" * 400), max_bytes=1000) as staged:
        staged.keep()  # 1100 bytes stay free
    with store.stage(io.BytesIO(b"z" * 600), max_bytes=1000) as staged, pytest.raises(StorageFull):
        staged.keep()  # only 900 would stay free
    free["bytes"] = 999
    with pytest.raises(StorageFull):
        store.stage(io.BytesIO(b"w"), max_bytes=10)
    assert not store.exists(sha256_bytes(b"z" * 600)) and _scratch_empty(store)


def test_the_real_free_space_probe_refuses_past_the_setting(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store"), cache_dir=tmp_path / "cache", min_free_bytes=1 << 62)
    with pytest.raises(StorageFull):
        store.put_bytes(b"x")
    assert not store.exists(sha256_bytes(b"x"))


def test_a_worker_that_cannot_reach_the_store_requeues_the_submission(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    with running_s3() as server:
        web = open_store(server.url("eval"), cache_dir=tmp_path / "web-cache")
        challenge = make_challenge(session, web, tmp_path / "bundle", labels=["a", "b"] * 5, daily_quota=50)
        user = make_user(session, "wanda")
        make_team(session, user, challenge)
        submission = upload(session, web, user, first_phase(challenge), answers(["a"] * 10))
        worker = open_store(server.url("eval"), cache_dir=tmp_path / "worker-cache")
        server.stop()
        outcome = evaluate_submission(session, settings, worker, submission.id)
        assert outcome.status == SubmissionStatus.QUEUED and outcome.requeue
        assert "file storage cannot be reached" in submission.run_info["last_infrastructure_error"]
        assert submission.failure_class is None, "an outage never counts against the team"


def test_an_object_under_a_blobs_name_is_replaced_unless_it_checks_out(s3: S3Server, tmp_path: Path) -> None:
    store = open_store(s3.url("replace"), cache_dir=tmp_path / "cache")
    sha = sha256_bytes(b"the real content")
    key = f"replace/blobs/{sha[:2]}/{sha[2:]}"
    s3.client().put_object(Bucket=s3.bucket, Key=key, Body=b"the real")  # type: ignore[attr-defined]
    assert store.put_bytes(b"the real content") == sha
    assert store.read_bytes(sha) == b"the real content"
    head = s3.client().head_object(Bucket=s3.bucket, Key=key)  # type: ignore[attr-defined]
    assert head["ContentLength"] == 16 and head["Metadata"]["sha256"] == sha


def test_a_disk_that_fills_during_a_write_is_a_full_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(str(tmp_path / "store"), cache_dir=tmp_path / "cache")

    def no_space(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("arena.storage.backends.os.replace", no_space)
    with pytest.raises(StorageFull):
        store.put_bytes(b"does not fit")
    assert not store.exists(sha256_bytes(b"does not fit")) and _scratch_empty(store)


MULTIPART = "&multipart_threshold=1048576&part_size=5242880"  # parts from 1 MiB on, of S3's smallest size


def test_a_large_blob_goes_up_in_parts_and_reads_back_whole(s3: S3Server, tmp_path: Path) -> None:
    store = open_store(s3.url("parts") + MULTIPART, cache_dir=tmp_path / "cache")
    data = os.urandom(11 * 1024 * 1024 + 5)
    sha = store.put_bytes(data)
    head = s3.client().head_object(Bucket=s3.bucket, Key=f"parts/blobs/{sha[:2]}/{sha[2:]}")  # type: ignore[attr-defined]
    assert head["ETag"].strip('"').endswith("-3")  # three parts: 5 MiB, 5 MiB and the rest
    assert head["ContentLength"] == len(data) and head["Metadata"] == {"sha256": sha}
    elsewhere = open_store(s3.url("parts"), cache_dir=tmp_path / "other-host")
    assert elsewhere.read_bytes(sha) == data
    small = store.put_bytes(b"below the threshold")
    small_head = s3.client().head_object(Bucket=s3.bucket, Key=f"parts/blobs/{small[:2]}/{small[2:]}")  # type: ignore[attr-defined]
    assert "-" not in small_head["ETag"]  # one PUT
    assert not s3.client().list_multipart_uploads(Bucket=s3.bucket).get("Uploads")  # type: ignore[attr-defined]


def test_a_multipart_upload_that_fails_leaves_no_object_and_no_parts(
    s3: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(s3.url("broken-parts") + MULTIPART, cache_dir=tmp_path / "cache")
    client = store.backend.client  # type: ignore[attr-defined]
    sent = client.upload_part
    calls: list[int] = []

    def fails_on_the_second_part(**kwargs: object) -> object:
        calls.append(int(kwargs["PartNumber"]))  # type: ignore[call-overload]
        if len(calls) == 2:
            raise EndpointConnectionError(endpoint_url=s3.endpoint)
        return sent(**kwargs)

    monkeypatch.setattr(client, "upload_part", fails_on_the_second_part)
    data = os.urandom(11 * 1024 * 1024)
    with pytest.raises(StorageUnavailable):
        store.put_bytes(data)
    assert calls == [1, 2]
    assert not store.exists(sha256_bytes(data)) and not s3.keys("broken-parts/")
    assert not s3.client().list_multipart_uploads(Bucket=s3.bucket).get("Uploads")  # type: ignore[attr-defined]
    assert _scratch_empty(store)
    monkeypatch.setattr(client, "upload_part", sent)
    assert store.put_bytes(data) == sha256_bytes(data) and store.exists(sha256_bytes(data))


@pytest.mark.parametrize("option", ["multipart_threshold=0", "part_size=-5", "part_size=big"])
def test_a_bad_multipart_option_is_refused_by_name(option: str) -> None:
    with pytest.raises(ValueError, match=option.split("=")[0]):
        open_store(f"s3://bucket/p?{option}", cache_dir=Path("/nonexistent"))
