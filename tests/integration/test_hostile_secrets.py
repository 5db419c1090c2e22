"""Hostile code submissions hunting for secrets, leftovers of other runs and leaks through logs."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from arena.enums import FailureClass, SubmissionStatus
from tests.factories import zip_bytes
from tests.integration.conftest import PREDICT, HostileArena

pytestmark = pytest.mark.docker

# The hunter knows the canaries only reversed, so its own code file never matches what it looks for.
HUNTER = (
    PREDICT
    + """
import json, os, stat
CANARIES = {name: value[::-1].encode() for name, value in @CANARIES@.items()}
CAP = 2 * 1024 * 1024
IMAGE_DIRS = ("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/var/lib", "/var/cache")
SKIP = ("/proc", "/sys", "/dev")
hits, seen = [], {"files": 0, "bytes": 0, "unreadable": 0, "pids": 0, "mounts": []}

def scan(path, data):
    for name, value in CANARIES.items():
        if value in data:
            hits.append([name, path])

def read(path):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        seen["unreadable"] += 1
        return
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode) and not path.startswith("/proc/"):
            return
        data = os.read(fd, CAP)
    except OSError:
        seen["unreadable"] += 1
        return
    finally:
        os.close(fd)
    seen["files"] += 1
    seen["bytes"] += len(data)
    scan(path, data)

mounts = []
for line in open("/proc/self/mountinfo"):
    fields = line.split()
    mounts.append(fields[4])
seen["mounts"] = sorted(mounts)

def walk(top, skip_image):
    for root, dirs, files in os.walk(top):
        keep = []
        for d in dirs:
            full = os.path.join(root, d)
            if full in SKIP and top == "/":
                continue
            if skip_image and full in IMAGE_DIRS and full not in mounts:
                continue  # the image's own read-only files, identical in every run
            keep.append(d)
        dirs[:] = keep
        for f in files:
            read(os.path.join(root, f))
        for name in dirs + files:
            scan(os.path.join(root, name), os.path.join(root, name).encode())

walk("/", skip_image=True)
for mount in mounts:
    if mount.startswith(("/proc", "/sys")) or mount == "/":
        continue
    if mount.startswith("/dev") and mount != "/dev/shm":
        continue
    walk(mount, skip_image=False) if os.path.isdir(mount) else read(mount)
for name in ("cmdline", "mounts", "self/mountinfo", "self/environ", "version"):
    read("/proc/" + name)
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    seen["pids"] += 1
    for name in ("environ", "cmdline", "mountinfo", "status", "cwd", "root"):
        path = f"/proc/{pid}/{name}"
        if name in ("cwd", "root"):
            try:
                scan(path, os.readlink(path).encode())
            except OSError:
                pass
        else:
            read(path)
scan("environment", repr(dict(os.environ)).encode())
write_predictions()
print(json.dumps({"hits": sorted({tuple(h) for h in hits}), "seen": seen}))
"""
)

VICTIM = (
    PREDICT
    + """
import os, sys, time
SECRET = "@SECRET@"[::-1]
if len(sys.argv) < 2:
    os.execve(sys.executable, [sys.executable, "main.py", SECRET], {**os.environ, "VICTIM_SECRET": SECRET})
for path in ("/tmp/victim.txt", "/output/victim.txt", "/dev/shm/victim.txt"):
    with open(path, "w") as fh:
        fh.write(SECRET)
open("/output/ready", "w").close()
while not os.path.exists("/output/stop"):
    time.sleep(0.1)
write_predictions()
"""
)

LEAVER = (
    PREDICT
    + """
import os
SECRET = "@SECRET@"[::-1]
for path in ("/tmp/leftover.txt", "/output/leftover.txt", os.path.expanduser("~/leftover.txt"),
             "/dev/shm/leftover.txt", "/var/tmp/leftover.txt", "/code/leftover.txt"):
    try:
        with open(path, "w") as fh:
            fh.write(SECRET)
        print("wrote", path)
    except OSError as exc:
        print("refused", path, exc.errno)
