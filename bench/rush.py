"""A deadline rush against a real installation: `arena serve` on PostgreSQL, N `arena worker` processes.

Result rush: ``--uploads`` (1,000) result files from ``--clients`` (200) participants, each with its own team,
sent at random moments within ``--seconds`` (10) to the JSON API, then drained. The phase's daily quota is
set to ``--quota`` (4) so that the fifth upload of every team is refused: exactly ``clients × quota`` must be
accepted, however the uploads race. Reports accepted, refused by quota, lost (accepted but never finished:
must be 0), 5xx answers (must be 0), p50/p99 upload latency, time to drain, and the time from a team's first
accepted upload until its row is on the public board (polled through the API).

Code rush: ``--code-uploads`` (60) trivial code submissions from ``--code-clients`` (20) participants on the
committed trivial code track (runc), drained by the same workers; its throughput is compared with the raw
floor measured in the same run: the same number of bare ``docker run --rm`` of the same program in the
same image, ``--workers`` at a time (goal: Arena at 80% of the floor or better).

``--code-only`` skips the result rush, ``--rounds N`` repeats the code rush N times, each followed by its own
floor (on a noisy machine, interleaved rounds say more than one), ``--fork`` makes the workers run each job in
a forked work horse (``ARENA_WORKER_FORK=1``). Each code round also prints the CPU the whole machine spent
per submission, against the CPU per bare run of the floor.

It creates its own database (``arena_rush`` on the server of ``--database-url``), data folder and private
redis-server, and removes the folder afterwards. Prints the numbers; exits 1 if anything was lost or a 5xx
was answered.

    python bench/rush.py [--workers 2] [--quick] [--code-only] [--rounds 1] [--fork] [--database-url postgresql+psycopg://arena:arena@127.0.0.1:5432/arena_rush]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from arena.accounts import users as accounts  # noqa: E402
from arena.challenges.bundles import import_bundle  # noqa: E402
from arena.db import make_engine, make_session_factory  # noqa: E402
from arena.localredis import private_redis  # noqa: E402
from arena.models import Challenge, ChallengeFile, Phase, Submission  # noqa: E402
from arena.schema import upgrade  # noqa: E402
from arena.settings import Settings  # noqa: E402
from arena.storage import BlobStore  # noqa: E402
from arena.teams import membership as teams  # noqa: E402
from sandbox.builder import DEFAULT_TAG  # noqa: E402
from web.demo import import_demo_bundle  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://arena:arena@127.0.0.1:5432/arena_rush"
CODE_BUNDLE = REPO / "bench" / "fixtures" / "trivial-code"
TRIVIAL = (
    'ids = open("/data/ids.txt").read().split()\n'
    'with open("/output/predictions.csv", "w") as out:\n'
    '    out.write("id,label\\n" + "".join(f"{i},a\\n" for i in ids))\n'
)
FINAL = ("scored", "failed", "cancelled")


@dataclass
class Sent:
    """One upload as its client saw it."""

    team_id: int
    started: float
    seconds: float
    status: int
    submission_id: int | None


@dataclass
class Rush:
    """What one rush measured."""

    sent: list[Sent] = field(default_factory=list)
    drained_at: float = 0.0
    first_sent: float = 0.0
    board_seen: dict[int, float] = field(default_factory=dict)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of the values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else float("nan")


def fresh_database(url: str) -> None:
    """Create the benchmark database, or empty it if it exists."""
    target = make_url(url)
    admin = target.set(database="postgres", drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target.database}"')


class Instance:
    """Arena on PostgreSQL with a private Redis: the web app under granian and N worker processes."""

    def __init__(self, root: Path, database_url: str, redis_url: str, workers: int, *, fork: bool = False) -> None:
        self.settings = Settings(
            database_url=database_url,
            redis_url=redis_url,
            data_dir=root / "data",
            secret_key=secrets.token_hex(16),
            queue_name="rush",
            runner_image=DEFAULT_TAG,
            sandbox_runtime="runc",
            worker_fork=fork,
        )
        upgrade(database_url)
        self.engine = make_engine(database_url)
        self.sessions = make_session_factory(self.engine)
        self.store = BlobStore(self.settings.data_dir)
        self.port = free_port()
        self.processes: list[subprocess.Popen[bytes]] = []
        self.workers = workers
        self.root = root

    def env(self) -> dict[str, str]:
        """The environment every process of the installation reads its settings from."""
        return {**os.environ, **self.settings.to_env(), "PYTHONPATH": str(REPO)}

    def start(self) -> None:
        """Start `arena serve` (one granian process per core) and the workers; wait until the API answers."""
        cores = str(os.cpu_count() or 2)
        serve = [sys.executable, "-m", "web.cli", "serve", "--port", str(self.port), "--workers", cores]
        log = (self.root / "serve.log").open("wb")
        self.processes.append(subprocess.Popen(serve, env=self.env(), stdout=log, stderr=log, start_new_session=True))  # noqa: S603
        for number in range(self.workers):
            worker_log = (self.root / f"worker-{number}.log").open("wb")
            command = [sys.executable, "-m", "web.cli", "worker"]
            env = {**self.env(), "ARENA_WORKER_NAME": f"rush-{number}"}
            self.processes.append(
                subprocess.Popen(command, env=env, stdout=worker_log, stderr=worker_log, start_new_session=True)
            )  # noqa: S603
        for _ in range(300):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not start; see {self.root / 'serve.log'}")

    def stop(self) -> None:
        """Stop every process this instance started."""
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.engine.dispose()

    def participants(self, phase_id: int, count: int, prefix: str) -> list[tuple[int, str]]:
        """Create ``count`` users, each captain of a team in the phase's challenge; return (team id, token)."""
        found = []
        with self.sessions() as session:
            phase = session.get(Phase, phase_id)
            assert phase is not None
            challenge = phase.track.challenge
            for number in range(count):
                user = accounts.create_user(session, f"{prefix}{number}", secrets.token_urlsafe(12))
                team = teams.create_team(session, user, challenge, f"{prefix} team {number}")
                found.append((team.id, accounts.issue_token(session, user, "rush")))
            session.commit()
        return found

    def unfinished(self, ids: list[int]) -> int:
        """How many of these submissions are not finished."""
        with self.sessions() as session:
            done = session.scalar(select(func.count()).where(Submission.id.in_(ids), Submission.status.in_(FINAL)))
        return len(ids) - int(done or 0)

    def missing(self, ids: list[int]) -> list[int]:
        """The accepted submissions the database does not hold finished."""
        with self.sessions() as session:
            rows = session.execute(select(Submission.id, Submission.status).where(Submission.id.in_(ids))).all()
        finished = {sid for sid, status in rows if status in FINAL}
        return [sid for sid in ids if sid not in finished]


