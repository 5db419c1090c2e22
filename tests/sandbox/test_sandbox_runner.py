"""Hostile submissions against the real Docker runner, under runc and (when registered) gVisor."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import docker
import pytest

from sandbox import SANDBOX_LABEL, DockerRunner, Limits, Outcome, RunResult, RunSpec

pytestmark = pytest.mark.docker

MB = 1024 * 1024
RunCode = Callable[..., RunResult]


def report(result_stdout: str) -> dict[str, object]:
    """Parse the JSON line a probe prints last."""
    return dict(json.loads(result_stdout.strip().splitlines()[-1]))


def test_hello_world_and_environment(run_code: RunCode, runtime: str) -> None:
    result = run_code(
        """
import json, os
print(json.dumps({"uid": os.getuid(), "gid": os.getgid(), "cwd": os.getcwd(),
                  "input": os.environ.get("ARENA_INPUT"), "output": os.environ.get("ARENA_OUTPUT"),
                  "mine": os.environ.get("MY_SETTING")}))
open("/output/predictions.csv", "w").write("id,label\\n1,a\\n")
""",
        env={"MY_SETTING": "42"},
    )
    assert result.outcome is Outcome.OK, result
    assert result.exit_code == 0 and result.runtime == runtime
    assert result.image_digest and result.image_digest.startswith("sha256:")
    assert report(result.stdout) == {
        "uid": 65534,
        "gid": 65534,
        "cwd": "/code",
        "input": "/data",
        "output": "/output",
        "mine": "42",
    }
    assert result.output_bytes is not None and result.output_bytes > 0


def test_nonzero_exit_keeps_stderr(run_code: RunCode) -> None:
    result = run_code("import sys\nprint('about to fail', file=sys.stderr)\nraise SystemExit(3)\n")
    assert result.outcome is Outcome.NONZERO_EXIT and result.exit_code == 3
    assert "about to fail" in result.stderr


def test_network_is_unreachable(run_code: RunCode) -> None:
    gateway = _bridge_gateway()
    result = run_code(
        """
import json, os, socket
def attempt(fn):
    try:
        fn()
        return "reachable"
    except OSError as exc:
        return type(exc).__name__
def tcp(host, port):
    def go():
        with socket.create_connection((host, port), timeout=3):
            pass
    return go
out = {
    "dns": attempt(lambda: socket.getaddrinfo("deb.debian.org", 80)),
    "public": attempt(tcp("1.1.1.1", 443)),
    "gateway": attempt(tcp(os.environ["GATEWAY"], 2375)),
    "redis": attempt(tcp(os.environ["GATEWAY"], 6379)),
    "metadata": attempt(tcp("169.254.169.254", 80)),
}
try:
    out["interfaces"] = sorted(os.listdir("/sys/class/net"))
except OSError:
    out["interfaces"] = []
with open("/proc/net/dev") as fh:
    out["proc_net_dev"] = sorted(line.split(":")[0].strip() for line in fh.readlines()[2:])
print(json.dumps(out))
""",
        env={"GATEWAY": gateway},
    )
    assert result.outcome is Outcome.OK, result
    probes = report(result.stdout)
    for name in ("dns", "public", "gateway", "redis", "metadata"):
        assert probes[name] != "reachable", probes
    assert set(probes["interfaces"]) <= {"lo"}, probes  # type: ignore[arg-type]
    assert set(probes["proc_net_dev"]) <= {"lo"}, probes  # type: ignore[arg-type]


def test_no_privileges(run_code: RunCode, runtime: str) -> None:
    result = run_code(
        """
import ctypes, errno, json, os
libc = ctypes.CDLL(None, use_errno=True)
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
def call(fn, *args):
    rc = fn(*args)
    return "ok" if rc == 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET = 0x10000000, 0x00020000, 0x40000000