write_predictions()
"""
)

LOUD_CRASH = """
import sys
SECRET = "@SECRET@"[::-1]
print("stdout says", SECRET)
print("stderr says", SECRET, file=sys.stderr)
raise RuntimeError(SECRET * 50)
"""


def _canary(kind: str) -> str:
    return f"CANARY{kind.upper()}{secrets.token_hex(12)}"


def _rev(value: str) -> str:
    return value[::-1]


def test_hunter_finds_no_secret_anywhere(hostile: HostileArena, monkeypatch: pytest.MonkeyPatch) -> None:
    canaries = {kind: _canary(kind) for kind in ("label", "victim", "worker_env", "database", "control")}
    monkeypatch.setenv("ARENA_HOSTILE_WORKER_SECRET", canaries["worker_env"])
    phase = hostile.code_phase(
        "secrets",
        key_extra={"note": canaries["label"]},
        # The inputs are the participant's to read: this canary proves the hunt really reads files.
        input_files={"readme.txt": canaries["control"]},
    )
    victim_token = hostile.participant(
        "victor", phase, team_name=f"team {canaries['database']}", institution=canaries["database"]
    )
    hunter_token = hostile.participant("mallory", phase)

    victim_id = hostile.submit(
        victim_token,
        phase,
        zip_bytes({"main.py": VICTIM.replace("@SECRET@", _rev(canaries["victim"]))}),
        description=canaries["database"],
    )
    hostile.spawn_worker()
    hostile.wait_for(
        lambda: (hostile.live_output_dir(victim_id) / "ready").exists(), 90, "the victim run to plant its canaries"
    )

    code = HUNTER.replace("@CANARIES@", repr({name: _rev(value) for name, value in canaries.items()}))
    hunter_id = hostile.submit(hunter_token, phase, zip_bytes({"main.py": code}))
    hostile.work()
    (hostile.live_output_dir(victim_id) / "stop").touch()
    hostile.join_workers()

    hunter = hostile.submission(hunter_id)
    assert hunter.status == SubmissionStatus.SCORED, (hunter.error_message, hostile.logs(hunter_id))
    found = hostile.report(hunter_id)
    assert found["hits"] == [["control", "/data/readme.txt"]], found["hits"]
    assert found["seen"]["files"] > 50 and found["seen"]["pids"] >= 1, found["seen"]
    logs = hostile.logs(hunter_id)
    for kind in ("label", "victim", "worker_env", "database"):
        assert canaries[kind] not in logs["stdout"] + logs["stderr"]
    victim = hostile.submission(victim_id)
    assert victim.status == SubmissionStatus.SCORED, victim.error_message
    assert hunter.started_at is not None and victim.finished_at is not None
    assert hunter.started_at < victim.finished_at, "the two runs did not overlap"


def test_nothing_of_one_run_is_left_for_the_next(hostile: HostileArena) -> None:
    secret = _canary("leftover")
    phase = hostile.code_phase("leftovers")
    first_token = hostile.participant("first", phase)
    second_token = hostile.participant("second", phase)
    first = hostile.submit(first_token, phase, zip_bytes({"main.py": LEAVER.replace("@SECRET@", _rev(secret))}))
    hostile.work()
    assert hostile.submission(first).status == SubmissionStatus.SCORED
    stdout = hostile.logs(first)["stdout"]
    for path in ("/tmp/leftover.txt", "/output/leftover.txt", "/dev/shm/leftover.txt"):
        assert f"wrote {path}" in stdout, stdout
    assert "refused /code/leftover.txt" in stdout, stdout

    code = HUNTER.replace("@CANARIES@", repr({"leftover": _rev(secret)}))
    second = hostile.submit(second_token, phase, zip_bytes({"main.py": code}))
    hostile.work()
    submission = hostile.submission(second)
    assert submission.status == SubmissionStatus.SCORED, (submission.error_message, hostile.logs(second))
    assert hostile.report(second)["hits"] == []
    assert not (Path(hostile.settings.data_dir) / "runs").exists() or not any(
        (Path(hostile.settings.data_dir) / "runs").iterdir()
    ), "run directories outlived their runs"


@pytest.mark.parametrize("hide_logs", [True, False], ids=["hidden-logs", "visible-logs"])
def test_participant_sees_only_what_the_phase_allows(hostile: HostileArena, hide_logs: bool) -> None:
    secret = _canary("logs")
    phase = hostile.code_phase("logs", hide_logs=hide_logs)
    token = hostile.participant("mallory", phase)
    submission_id = hostile.submit(token, phase, zip_bytes({"main.py": LOUD_CRASH.replace("@SECRET@", _rev(secret))}))
    hostile.work()
    submission = hostile.submission(submission_id)
    assert (submission.status, submission.failure_class) == (SubmissionStatus.FAILED, FailureClass.CRASHED)
    # The run's logs are kept for the organizers either way.
    assert secret in hostile.logs(submission_id)["stdout"]
    view = hostile.view(token, submission_id)
    assert (view["status"], view["failure_class"]) == ("failed", "crashed")
    if hide_logs:
        # Only the failure class: no message, no logs, no run record, nothing echoing the program's output.
        assert view["error"] is None and view.get("logs") is None and view.get("run") is None, view
        assert secret not in json.dumps(view)
    else:
        # The team sees its failure message (never echoing the output) and, where Arena shows them, its own logs.
        assert view["error"] == "your code exited with an error", view
        assert secret not in view["error"]
        assert view.get("logs") is None or secret in view["logs"]["stdout"], view
