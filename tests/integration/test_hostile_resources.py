"""Hostile code submissions abusing resources: fork and memory bombs, disk filling, endless runs."""

from __future__ import annotations

import shutil
import threading

import pytest

from arena.enums import FailureClass, SubmissionStatus
from tests.factories import zip_bytes
from tests.integration.conftest import PREDICT, HostileArena

pytestmark = pytest.mark.docker

MB = 1024 * 1024

FORK_BOMB = """
import os, sys, time
spawned = refused = 0
deadline = time.time() + 8
while time.time() < deadline:
    try:
        if os.fork() == 0:
            while True:
                try:
                    os.fork()
                except OSError:
                    time.sleep(0.2)
        spawned += 1
    except OSError as exc:
        refused += 1
        if refused == 1:
            print(f"fork refused after {spawned}: {exc}", file=sys.stderr)
        time.sleep(0.05)
raise SystemExit(70)
"""

MEMORY_BOMB = """
import time
time.sleep(1)
blocks = []
while True:
    blocks.append(bytearray(8 * 1024 * 1024))
"""

CONTROL = (
    PREDICT
    + """
import time
started = time.time()
sum(range(3_000_000))
write_predictions()
print(f"control ran {time.time() - started:.2f}s")
"""
)

DISK_FILLER = (
    PREDICT
    + """
import errno, json, os
def fill(path, chunk=1024 * 1024, limit=4096):
    written = 0
    try:
        with open(path, "wb") as fh:
            for _ in range(limit):
                fh.write(b"x" * chunk)
                fh.flush()
                written += chunk
    except OSError as exc:
        return [written, errno.errorcode.get(exc.errno, str(exc.errno))]
    return [written, "no error"]
def fill_many(folder, prefix):
    total, error = 0, "no error"
    for index in range(1000):
        written, error = fill(os.path.join(folder, f"{prefix}{index}"), limit=4)
        total += written
        if error != "no error":
            break
    return [total, error]
report = {"tmp_one_file": fill("/tmp/big"), "tmp_many_files": fill_many("/tmp", "part"),
          "shm": fill_many("/dev/shm", "part")}
for path in ("/fill", "/etc/fill", "/var/tmp/fill", "/code/fill", "/data/fill", "/home/fill"):
    report[path] = fill(path)
print(json.dumps(report), flush=True)
write_predictions()
index = 0
while True:  # then the output directory, until the sandbox stops it
    fill(f"/output/flood{index}", limit=4)
    index += 1
"""
)

BUSY_LOOP = "while True:\n    pass\n"
ENDLESS_SLEEP = "import time\nwhile True:\n    time.sleep(3600)\n"


def test_fork_and_memory_bombs_fail_while_a_control_run_scores(hostile: HostileArena) -> None:
    phase = hostile.code_phase("bombs", limits={"memory_mb": 128, "pids": 64})
    bomber = hostile.participant("mallory", phase)
    honest = hostile.participant("alice", phase)
    fork_id = hostile.submit(bomber, phase, zip_bytes({"main.py": FORK_BOMB}))
    memory_id = hostile.submit(bomber, phase, zip_bytes({"main.py": MEMORY_BOMB}))
    hostile.spawn_worker()
    hostile.spawn_worker()
    hostile.wait_status(fork_id, "running", "failed")
    hostile.wait_status(memory_id, "running", "failed")
    control_id = hostile.submit(honest, phase, zip_bytes({"main.py": CONTROL}))
    hostile.work()
    hostile.join_workers()

    control = hostile.submission(control_id)
    assert control.status == SubmissionStatus.SCORED, (control.error_message, hostile.logs(control_id))
    assert control.run_info["duration_seconds"] < 15, control.run_info
    fork = hostile.submission(fork_id)
    assert fork.status == SubmissionStatus.FAILED, fork.run_info
    assert fork.failure_class in (FailureClass.CRASHED, FailureClass.OUT_OF_MEMORY), fork.run_info
    if hostile.runtime == "runc":
        # fork() fails with EAGAIN at the pids cap and the bomb keeps its container busy while the control runs.
        assert "fork refused" in hostile.logs(fork_id)["stderr"], hostile.logs(fork_id)
        assert control.started_at is not None and fork.finished_at is not None
        assert control.started_at < fork.finished_at, "the control run did not overlap the fork bomb"
    else:
        # Under gVisor fork() fails at RLIMIT_NPROC, or the forked interpreters (charged one by one) reach the
        # memory cap first; the sandbox itself no longer dies (exit 2, no message) at the engine's pids cap.
        assert fork.run_info["exit_code"] != 2, fork.run_info
        if fork.failure_class is FailureClass.CRASHED:
            assert "fork refused" in hostile.logs(fork_id)["stderr"], hostile.logs(fork_id)
    memory = hostile.submission(memory_id)
    assert (memory.status, memory.failure_class) == (SubmissionStatus.FAILED, FailureClass.OUT_OF_MEMORY), (
        memory.run_info
    )
    assert fork.counts_toward_quota and memory.counts_toward_quota