PTRACE_ATTACH = 16
outsider = int(os.environ["OUTSIDER_PID"])
visible = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
print(json.dumps({
    "uid": os.getuid(), "euid": os.geteuid(),
    "CapEff": status["CapEff"].strip(), "CapPrm": status["CapPrm"].strip(), "CapBnd": status["CapBnd"].strip(),
    "NoNewPrivs": status.get("NoNewPrivs", "?").strip(), "Seccomp": status.get("Seccomp", "?").strip(),
    "mount": call(libc.mount, b"none", b"/tmp", b"tmpfs", 0, None),
    "unshare_ns": call(libc.unshare, CLONE_NEWNS | CLONE_NEWNET),
    "unshare_user": call(libc.unshare, CLONE_NEWUSER),
    "ptrace_outsider": call(libc.ptrace, PTRACE_ATTACH, outsider, None, None),
    "outsider_visible": outsider in visible and outsider != os.getpid(),
    "setuid_root": call(libc.setuid, 0),
    "docker_sock": os.path.exists("/var/run/docker.sock") or os.path.exists("/run/docker.sock"),
}))
""",
        env={"OUTSIDER_PID": str(os.getpid())},
    )
    assert result.outcome is Outcome.OK, result
    facts = report(result.stdout)
    assert facts["uid"] != 0 and facts["euid"] != 0
    assert int(str(facts["CapEff"]), 16) == 0 and int(str(facts["CapPrm"]), 16) == 0
    # Docker's seccomp profile is loaded under both runtimes (runsc with --oci-seccomp, as the setup script
    # registers it). gVisor's kernel does not report NoNewPrivs.
    assert facts["Seccomp"] == "2", facts
    assert facts["unshare_user"] != "ok", facts
    assert facts["NoNewPrivs"] == ("1" if runtime == "runc" else "?"), facts
    for probe in ("mount", "unshare_ns", "ptrace_outsider", "setuid_root"):
        assert facts[probe] != "ok", (probe, facts)
    assert facts["docker_sock"] is False


def test_fork_bomb_is_contained_while_a_control_run_finishes(run_code: RunCode) -> None:
    bomb = """
import os, sys, time
spawned = 0
try:
    while True:
        if os.fork() == 0:
            while True:
                try:
                    os.fork()
                except OSError:
                    time.sleep(0.5)
        spawned += 1
except OSError as exc:
    print(f"fork refused after {spawned}: {exc}", file=sys.stderr)
    raise SystemExit(70)
"""
    control = "import time\nt = time.time()\nsum(range(2_000_000))\nprint(round(time.time() - t, 3))\n"
    results: dict[str, object] = {}
    thread = threading.Thread(target=lambda: results.setdefault("bomb", run_code(bomb)))
    thread.start()
    time.sleep(1.0)
    started = time.monotonic()
    control_result = run_code(control)
    control_seconds = time.monotonic() - started
    thread.join(timeout=60)
    bomb_result = results["bomb"]
    assert control_result.outcome is Outcome.OK, control_result
    assert control_seconds < 20
    assert bomb_result.outcome in (Outcome.NONZERO_EXIT, Outcome.OUT_OF_MEMORY), bomb_result  # type: ignore[attr-defined]
    # Under both runtimes fork() itself fails at the cap (under runsc through gVisor's RLIMIT_NPROC; the
    # engine's pids cgroup there bounds only gVisor's host threads, and at the guest's cap it took the sandbox
    # down with exit 2). Under gVisor the forked interpreters may reach the memory cap first.
    if bomb_result.outcome is not Outcome.OUT_OF_MEMORY:  # type: ignore[attr-defined]
        assert "fork refused" in bomb_result.stderr, bomb_result  # type: ignore[attr-defined]


def test_peak_memory_is_reported_without_waiting_for_the_last_sample(run_code: RunCode) -> None:
    result = run_code("import time\nheld = bytearray(120 * 1024 * 1024)\ntime.sleep(1.5)\n")
    assert result.outcome is Outcome.OK, result
    assert result.peak_memory_bytes is not None and result.peak_memory_bytes >= 120 * MB, result


def test_memory_bomb_is_out_of_memory(run_code: RunCode, small_limits: Limits) -> None:
    result = run_code(
        "blocks = []\nwhile True:\n    blocks.append(bytearray(8 * 1024 * 1024))\n",
        limits=replace(small_limits, memory_mb=96),
    )
    # The kernel kills it; rarely, under heavy load, the engine misses the OOM event and only exit 137 remains.
    assert result.outcome is Outcome.OUT_OF_MEMORY or result.exit_code == 137, result
    assert result.outcome.is_participant_failure


def test_disk_filling_stops_at_the_caps(run_code: RunCode, small_limits: Limits, tmp_path: Path) -> None:
    free_before = shutil.disk_usage(tmp_path).free
    result = run_code(
        """
import errno, json, os
def fill(path, chunk=1024 * 1024, limit=10_000):
    written = 0
    try:
        with open(path, "wb") as fh:
            for _ in range(limit):
                fh.write(b"x" * chunk)
                fh.flush()
                written += chunk
    except OSError as exc:
        return written, errno.errorcode.get(exc.errno, str(exc.errno))
    return written, "no error"
out = {"tmp": fill("/tmp/fill"), "output": fill("/output/fill")}
for path in ("/fill", "/etc/fill", "/var/tmp/fill", "/code/fill", "/home/fill"):
    out[path] = fill(path)