def digits(instance: Instance, quota: int) -> tuple[int, bytes]:
    """Import the digits demo challenge with the given daily quota; return its phase and the sample file."""
    with instance.sessions() as session:
        challenge_id = import_demo_bundle(session, instance.store, REPO / "challenges" / "digits")
        challenge = session.get(Challenge, challenge_id)
        assert challenge is not None
        phase = challenge.tracks[0].phases[0]
        phase.daily_quota, phase.total_quota = quota, None
        sample = session.scalar(
            select(ChallengeFile).where(
                ChallengeFile.challenge_id == challenge.id, ChallengeFile.path.like("%sample_submission.csv")
            )
        )
        assert sample is not None
        data = instance.store.read_bytes(sample.sha256)
        session.commit()
        return phase.id, data


def trivial_code(instance: Instance) -> int:
    """Import the trivial code track; return the runc phase."""
    with instance.sessions() as session:
        report = import_bundle(session, instance.store, CODE_BUNDLE)
        session.commit()
        challenge = session.get(Challenge, report.challenge_id)
        assert challenge is not None
        return next(t.phases[0].id for t in challenge.tracks if t.slug == "trivial-runc")


def upload(port: int, token: str, phase_id: int, name: str, data: bytes) -> tuple[int, dict[str, object]]:
    """POST one file to the submissions API; return the status and the JSON answer."""
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(
            "POST",
            f"/api/v1/phases/{phase_id}/submissions",
            body=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        response = conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw or b"{}")
        except ValueError:
            return response.status, {}
    except OSError:
        return 0, {}
    finally:
        conn.close()


def watch_board(port: int, phase_id: int, rush: Rush, stop: threading.Event) -> None:
    """Poll the public board and note when each team's row first appears."""
    while not stop.is_set():
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", f"/api/v1/phases/{phase_id}/leaderboard?per_page=200")
            page = json.loads(conn.getresponse().read())
            conn.close()
            now = time.monotonic()
            for row in page.get("rows", []):
                rush.board_seen.setdefault(int(row["team"]["id"]), now)
        except (OSError, ValueError, KeyError):
            pass
        stop.wait(0.25)