def test_filling_the_disks_stops_at_the_caps(hostile: HostileArena) -> None:
    limits = {"tmpfs_mb": 16, "fsize_mb": 8, "output_mb": 16}
    phase = hostile.code_phase("disk", limits=limits)
    token = hostile.participant("mallory", phase)
    data_dir = hostile.settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    free_before = shutil.disk_usage(data_dir).free
    lowest = [free_before]
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            lowest[0] = min(lowest[0], shutil.disk_usage(data_dir).free)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    submission_id = hostile.submit(token, phase, zip_bytes({"main.py": DISK_FILLER}))
    try:
        hostile.work()
    finally:
        done.set()
        watcher.join()
    free_after = shutil.disk_usage(data_dir).free

    submission = hostile.submission(submission_id)
    assert (submission.status, submission.failure_class) == (
        SubmissionStatus.FAILED,
        FailureClass.OUTPUT_TOO_LARGE,
    ), (submission.run_info, hostile.logs(submission_id))
    found = hostile.report(submission_id)
    assert found["tmp_one_file"] == [8 * MB, "EFBIG"], found
    written, error = found["tmp_many_files"]
    assert error == "ENOSPC" and written <= 16 * MB, found
    written, error = found["shm"]
    assert error == "ENOSPC" and written <= 16 * MB, found
    for path in ("/fill", "/etc/fill", "/var/tmp/fill", "/code/fill", "/data/fill", "/home/fill"):
        written, error = found[path]
        assert written == 0 and error in ("EROFS", "EACCES", "ENOENT"), (path, found[path])
    # The output cap is polled (every 0.1 s), so a fast writer overshoots it by what it writes in one interval
    # (measured: 120-220 MB). Without it the flood would go on for the whole wall time; other jobs share this disk.
    slack = 384 * MB
    assert submission.run_info["output_bytes"] < limits["output_mb"] * MB + slack, submission.run_info
    assert free_before - lowest[0] < limits["output_mb"] * MB + limits["fsize_mb"] * MB + slack, (
        free_before - lowest[0],
        submission.run_info,
    )
    assert free_before - free_after < 256 * MB
    assert not hostile.run_dir(submission_id).exists()


def test_busy_loop_and_endless_sleep_are_killed_on_time(hostile: HostileArena) -> None:
    wall = 8
    phase = hostile.code_phase("time", limits={"wall_seconds": wall})
    token = hostile.participant("mallory", phase)
    busy_id = hostile.submit(token, phase, zip_bytes({"main.py": BUSY_LOOP}))
    hostile.spawn_worker()
    hostile.wait_status(busy_id, "running")
    sleep_id = hostile.submit(token, phase, zip_bytes({"main.py": ENDLESS_SLEEP}))
    hostile.work()
    hostile.join_workers()
    for submission_id in (busy_id, sleep_id):
        submission = hostile.submission(submission_id)
        assert (submission.status, submission.failure_class) == (SubmissionStatus.FAILED, FailureClass.TIMEOUT)
        assert "time limit" in submission.error_message
        duration = submission.run_info["duration_seconds"]
        assert wall <= duration < wall + 2, submission.run_info
        assert submission.started_at is not None and submission.finished_at is not None
        elapsed = (submission.finished_at - submission.started_at).total_seconds()
        assert elapsed < wall + 8, (elapsed, submission.run_info)
