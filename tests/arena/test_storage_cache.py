"""The worker-local cache of an S3 store: trimmed to its bound, least recently used first, never under a run.

Against the real S3-compatible test server; a second process holding an entry is a real process sharing the
cache folder.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import send_file

from arena.runtime import runtime_for
from arena.settings import Settings
from arena.storage import BlobStore, open_store, sha256_tree
from arena.storage.cache import TRIM_LOCK
from tests.s3server import S3Server, running_s3
from web import create_app, state

SIZE = 1000


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    """One S3 server for the module; each test uses a prefix of its own."""
    with running_s3() as server:
        yield server


def _blobs(s3: S3Server, prefix: str, tmp_path: Path, count: int) -> list[str]:
    writer = open_store(s3.url(prefix), cache_dir=tmp_path / "writer")
    return [writer.put_bytes(bytes([i]) * SIZE) for i in range(count)]


def _reader(s3: S3Server, prefix: str, cache: Path, bound: int) -> BlobStore:
    return open_store(s3.url(prefix), cache_dir=cache, cache_max_bytes=bound)


def _cached(store: BlobStore) -> set[str]:
    return {path.parent.name + path.name for _, _, path in store.cache.entries() if path.parent.parent.name == "blobs"}


def _use(store: BlobStore, sha: str) -> bytes:
    data = store.path_for(sha).read_bytes()
    store.release()
    return data


def test_the_cache_keeps_to_its_bound_by_dropping_the_least_recently_used(s3: S3Server, tmp_path: Path) -> None:
    a, b, c, d = _blobs(s3, "lru", tmp_path, 4)
    store = _reader(s3, "lru", tmp_path / "cache", bound=int(2.5 * SIZE))
    assert _use(store, a) == bytes([0]) * SIZE
    _use(store, b)
    _use(store, a)  # a used again: b is now the least recently used
    _use(store, c)
    assert _cached(store) == {a, c} and store.cache.size() <= 2.5 * SIZE
    _use(store, d)
    assert _cached(store) == {c, d}
    assert _use(store, b) == bytes([1]) * SIZE  # a trimmed blob is simply fetched again
    assert _cached(store) == {d, b}
    unbounded = _reader(s3, "lru", tmp_path / "unbounded", bound=0)
    for sha in (a, b, c, d):
        _use(unbounded, sha)
    assert _cached(unbounded) == {a, b, c, d}


def test_an_entry_this_thread_holds_is_never_trimmed_until_released(s3: S3Server, tmp_path: Path) -> None:
    a, b, c = _blobs(s3, "held", tmp_path, 3)
    store = _reader(s3, "held", tmp_path / "cache", bound=SIZE)
    path = store.path_for(a)  # held, as a run holds its inputs
    assert store.read_bytes(b) == bytes([1]) * SIZE  # read at once: let go again, a stays held
    assert path.read_bytes() == bytes([0]) * SIZE and a in _cached(store)
    assert store.cache.pinned() == [path]
    store.read_bytes(c)
    assert a in _cached(store) and b not in _cached(store)
    store.release()
    _use(store, b)
    assert _cached(store) == {b}  # a, released and least recently used, went


def test_another_threads_run_keeps_its_folder_while_this_thread_fetches(s3: S3Server, tmp_path: Path) -> None:
    writer = open_store(s3.url("threads"), cache_dir=tmp_path / "writer")
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "x.bin").write_bytes(b"x" * SIZE)
    tree = writer.put_tree(tmp_path / "inputs")
    blob, other = _blobs(s3, "threads", tmp_path, 2)
    store = _reader(s3, "threads", tmp_path / "cache", bound=SIZE // 2)
    holding, done = threading.Event(), threading.Event()
    seen: list[bytes] = []

    def run() -> None:
        folder = store.tree_path(tree)
        holding.set()
        done.wait(30)
        seen.append((folder / "x.bin").read_bytes())  # the run reads its inputs late
        store.release()

    thread = threading.Thread(target=run)
    thread.start()
    assert holding.wait(30)
    _use(store, blob)  # past the bound, but the folder is held by the run and the blob was just fetched
    _use(store, other)  # the blob goes, the held folder stays
    assert (tmp_path / "cache" / "trees" / tree).is_dir() and _cached(store) == {other}
    done.set()
    thread.join(30)
    assert seen == [b"x" * SIZE]
    _use(store, blob)  # the run is over: its folder goes too
    assert not (tmp_path / "cache" / "trees" / tree).exists() and _cached(store) == {blob}
    assert sha256_tree(store.tree_path(tree)) == tree  # fetched again, whole


HOLDER = """
import sys
from pathlib import Path
from arena.storage import open_store
store = open_store(sys.argv[1], cache_dir=Path(sys.argv[2]), cache_max_bytes=1)
store.path_for(sys.argv[3])
print("holding", flush=True)
sys.stdin.readline()
"""


def test_a_second_worker_process_sharing_the_cache_keeps_what_its_run_holds(s3: S3Server, tmp_path: Path) -> None:
    a, b, c = _blobs(s3, "processes", tmp_path, 3)
    cache = tmp_path / "cache"
    holder = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", HOLDER, s3.url("processes"), str(cache), a],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        store = _reader(s3, "processes", cache, bound=SIZE)
        _use(store, b)
        _use(store, c)
        assert a in _cached(store) and b not in _cached(store)  # the other process's run keeps a
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(30)
        assert holder.stdout is not None
        holder.stdout.close()
    _use(store, b)  # that run is over: a can go now
    assert a not in _cached(store) and store.cache.size() <= SIZE


def test_only_one_process_trims_at_a_time(s3: S3Server, tmp_path: Path) -> None:
    a, b = _blobs(s3, "one-trimmer", tmp_path, 2)
    store = _reader(s3, "one-trimmer", tmp_path / "cache", bound=SIZE)
    _use(store, a)
    lock = os.open(tmp_path / "cache" / TRIM_LOCK, os.O_RDWR)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process is trimming
        _use(store, b)
        assert _cached(store) == {a, b}
    finally:
        os.close(lock)
    assert store.cache.trim() == SIZE and _cached(store) == {b}


def test_a_file_opened_before_a_trim_stays_readable(s3: S3Server, tmp_path: Path) -> None:
    a, b = _blobs(s3, "open", tmp_path, 2)
    store = _reader(s3, "open", tmp_path / "cache", bound=SIZE)
    with store.path_for(a).open("rb") as handle:
        store.release()  # e.g. a download whose request ended while the file is sent
        _use(store, b)
        assert a not in _cached(store)
        assert handle.read() == bytes([0]) * SIZE


def test_the_bound_is_a_setting_and_reaches_the_store(tmp_path: Path, s3: S3Server) -> None:
    assert Settings().cache_max_bytes == 20 * 1024**3
    settings = Settings.from_env(
        {"ARENA_CACHE_MAX_BYTES": "12345", "ARENA_STORAGE_URL": s3.url("setting")}, data_dir=tmp_path
    )
    assert settings.cache_max_bytes == 12345
    assert Settings.from_env(settings.to_env()).cache_max_bytes == 12345
    assert runtime_for(settings).store.cache.max_bytes == 12345


def test_a_web_request_lets_go_of_what_it_read(s3: S3Server, settings: Settings, tmp_path: Path) -> None:
    a, b = _blobs(s3, "web", tmp_path, 2)
    app = create_app(settings.with_overrides(storage_url=s3.url("web"), cache_max_bytes=SIZE, secret_key="k" * 32))

    def download(sha: str) -> object:
        return send_file(state.store().path_for(sha), mimetype="application/octet-stream")

    app.add_url_rule("/cached/<sha>", view_func=download)
    with app.test_client() as client:
        with client.get(f"/cached/{a}") as response:
            assert response.data == bytes([0]) * SIZE
        with app.app_context():
            store = state.store()
        assert store.cache.pinned() == []
        with client.get(f"/cached/{b}") as response:
            assert response.data == bytes([1]) * SIZE
        assert _cached(store) == {b}