os.remove("/tmp/fill")
print(json.dumps(out))
""",
        limits=replace(small_limits, tmpfs_mb=8),
    )
    free_after = shutil.disk_usage(tmp_path).free
    assert result.outcome is Outcome.OK, result
    facts = report(result.stdout)
    tmp_written, tmp_error = facts["tmp"]  # type: ignore[misc]
    assert tmp_error == "ENOSPC" and tmp_written <= 8 * MB
    out_written, out_error = facts["output"]  # type: ignore[misc]
    assert out_error == "EFBIG" and out_written <= small_limits.fsize_mb * MB
    for path in ("/fill", "/etc/fill", "/var/tmp/fill", "/code/fill", "/home/fill"):
        written, error = facts[path]  # type: ignore[misc]
        assert written == 0 and error in ("EROFS", "EACCES", "ENOENT"), (path, facts[path])
    out_dirs = [d for d in tmp_path.glob("out*") if d.is_dir()]
    assert sum(f.stat().st_size for d in out_dirs for f in d.rglob("*")) <= small_limits.fsize_mb * MB
    # Other processes share this disk, so only a gross leak is detectable through free space.
    assert free_before - free_after < 2048 * MB


def test_many_files_in_output_hit_the_output_cap(run_code: RunCode, small_limits: Limits, tmp_path: Path) -> None:
    result = run_code(
        """
import itertools
for i in itertools.count():
    with open(f"/output/part{i}", "wb") as fh:
        fh.write(b"y" * (4 * 1024 * 1024))
""",
        limits=replace(small_limits, output_mb=24, fsize_mb=8),
    )
    assert result.outcome is Outcome.OUTPUT_TOO_LARGE, result
    out_dirs = sorted(tmp_path.glob("out*"))
    used = sum(f.stat().st_size for d in out_dirs for f in d.iterdir())
    assert used < 24 * MB + 512 * MB  # the watchdog stopped it long before the disk filled


def test_output_too_large_after_a_clean_exit(run_code: RunCode, small_limits: Limits) -> None:
    result = run_code(
        "for i in range(3):\n    open(f'/output/p{i}', 'wb').write(b'z' * (6 * 1024 * 1024))\n",
        limits=replace(small_limits, output_mb=8, fsize_mb=8),
    )
    assert result.outcome is Outcome.OUTPUT_TOO_LARGE, result


@pytest.mark.parametrize("code", ["while True:\n    pass\n", "import time\ntime.sleep(10_000)\n"])
def test_busy_loop_and_endless_sleep_are_killed(run_code: RunCode, small_limits: Limits, code: str) -> None:
    started = time.monotonic()
    result = run_code(code, limits=replace(small_limits, wall_seconds=3))
    elapsed = time.monotonic() - started
    assert result.outcome is Outcome.TIMEOUT, result
    assert 3 <= result.duration_seconds < 3 + 5
    assert elapsed < 3 + 15


def test_signals_ignored_still_killed(run_code: RunCode, small_limits: Limits) -> None:
    code = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    time.sleep(1)\n"
    result = run_code(code, limits=replace(small_limits, wall_seconds=2))
    assert result.outcome is Outcome.TIMEOUT, result


def test_worker_environment_is_not_visible(run_code: RunCode, monkeypatch: pytest.MonkeyPatch) -> None:
    canary = "canary-" + secrets.token_hex(8)
    monkeypatch.setenv("ARENA_TEST_CANARY", canary)
    result = run_code(
        """
import glob, os
blob = repr(dict(os.environ))
for path in glob.glob("/proc/*/environ"):
    try:
        blob += open(path, "rb").read().decode(errors="replace")
    except OSError:
        pass
print(blob)
"""
    )
    assert result.outcome is Outcome.OK, result
    assert canary not in result.stdout and "ARENA_TEST_CANARY" not in result.stdout


def test_nothing_of_one_run_is_visible_to_the_next(run_code: RunCode) -> None:
    canary = secrets.token_hex(8)
    first = run_code(
        f"""
import os
for path in ("/tmp/{canary}", "/dev/shm/{canary}"):
    try:
        open(path, "w").write("{canary}")
    except OSError as exc:
        print(path, exc)
"""
    )
    assert first.outcome is Outcome.OK, first
    second = run_code(
        f"""
import os
found = []
for root in ("/tmp", "/dev/shm", "/code", "/output", "/var/tmp"):
    for dirpath, _dirs, files in os.walk(root):
        found += [os.path.join(dirpath, f) for f in files if "{canary}" in f]
