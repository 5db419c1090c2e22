"""Sandbox overhead through Arena: upload → scored against a bare `docker run --rm`, and worker throughput.

(a) For a trivial code submission, the median time from upload (`arena.evaluation.intake.accept_upload`) until the
database says `scored`, with a worker process already running and waiting, against a raw `docker run --rm` of
the same command in the same image; per runtime (runc, runsc): medians, overhead in seconds and the ratio.
(b) Two worker processes draining N queued trivial submissions: total seconds and submissions per second.

It sets up its own SQLite database, data folder and private `redis-server`, and removes them afterwards.
Usage: python bench/sandbox_overhead.py [--repeat 7] [--drain 200] [--quick] [--image TAG]
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from arena.accounts import users as accounts
from arena.challenges.bundles import import_bundle
from arena.db import Base, make_engine, make_session_factory
from arena.evaluation import intake
from arena.localredis import private_redis
from arena.models import Challenge, Phase, Submission
from arena.settings import Settings
from arena.storage import BlobStore
from arena.teams import membership as teams
from sandbox import runtimes
from sandbox.builder import DEFAULT_TAG

REPO = Path(__file__).resolve().parent.parent
# A committed code-track bundle with one track per container runtime (trivial-runc, trivial-runsc).
BUNDLE = Path(__file__).resolve().parent / "fixtures" / "trivial-code"

TRIVIAL = """
ids = open("/data/ids.txt").read().split()
with open("/output/predictions.csv", "w") as out:
    out.write("id,label\\n" + "".join(f"{i},a\\n" for i in ids))
