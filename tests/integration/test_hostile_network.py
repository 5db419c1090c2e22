"""Hostile code submissions probing the network and their own privileges, through upload → rq → Docker → scorer."""

from __future__ import annotations

import os
import socket
import struct

import docker
import pytest

from arena.enums import SubmissionStatus
from tests.factories import zip_bytes
from tests.integration.conftest import PREDICT, HostileArena

pytestmark = pytest.mark.docker

NETWORK_PROBE = (
    PREDICT
    + """
import json, os, socket
def attempt(fn):
    try:
        fn()
        return "reachable"
    except OSError as exc:
        return f"{type(exc).__name__}:{exc.errno}"
def tcp(host, port):
    def go():
        with socket.create_connection((host, port), timeout=3):
            pass
    return go
def udp_dns(host):
    def go():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(3)
            sock.sendto(b"\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x07example\\x03com\\x00\\x00\\x01\\x00\\x01",
                        (host, 53))
            sock.recvfrom(512)
    return go
probes = {
    "dns_lookup": attempt(lambda: socket.getaddrinfo("deb.debian.org", 443)),
    "dns_udp_public": attempt(udp_dns("1.1.1.1")),
    "tcp_public_53": attempt(tcp("1.1.1.1", 53)),
    "tcp_public_443": attempt(tcp("1.1.1.1", 443)),
    "host_gateway": attempt(tcp("@HOST_GATEWAY@", 22)),
    "bridge_gateway": attempt(tcp("@BRIDGE_GATEWAY@", 2375)),
    "redis_gateway": attempt(tcp("@BRIDGE_GATEWAY@", @REDIS_PORT@)),
    "redis_host": attempt(tcp("@HOST_ADDRESS@", @REDIS_PORT@)),
    "redis_loopback": attempt(tcp("127.0.0.1", @REDIS_PORT@)),
    "metadata": attempt(tcp("169.254.169.254", 80)),
}
try:
    interfaces = sorted(os.listdir("/sys/class/net"))
except OSError:
    interfaces = []
with open("/proc/net/dev") as fh:
    proc_net_dev = sorted(line.split(":")[0].strip() for line in fh.readlines()[2:])
write_predictions()
print(json.dumps({"probes": probes, "interfaces": interfaces, "proc_net_dev": proc_net_dev}))
"""
)

PRIVILEGE_PROBE = (
    PREDICT
    + """
import ctypes, errno, json, os, subprocess
libc = ctypes.CDLL(None, use_errno=True)
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
def call(fn, *args):
    rc = fn(*args)
    return "ok" if rc == 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID = 0x10000000, 0x00020000, 0x40000000, 0x20000000
PTRACE_ATTACH = 16
mine = {os.getpid()}
visible = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
# Processes of the worker host: this test's pid, the engine's init, and whatever the host shows at low pids.
outsiders = sorted({@OUTSIDER@, 1, 2} - mine)
try:
    binary = subprocess.run(["mount", "-t", "tmpfs", "none", "/tmp"], capture_output=True, timeout=10).returncode
except (OSError, subprocess.SubprocessError) as exc:
    binary = type(exc).__name__
write_predictions()
print(json.dumps({
    "uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(),
    "CapEff": status.get("CapEff", "?").strip(), "CapPrm": status.get("CapPrm", "?").strip(),
    "CapBnd": status.get("CapBnd", "?").strip(),
    "NoNewPrivs": status.get("NoNewPrivs", "?").strip(), "Seccomp": status.get("Seccomp", "?").strip(),
    "mount_syscall": call(libc.mount, b"none", b"/tmp", b"tmpfs", 0, None),
    "mount_binary": binary,
    "unshare_ns_net": call(libc.unshare, CLONE_NEWNS | CLONE_NEWNET),
    "unshare_pid": call(libc.unshare, CLONE_NEWPID),
    "unshare_user": call(libc.unshare, CLONE_NEWUSER),
    "ptrace": {str(pid): call(libc.ptrace, PTRACE_ATTACH, pid, None, None) for pid in outsiders},
    "visible_pids": visible,
    "setuid_root": call(libc.setuid, 0),
    "docker_sock": [p for p in ("/var/run/docker.sock", "/run/docker.sock") if os.path.exists(p)],
}))
"""
)


def _host_gateway() -> str:
    with open("/proc/net/route") as fh:
        for line in fh.readlines()[1:]:
            fields = line.split()
            if fields[1] == "00000000" and int(fields[3], 16) & 2:
                return socket.inet_ntoa(struct.pack("<L", int(fields[2], 16)))
    return "192.0.2.1"


def _host_address() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect((_host_gateway(), 9))
            return str(sock.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def _bridge_gateway() -> str:
    client = docker.from_env()
    try:
        config = client.networks.get("bridge").attrs.get("IPAM", {}).get("Config") or [{}]
        return str(config[0].get("Gateway") or "172.17.0.1")
    finally:
        client.close()


def test_network_is_unreachable_yet_the_run_scores(hostile: HostileArena) -> None:
    port = hostile.settings.redis_url.rsplit(":", 1)[1].split("/")[0]
    code = (
        NETWORK_PROBE.replace("@HOST_GATEWAY@", _host_gateway())
        .replace("@BRIDGE_GATEWAY@", _bridge_gateway())
        .replace("@HOST_ADDRESS@", _host_address())
        .replace("@REDIS_PORT@", port)
    )
    phase = hostile.code_phase("net")
    token = hostile.participant("mallory", phase)
    submission_id = hostile.submit(token, phase, zip_bytes({"main.py": code}))
    hostile.work()
    submission = hostile.submission(submission_id)
    assert submission.status == SubmissionStatus.SCORED, (submission.error_message, hostile.logs(submission_id))
    found = hostile.report(submission_id)
    reached = {name: result for name, result in found["probes"].items() if result == "reachable"}
    assert not reached, found
    assert len(found["probes"]) == 10
    assert found["interfaces"] == ["lo"] or (found["interfaces"] == [] and hostile.runtime == "runsc"), found
    assert set(found["proc_net_dev"]) <= {"lo"}, found


def test_no_privileges_inside_the_run(hostile: HostileArena) -> None:
    phase = hostile.code_phase("priv")
    token = hostile.participant("mallory", phase)
    code = PRIVILEGE_PROBE.replace("@OUTSIDER@", str(os.getpid()))
    submission_id = hostile.submit(token, phase, zip_bytes({"main.py": code}))
    hostile.work()
    submission = hostile.submission(submission_id)
    assert submission.status == SubmissionStatus.SCORED, (submission.error_message, hostile.logs(submission_id))
    facts = hostile.report(submission_id)
    assert facts["uid"] != 0 and facts["euid"] != 0 and facts["gid"] != 0, facts
    assert int(facts["CapEff"], 16) == 0 and int(facts["CapPrm"], 16) == 0, facts
    # Docker's seccomp profile holds under both runtimes (runsc is registered with --oci-seccomp), so no
    # user namespace can be made. gVisor's guest kernel does not report NoNewPrivs.
    assert facts["Seccomp"] == "2", facts
    assert facts["unshare_user"] != "ok", facts
    assert facts["NoNewPrivs"] == ("1" if hostile.runtime == "runc" else "?"), facts
    for probe in ("mount_syscall", "unshare_ns_net", "unshare_pid", "setuid_root"):
        assert facts[probe] != "ok", (probe, facts)
    assert facts["mount_binary"] != 0, facts
    assert all(result != "ok" for result in facts["ptrace"].values()), facts
    assert os.getpid() not in facts["visible_pids"] or os.getpid() == 1, facts
    assert facts["docker_sock"] == [], facts