def rush(  # noqa: PLR0913
    instance: Instance,
    phase_id: int,
    people: list[tuple[int, str]],
    uploads: int,
    seconds: float,
    name: str,
    data: bytes,
    *,
    watch: bool,
) -> Rush:
    """Send ``uploads`` files at random moments within ``seconds``, one thread per participant; drain."""
    measured = Rush()
    plan: dict[int, list[float]] = {i: [] for i in range(len(people))}
    for number in range(uploads):
        plan[number % len(people)].append(random.uniform(0, seconds))
    stop = threading.Event()
    watcher = threading.Thread(target=watch_board, args=(instance.port, phase_id, measured, stop), daemon=True)
    if watch:
        watcher.start()
    lock = threading.Lock()
    start = time.monotonic()
    measured.first_sent = start

    def client(index: int) -> None:
        team_id, token = people[index]
        for moment in sorted(plan[index]):
            time.sleep(max(0.0, start + moment - time.monotonic()))
            began = time.monotonic()
            status, body = upload(instance.port, token, phase_id, name, data)
            sid = body.get("id") if status == 202 else None
            with lock:
                measured.sent.append(Sent(team_id, began, time.monotonic() - began, status, int(sid) if sid else None))

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        list(pool.map(client, range(len(people))))
    accepted = [s.submission_id for s in measured.sent if s.submission_id is not None]
    deadline = time.monotonic() + 1800
    while instance.unfinished(accepted) and time.monotonic() < deadline:
        time.sleep(0.2)
    measured.drained_at = time.monotonic()
    if watch:
        time.sleep(1.0)  # the board's last rows
        stop.set()
        watcher.join(timeout=15)
    return measured


def report(title: str, instance: Instance, measured: Rush) -> tuple[int, int, float]:
    """Print what a rush measured; return (lost, 5xx, seconds to drain from the first upload)."""
    statuses: dict[int, int] = {}
    for s in measured.sent:
        statuses[s.status] = statuses.get(s.status, 0) + 1
    accepted = [s.submission_id for s in measured.sent if s.submission_id is not None]
    lost = len(instance.missing(accepted))
    errors = sum(n for status, n in statuses.items() if status >= 500 or status == 0)
    latencies = [s.seconds * 1000 for s in measured.sent]
    drain = measured.drained_at - measured.first_sent
    last_upload = max(s.started + s.seconds for s in measured.sent) - measured.first_sent
    print(f"\n{title}")
    print(f"  uploads sent {len(measured.sent)}  answers {dict(sorted(statuses.items()))}")
    print(f"  accepted {len(accepted)}  refused by quota {statuses.get(429, 0)}  lost {lost}  5xx/no answer {errors}")
    print(f"  upload latency p50 {percentile(latencies, 0.5):.0f} ms  p99 {percentile(latencies, 0.99):.0f} ms")
    print(f"  last upload answered after {last_upload:.1f} s; all finished {drain:.1f} s after the first upload")
    if measured.board_seen:
        first: dict[int, float] = {}
        for s in measured.sent:
            if s.submission_id is not None:
                first[s.team_id] = min(first.get(s.team_id, s.started), s.started)
        waits = [measured.board_seen[t] - at for t, at in first.items() if t in measured.board_seen]
        print(
            f"  upload to the team's row on the public board: p50 {percentile(waits, 0.5):.1f} s"
            f"  p99 {percentile(waits, 0.99):.1f} s  ({len(waits)}/{len(first)} teams seen)"
        )
    return lost, errors, drain


def docker_floor(count: int, parallel: int, image: str, root: Path) -> float:
    """Seconds for ``count`` bare `docker run --rm` of the trivial program, ``parallel`` at a time."""
    data, code = root / "floor-data", root / "floor-code"
    data.mkdir(exist_ok=True)
    code.mkdir(exist_ok=True)
    (data / "ids.txt").write_text("".join(f"c{i}\n" for i in range(20)))
    (code / "main.py").write_text(TRIVIAL)

    def one(_: int) -> None:
        with tempfile.TemporaryDirectory(dir=root) as out:
            Path(out).chmod(0o777)  # the image runs as nobody, as Arena's runs do
            subprocess.run(  # noqa: S603
                [
                    "docker",
                    "run",
                    "--rm",
                    "--network=none",
                    "-v",
                    f"{data}:/data:ro",
                    "-v",
                    f"{code}:/code:ro",
                    "-v",
                    f"{out}:/output",
                    "-w",
                    "/code",
                    image,
                    "python",
                    "main.py",
                ],
                check=True,
                capture_output=True,
            )

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(one, range(count)))
    return time.monotonic() - start