"""
WORKER = (
    "from arena.settings import Settings; from arena.evaluation.worker import run_worker; "
    "run_worker(Settings.from_env(), burst={burst}, simple=True)"
)


class Bench:
    """One Arena instance (database, storage, queue) with a code challenge per runtime and a participant."""

    def __init__(self, root: Path, redis_url: str, image: str) -> None:
        self.settings = Settings(
            database_url=f"sqlite:///{root}/arena.sqlite",
            redis_url=redis_url,
            data_dir=root / "data",
            secret_key=secrets.token_hex(16),
            queue_name="bench",
            max_infra_retries=1,
            runner_image=image,
        )
        engine = make_engine(self.settings.database_url)
        Base.metadata.create_all(engine)
        self.engine = engine
        self.sessions = make_session_factory(engine)
        self.store = BlobStore(self.settings.data_dir)
        self.image = image
        self.archive = _zip({"main.py": TRIVIAL})
        self.phases: dict[str, int] = {}
        self.root = root
        with self.sessions() as session:
            self.user_id = accounts.create_user(session, "bench", secrets.token_urlsafe(16)).id
            session.commit()

    def phase_for(self, runtime: str) -> int:
        """Return the phase of the benchmark challenge's track that runs under `runtime`."""
        if not self.phases:
            with self.sessions() as session:
                report = import_bundle(session, self.store, BUNDLE)
                session.commit()
                challenge = session.get(Challenge, report.challenge_id)
                assert challenge is not None
                teams.create_team(session, accounts.get_user(session, self.user_id), challenge, "bench")
                session.commit()
                self.phases = {t.slug.removeprefix("trivial-"): t.phases[0].id for t in challenge.tracks}
        return self.phases[runtime]

    def upload(self, runtime: str) -> int:
        """Accept one trivial submission as a participant would (store, record, enqueue); return its id."""
        with self.sessions() as session:
            phase = session.get(Phase, self.phase_for(runtime))
            user = accounts.get_user(session, self.user_id)
            assert phase is not None
            submission = intake.accept_upload(
                session,
                self.settings,
                self.store,
                user=user,
                phase=phase,
                stream=io.BytesIO(self.archive),
                filename="code.zip",
            )
            return int(submission.id)

    def status(self, submission_id: int) -> str:
        """Return the submission's status as the database holds it."""
        with self.sessions() as session:
            return str(session.scalar(select(Submission.status).where(Submission.id == submission_id)))

    def count(self, status: str) -> int:
        """Return how many submissions have the status."""
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).where(Submission.status == status)) or 0)

    def start_worker(self, *, burst: bool) -> subprocess.Popen[bytes]:
        """Start a real worker process on the bench queue."""
        return subprocess.Popen(
            [sys.executable, "-c", WORKER.format(burst=burst)],
            env={**os.environ, **self.settings.to_env(), "PYTHONPATH": str(REPO)},
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def plain_docker(image: str, runtime: str, inputs: Path, output: Path) -> float:
    """Time a bare `docker run --rm` of the same program (code, inputs and output bind-mounted, no hardening)."""
    code = output.parent / "plain-code"
    code.mkdir(exist_ok=True)
    (code / "main.py").write_text(TRIVIAL)
    output.mkdir(exist_ok=True)
    output.chmod(0o777)  # noqa: S103 - throw-away bench folder
    started = time.perf_counter()
    subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            f"--runtime={runtime}",
            "-v",
            f"{code}:/code:ro",
            "-v",
            f"{inputs}:/data:ro",
            "-v",
            f"{output}:/output",
            "-w",
            "/code",
            image,
            "python",
            "main.py",
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def through_arena(bench: Bench, runtime: str) -> float:
    """Time upload → `scored` with a worker already waiting on the queue."""
    started = time.perf_counter()
    submission_id = bench.upload(runtime)
    while (status := bench.status(submission_id)) not in ("scored", "failed"):
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    if status != "scored":
        raise SystemExit(f"submission {submission_id} under {runtime} ended {status}")
    return elapsed


def overhead(bench: Bench, repeat: int) -> None:
    """Part (a): upload → scored through Arena against a bare docker run, per runtime."""
    worker = bench.start_worker(burst=False)
    try:
        available = runtimes()
        for runtime in ("runc", "runsc"):
            if runtime not in available:
                print(f"{runtime}: not registered, skipped")
                continue
            with bench.sessions() as session:
                phase = session.get(Phase, bench.phase_for(runtime))
                assert phase is not None
                inputs = bench.store.tree_path(phase.inputs_sha256).absolute()
            through_arena(bench, runtime)  # warm both paths once
            plain_docker(bench.image, runtime, inputs, bench.root / f"plain-{runtime}")
            plain, arena = [], []
            for _ in range(repeat):
                # Interleave so drift on a shared machine hits both sides alike.
                plain.append(plain_docker(bench.image, runtime, inputs, bench.root / f"plain-{runtime}"))
                arena.append(through_arena(bench, runtime))
            p, a = statistics.median(plain), statistics.median(arena)
            verdict = "within" if a - p < 0.5 else "MISSES"
            print(
                f"{runtime}: docker run --rm median {p:.3f}s, upload→scored median {a:.3f}s, "
                f"overhead {a - p:+.3f}s, ratio {a / p:.2f} ({verdict} the 0.5 s target; n={repeat})"
            )
    finally:
        _stop(worker)


def throughput(bench: Bench, count: int, runtime: str) -> None:
    """Part (b): two worker processes drain `count` queued trivial submissions."""
    before = bench.count("scored")
    for _ in range(count):
        bench.upload(runtime)
    started = time.perf_counter()
    workers = [bench.start_worker(burst=True), bench.start_worker(burst=True)]
    try:
        for worker in workers:
            worker.wait(timeout=3600)
    finally:
        for worker in workers:
            _stop(worker)
    elapsed = time.perf_counter() - started
    done = bench.count("scored") - before
    print(
        f"throughput ({runtime}, 2 workers): {done}/{count} scored in {elapsed:.1f}s, "
        f"{done / elapsed:.2f} submissions/s"
    )


def main() -> None:
    """Run both measurements and print medians and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--drain", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="3 repeats and 20 submissions")
    parser.add_argument("--image", default=DEFAULT_TAG)
    parser.add_argument("--drain-runtime", default="runc", choices=("runc", "runsc"))
    args = parser.parse_args()
    repeat, drain = (3, 20) if args.quick else (args.repeat, args.drain)
    with private_redis() as redis_url, tempfile.TemporaryDirectory(prefix="arena-bench-") as tmp:
        bench = Bench(Path(tmp), redis_url, args.image)
        try:
            overhead(bench, repeat)
            throughput(bench, drain, args.drain_runtime)
        finally:
            bench.engine.dispose()


if __name__ == "__main__":
    main()