print("FOUND" if found else "CLEAN", found)
"""
    )
    assert second.outcome is Outcome.OK, second
    assert second.stdout.startswith("CLEAN"), second.stdout


def test_logs_are_truncated_with_a_marker(run_code: RunCode, small_limits: Limits) -> None:
    result = run_code(
        "import sys\nprint('FIRST LINE')\nfor i in range(2000):\n    print('x' * 500)\nprint('LAST LINE')\n"
        "print('e' * 100_000, file=sys.stderr)\n",
        limits=replace(small_limits, log_bytes=2000),
    )
    assert result.outcome is Outcome.OK, result
    assert result.logs_truncated
    assert result.stdout.startswith("FIRST LINE") and result.stdout.rstrip().endswith("LAST LINE")
    assert "truncated by the sandbox" in result.stdout and "truncated by the sandbox" in result.stderr
    assert len(result.stdout) < 2200 and len(result.stderr) < 2200


def test_code_and_inputs_are_read_only(run_code: RunCode, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o755)
    (data / "test.csv").write_text("id\n1\n")
    (data / "test.csv").chmod(0o644)
    result = run_code(
        """
import json
out = {"read": open("/data/test.csv").read()}
for path in ("/data/test.csv", "/code/main.py"):
    try:
        open(path, "a").write("tamper")
        out[path] = "written"
    except OSError as exc:
        out[path] = type(exc).__name__
print(json.dumps(out))
""",
        input_dir=data,
    )
    facts = report(result.stdout)
    assert facts["read"] == "id\n1\n"
    assert facts["/data/test.csv"] != "written" and facts["/code/main.py"] != "written"
    assert (data / "test.csv").read_text() == "id\n1\n"


def test_missing_command_is_the_submissions_fault(run_code: RunCode) -> None:
    result = run_code("", command=["no-such-program", "--flag"])
    assert result.outcome is Outcome.NONZERO_EXIT, result
    assert result.exit_code == 127


def test_kill_by_label_and_no_container_left(run_code: RunCode, runner: DockerRunner) -> None:
    label = {"org.arena.test.run": secrets.token_hex(6)}
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(run_code("import time\ntime.sleep(60)\n", labels=label)))
    thread.start()
    client = docker.from_env()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if client.containers.list(sparse=True, filters={"label": [f"{k}={v}" for k, v in label.items()]}):
                break
            time.sleep(0.2)
        assert runner.kill(label) == 1
        thread.join(timeout=30)
        assert results and results[0].outcome is Outcome.NONZERO_EXIT  # type: ignore[attr-defined]
        selector = [f"{SANDBOX_LABEL}=1", *(f"{k}={v}" for k, v in label.items())]
        assert client.containers.list(all=True, sparse=True, filters={"label": selector}) == []
    finally:
        client.close()


@pytest.mark.usefixtures("docker_engine")
def test_infrastructure_errors_are_reported_not_raised(tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    spec = RunSpec(image="arena-no-such-image:never", command=["python"], code_dir=code, output_dir=tmp_path / "o")
    missing = DockerRunner().run(spec)
    assert missing.outcome is Outcome.INFRASTRUCTURE_ERROR and missing.error and "not present" in missing.error

    def unreachable() -> docker.DockerClient:
        return docker.DockerClient(base_url="tcp://127.0.0.1:9", version="1.41", timeout=2)

    down = DockerRunner(client_factory=unreachable).run(spec)
    assert down.outcome is Outcome.INFRASTRUCTURE_ERROR and down.error


def _bridge_gateway() -> str:
    client = docker.from_env()
    try:
        config = client.networks.get("bridge").attrs.get("IPAM", {}).get("Config") or [{}]
        gateway = config[0].get("Gateway")
        if not gateway and config[0].get("Subnet"):
            gateway = config[0]["Subnet"].split("/")[0].rsplit(".", 1)[0] + ".1"
        return str(gateway or "172.17.0.1")
    finally:
        client.close()


def test_cleanup_stale_removes_leftovers_of_a_dead_worker(runner: DockerRunner, runner_image: str) -> None:
    worker = {"org.arena.worker": "dead-" + secrets.token_hex(4)}
    client = docker.from_env()
    try:
        client.containers.create(
            runner_image, ["sleep", "600"], labels={**worker, SANDBOX_LABEL: "1"}, network_mode="none"
        )
        client.containers.run(
            runner_image, ["true"], labels={**worker, SANDBOX_LABEL: "1"}, network_mode="none", detach=True
        )
        assert runner.cleanup_stale({"org.arena.worker": "someone-else"}) == 0
        assert runner.cleanup_stale(worker) == 2
        assert not client.containers.list(
            all=True, sparse=True, filters={"label": [f"{k}={v}" for k, v in worker.items()]}
        )
    finally:
        client.close()