def machine_busy_seconds() -> float:
    """CPU seconds this machine has spent busy since boot, over all cores (Linux /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


def code_archive() -> bytes:
    """The trivial code submission as a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("main.py", TRIVIAL)
    return buffer.getvalue()


def result_rush(instance: Instance, phase_id: int, people: list[tuple[int, str]], args: argparse.Namespace) -> bool:
    """The result rush and its report; True when something was lost, failed or the quota did not hold."""
    measured = rush(instance, phase_id, people, args.uploads, args.seconds, "p.csv", args.sample, watch=True)
    lost, errors, _ = report(
        f"result rush: {args.uploads} uploads from {args.clients} clients in {args.seconds:.0f} s", instance, measured
    )
    expected = args.clients * args.quota
    accepted = sum(s.submission_id is not None for s in measured.sent)
    quota_held = accepted == min(expected, args.uploads)
    print(f"  accepted exactly the quota ({expected}): {'yes' if quota_held else 'NO'}")
    return bool(lost or errors or not quota_held)


def code_rush(
    instance: Instance, code_phase: int, coders: list[tuple[int, str]], args: argparse.Namespace, root: Path
) -> bool:
    """One code rush, then its raw floor right after; True when something was lost or failed."""
    # Sent within two seconds, so the workers, not the arrivals, set the pace.
    busy = machine_busy_seconds()
    code = rush(instance, code_phase, coders, args.code_uploads, 2.0, "code.zip", code_archive(), watch=False)
    arena_cpu = machine_busy_seconds() - busy
    lost, errors, drain = report(
        f"code rush: {args.code_uploads} trivial code uploads from {args.code_clients} clients", instance, code
    )
    done = sum(s.submission_id is not None for s in code.sent)
    busy = machine_busy_seconds()
    floor = docker_floor(done, args.workers, instance.settings.runner_image, root)
    floor_cpu = machine_busy_seconds() - busy
    arena_rate, floor_rate = done / drain, done / floor
    print(
        f"  throughput {arena_rate:.2f}/s against the raw `docker run --rm` floor {floor_rate:.2f}/s"
        f" ({args.workers} at a time, runtime runc): {arena_rate / floor_rate:.0%} of the floor"
    )
    print(
        f"  CPU per submission, whole machine: {arena_cpu / done * 1000:.0f} ms (upload, run, scoring, boards)"
        f" against {floor_cpu / done * 1000:.0f} ms per bare run"
    )
    return bool(lost or errors)


def main() -> int:
    """Run both rushes and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--uploads", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--quota", type=int, default=4, help="daily quota per team in the result rush")
    parser.add_argument("--code-uploads", type=int, default=60)
    parser.add_argument("--code-clients", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="a tenth of the load, for a smoke run")
    parser.add_argument("--no-code", action="store_true", help="skip the code rush (no Docker engine)")
    parser.add_argument("--code-only", action="store_true", help="skip the result rush")
    parser.add_argument("--fork", action="store_true", help="workers run each job in a forked work horse")
    parser.add_argument(
        "--rounds", type=int, default=1, help="code rushes, each followed by its floor (interleaved on a noisy host)"
    )
    args = parser.parse_args()
    if args.quick:
        args.uploads, args.clients, args.code_uploads, args.code_clients = 100, 20, 12, 4
    fresh_database(args.database_url)
    root = Path(tempfile.mkdtemp(prefix="arena-rush-"))
    failed = False
    try:
        with private_redis() as redis_url:
            instance = Instance(root, args.database_url, redis_url, args.workers, fork=args.fork)
            phase_id, args.sample = digits(instance, args.quota)
            people = instance.participants(phase_id, args.clients, "r")
            code_phase = None if args.no_code else trivial_code(instance)
            coders = [] if code_phase is None else instance.participants(code_phase, args.code_clients, "c")
            instance.start()
            try:
                print(f"Arena on PostgreSQL, `arena serve` with {os.cpu_count()} processes, {args.workers} workers")
                if not args.code_only:
                    failed = result_rush(instance, phase_id, people, args)
                for _ in range(args.rounds if code_phase is not None else 0):
                    assert code_phase is not None
                    failed = code_rush(instance, code_phase, coders, args, root) or failed
            finally:
                instance.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
