"""Leaderboard benchmark on PostgreSQL: materialized boards vs computing the board on every request.

Loads 10,000 teams and 1,000,000 scored submissions (``--quick``: 1,000 / 50,000) with COPY, builds the
materialized boards and serves the app as ``arena serve`` does in production (granian, one worker process
per core, two threads each) on 127.0.0.1. Measures, under 50 concurrent keep-alive clients, the latency of
the first page (50 rows) of the public and private board API, also while new scores arrive; then, one
client at a time, the same pages against an endpoint that calls ``arena.boards.ranking.leaderboard`` per
request (the from-scratch baseline, added to the app only here). The load comes from ``wrk`` when it is
installed (Debian package ``wrk``), else from Python threads, which add latency of their own. Finally it
times bringing the boards up to date after one new score (the write, and the time until the API in
another process serves the new row), against a full rebuild. Prints medians, p99 and ratios; asserts
nothing.

    python bench/leaderboard.py [--quick] [--database-url postgresql+psycopg://arena:arena@127.0.0.1:5432/arena_bench]

The database is created if it does not exist (the role needs CREATEDB, as the test role has).
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import psycopg
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from arena import events  # noqa: E402
from arena.boards import intervals as boardstats  # noqa: E402
from arena.boards import pages as boardpages  # noqa: E402
from arena.boards import standings  # noqa: E402
from arena.boards.board import Board  # noqa: E402
from arena.boards.ranking import leaderboard  # noqa: E402
from arena.db import Base, make_engine, make_session_factory  # noqa: E402
from arena.enums import Split  # noqa: E402
from arena.models import Phase, Score, Submission  # noqa: E402
from arena.storage import BlobStore  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://arena:arena@127.0.0.1:5432/arena_bench"
CASES = 2000
BLOBS = 400


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0–100) of ``values``."""
    return float(np.percentile(np.asarray(values), q))


def load(url: str, store: BlobStore, teams: int, submissions: int) -> int:
    """Create the schema and load one challenge with ``teams`` teams and ``submissions`` scored submissions."""
    engine = make_engine(url)
    with engine.begin() as ddl:
        ddl.execute(text("DROP SCHEMA public CASCADE"))
        ddl.execute(text("CREATE SCHEMA public"))
    Base.metadata.create_all(engine)
    engine.dispose()
    rng = np.random.default_rng(0)
    shas = []
    for i in range(BLOBS):
        buffer = io.BytesIO()
        np.save(buffer, (rng.random(CASES) < 0.3 + 0.6 * i / BLOBS).astype(np.float64), allow_pickle=False)
        shas.append(store.put_bytes(buffer.getvalue()))
    now = datetime.now(UTC)
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO challenge (slug, title, summary, text, team_size_max, is_published, bundle_sha256,"
            " created_at, updated_at) VALUES ('bench', '{\"en\": \"Bench\"}', '{}', '{}', 3, true, '', %s, %s)"
            " RETURNING id",
            (now, now),
        )
        challenge_id = cur.fetchone()[0]  # type: ignore[index]
        cur.execute(
            "INSERT INTO track (challenge_id, slug, kind, title, scorer, scorer_options, scoring_program_sha256,"
            " direction, id_column, target_columns, precision, max_upload_bytes, runner, position)"
            " VALUES (%s, 'main', 'result', '{\"en\": \"Main\"}', 'accuracy', '{}', '', 'max', 'id', '[\"label\"]',"
            " 4, 1000000, '{}', 0) RETURNING id",
            (challenge_id,),
        )
        track_id = cur.fetchone()[0]  # type: ignore[index]
        cur.execute(
            "INSERT INTO phase (track_id, slug, title, opens_at, closes_at, daily_quota, public_fraction, split_seed,"
            " labels_sha256, labels_rows, inputs_sha256, hide_logs, count_participant_failures, use_ladder,"
            " final_selection_max, advancement, score_version, position, notes)"
            " VALUES (%s, 'one', '{\"en\": \"One\"}', %s, %s, 5, 0.5, 'seed', %s, %s, '', false, true, false,"
            " 2, '{}', 1, 0, '') RETURNING id",
            (track_id, now - timedelta(days=30), now - timedelta(hours=1), "0" * 64, 2 * CASES),
        )
        phase_id = cur.fetchone()[0]  # type: ignore[index]
        with cur.copy(
            "COPY team (id, challenge_id, name, invite_code, institution, status, status_reason,"
            " is_baseline, created_at) FROM STDIN"
        ) as copy:
            for t in range(1, teams + 1):
                copy.write_row((t, challenge_id, f"team {t}", f"code{t}", f"Univ {t % 97}", "active", "", False, now))
        team_of = rng.integers(1, teams + 1, submissions)
        team_of[:teams] = np.arange(1, teams + 1)
        skill = rng.random(teams + 1) * 0.5 + 0.3
        public = np.clip(skill[team_of] + rng.normal(0, 0.03, submissions), 0, 1).round(6)
        private = np.clip(skill[team_of] + rng.normal(0, 0.03, submissions), 0, 1).round(6)
        created = [now - timedelta(days=29, seconds=-int(s)) for s in np.sort(rng.integers(0, 28 * 86400, submissions))]
        with cur.copy(
            "COPY submission (id, phase_id, team_id, kind, status, file_sha256, file_name, file_size,"
            " description, created_at, error_message, counts_toward_quota, attempts, job_id, log_sha256,"
            " run_info, is_baseline, is_hidden, hidden_reason, is_selected) FROM STDIN"
        ) as copy:
            for i in range(submissions):
                copy.write_row(
                    (
                        i + 1,
                        phase_id,
                        int(team_of[i]),
                        "result",
                        "scored",
                        "f" * 64,
                        "s.csv",
                        10,
                        "",
                        created[i],
                        "",
                        True,
                        1,
                        "",
                        "",
                        "{}",
                        False,
                        False,
                        "",
                        False,
                    )
                )
        with cur.copy(
            'COPY score (submission_id, phase_id, team_id, split, version, "primary", metrics, cases,'
            " per_case_sha256, scorer_name, scorer_version, scorer_options, labels_sha256,"
            " submission_sha256, image_digest, created_at) FROM STDIN"
        ) as copy:
            for i in range(submissions):
                for split, values in (("public", public), ("private", private)):
                    copy.write_row(
                        (
                            i + 1,
                            phase_id,
                            int(team_of[i]),
                            split,
                            1,
                            float(values[i]),
                            "{}",
                            CASES,
                            shas[i % BLOBS],
                            "accuracy",
                            "1",
                            "{}",
                            "0" * 64,
                            "f" * 64,
                            "",
                            created[i],
                        )
                    )
        for table in ("team", "submission"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
    # Vacuum now, so that autovacuum does not compete with the measurements for the freshly loaded rows.
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return int(phase_id)


APP_SOURCE = """
import json, os
from pathlib import Path
from flask import request
from arena.enums import Split
from arena.boards.ranking import leaderboard
from arena.models import Phase
from arena.settings import Settings
from web import create_app
from web.extensions import db

settings = Settings.from_env({}, database_url=os.environ["BENCH_DATABASE_URL"], data_dir=Path(os.environ["BENCH_DATA"]),
                             secret_key="bench", redis_url="redis://127.0.0.1:1/0")
app = create_app(settings)

@app.get("/bench/scratch/<int:phase_id>")
def scratch(phase_id):
    phase = db.session.get(Phase, phase_id)
    split = Split(request.args.get("split", "public"))
    rows = leaderboard(db.session(), phase, split)[:50]
    return {"rows": [r.to_dict(phase.track.precision) for r in rows]}
"""


def serve(url: str, data: Path, port: int, threads: int) -> subprocess.Popen[bytes]:
    """Start the app (plus the from-scratch endpoint) under granian on 127.0.0.1, as ``arena serve`` does."""
    (data / "bench_app.py").write_text(APP_SOURCE, encoding="utf-8")
    env = dict(os.environ, BENCH_DATABASE_URL=url, BENCH_DATA=str(data), PYTHONPATH=f"{REPO}:{data}")
    granian = str(Path(sys.executable).with_name("granian"))
    process = subprocess.Popen(  # noqa: S603
        [
            granian,
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(os.cpu_count() or 2),
            "--blocking-threads",
            str(threads),
            "--runtime-threads",
            "1",
            "--log-level",
            "warning",
            "bench_app:app",
        ],
        env=env,
        cwd=str(data),
    )
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/challenges")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def wrk_latency(port: int, path: str, clients: int, seconds: int) -> tuple[float, float, int] | None:
    """Load ``path`` with wrk for ``seconds``; return (median ms, p99 ms, requests), or None without wrk."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    out = subprocess.run(  # noqa: S603
        [
            wrk,
            "-t2",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "60s",
            "--latency",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: dict[str, float] = {}
    for pct, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE):
        found[pct] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    requests = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        print(f"  {bad.group(1)} error responses")
    return found["50"], found["99"], int(requests.group(1)) if requests else 0


def hammer(port: int, path: str, clients: int, per_client: int) -> list[float]:
    """Run ``clients`` keep-alive client threads, each making ``per_client`` GETs; return latencies (ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for _ in range(per_client):
            start = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            mine.append((time.perf_counter() - start) * 1000)
            if response.status != 200:
                errors.append(f"{response.status} {body[:200]!r}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print(f"  {len(errors)} errors, e.g. {errors[0]}")
    return latencies


def add_score(session: Session, phase_id: int, team_id: int, value: float, sha: str) -> Submission:
    """Insert one scored submission with equal public and private scores, and commit it."""
    sub = Submission(phase_id=phase_id, team_id=team_id, kind="result", status="scored", file_sha256="e" * 64)
    session.add(sub)
    session.flush()
    for split in (Split.PUBLIC, Split.PRIVATE):
        session.add(
            Score(
                submission_id=sub.id,
                phase_id=phase_id,
                team_id=team_id,
                split=split,
                version=1,
                primary=value,
                metrics={},
                cases=CASES,
                per_case_sha256=sha,
                scorer_name="accuracy",
                scorer_version="1",
                labels_sha256="0" * 64,
                submission_sha256="e" * 64,
            )
        )
    session.commit()
    return sub


def first_page_ids(port: int, phase_id: int) -> list[int]:
    """Return the submission ids on the first page of the public board, as the API serves it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", f"/api/v1/phases/{phase_id}/leaderboard?split=public&page=1&per_page=50")
    rows = json.loads(conn.getresponse().read())["rows"]
    conn.close()
    return [int(row["submission_id"]) for row in rows]


def update_timings(url: str, store: BlobStore, phase_id: int, port: int, repeats: int) -> dict[str, list[float]]:
    """Time bringing the boards up to date after one new score, and a full rebuild for comparison.

    ``write`` is the scoring transaction's board work (``record_score`` and its commit); ``visible`` runs
    from the start of that work until the API, in another process, serves the new row on its first page;
    ``statistics`` is the follow-up step that recomputes the private board's top-row statistics.
    """
    engine = make_engine(url)
    factory = make_session_factory(engine)
    rng = random.Random(1)
    timings: dict[str, list[float]] = {"write": [], "visible": [], "statistics": [], "rebuild": []}
    with factory() as session:
        phase = session.get(Phase, phase_id)
        assert phase is not None
        sha = session.scalar(select(Score.per_case_sha256).limit(1)) or ""
        teams = int(session.scalar(select(func.max(Submission.team_id))) or 1)
        for i in range(repeats):
            # Every other score reaches the first page, so the API must show it there.
            value = 0.99 - i * 1e-5 if i % 2 == 0 else rng.random() * 0.5 + 0.3
            sub = add_score(session, phase_id, rng.randint(1, teams), value, sha)
            start = time.perf_counter()
            standings.record_score(session, store, sub)
            session.commit()
            timings["write"].append((time.perf_counter() - start) * 1000)
            if i % 2 == 0:
                while sub.id not in first_page_ids(port, phase_id):
                    pass
                timings["visible"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            events.scores_committed(session, store, phase)
            timings["statistics"].append((time.perf_counter() - start) * 1000)
        for _ in range(3):
            start = time.perf_counter()
            standings.build_board(session, store, phase, Board.PUBLIC)
            session.commit()
            timings["rebuild"].append((time.perf_counter() - start) * 1000)
        assert [r.team_id for r in leaderboard(session, phase, Split.PUBLIC)[:50]] == [
            r.team_id for r in boardpages.board_page(session, store, phase, Board.PUBLIC).rows
        ]
    engine.dispose()
    return timings


def churn(url: str, phase_id: int, store: BlobStore, per_second: float, stop: threading.Event) -> int:
    """Record new scores at ``per_second`` until ``stop`` is set; return how many."""
    engine = make_engine(url)
    rng = random.Random(2)
    count = 0
    with make_session_factory(engine)() as session:
        phase = session.get(Phase, phase_id)
        assert phase is not None
        sha = session.scalar(select(Score.per_case_sha256).limit(1)) or ""
        teams = int(session.scalar(select(func.max(Submission.team_id))) or 1)
        while not stop.wait(1.0 / per_second):
            sub = add_score(session, phase_id, rng.randint(1, teams), rng.random() * 0.7 + 0.3, sha)
            standings.record_score(session, store, sub)
            session.commit()
            events.scores_committed(session, store, phase)
            count += 1
    engine.dispose()
    return count


def latency(port: int, path: str, clients: int, seconds: int, requests: int) -> tuple[float, float, int]:
    """Return (median ms, p99 ms, requests) of ``path`` under ``clients`` keep-alive clients."""
    measured = wrk_latency(port, path, clients, seconds)
    if measured is not None:
        return measured
    values = hammer(port, path, clients, requests)
    return statistics.median(values), percentile(values, 99), len(values)


def report(name: str, values: list[float]) -> tuple[float, float]:
    """Print and return the median and p99 of ``values`` (ms)."""
    median, p99 = statistics.median(values), percentile(values, 99)
    print(f"  {name:<52} n={len(values):>5}  median {median:8.2f} ms  p99 {p99:8.2f} ms")
    return median, p99


def show(name: str, measured: tuple[float, float, int]) -> tuple[float, float]:
    """Print and return the median and p99 of a load run."""
    median, p99, count = measured
    print(f"  {name:<52} n={count:>5}  median {median:8.2f} ms  p99 {p99:8.2f} ms")
    return median, p99


def ensure_database(url: str) -> None:
    """Create the benchmark database if it does not exist."""
    target = make_url(url)
    admin = target.set(database="postgres", drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{target.database}"')


def main() -> None:
    """Run the benchmark and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 teams and 50,000 submissions")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--requests", type=int, default=40, help="requests per client without wrk")
    parser.add_argument("--scratch-requests", type=int, default=5, help="requests per split computed from scratch")
    parser.add_argument("--churn", type=float, default=2.0, help="new scores per second in the run with writes")
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--threads", type=int, default=2, help="request threads per server process (as arena serve)")
    args = parser.parse_args()
    teams, submissions = (1_000, 50_000) if args.quick else (10_000, 1_000_000)
    ensure_database(args.database_url)
    data = Path(tempfile.mkdtemp(prefix="arena-bench-"))
    store = BlobStore(data)
    start = time.perf_counter()
    phase_id = load(args.database_url, store, teams, submissions)
    print(f"loaded {teams} teams, {submissions} scored submissions in {time.perf_counter() - start:.1f} s")
    engine = make_engine(args.database_url)
    with make_session_factory(engine)() as session:
        phase = session.get(Phase, phase_id)
        assert phase is not None
        start = time.perf_counter()
        standings.rebuild_phases(session, store, [phase])
        session.commit()
    engine.dispose()
    print(
        f"materialized the boards (with top-{boardstats.STATISTICS_TOP} statistics) in "
        f"{time.perf_counter() - start:.1f} s"
    )
    client = "wrk" if shutil.which("wrk") else "Python threads (install wrk for a load generator that adds no latency)"
    server = serve(args.database_url, data, args.port, args.threads)
    try:
        print(f"API latency, {args.clients} concurrent keep-alive clients ({client}), first page of 50 rows:")
        results = {}
        for split in ("public", "private"):
            path = f"/api/v1/phases/{phase_id}/leaderboard?split={split}&page=1&per_page=50"
            hammer(args.port, path, 4, 3)  # warm up
            results[("materialized", split)] = show(
                f"materialized {split}", latency(args.port, path, args.clients, args.seconds, args.requests)
            )
        stop = threading.Event()
        written: list[int] = []
        writer = threading.Thread(
            target=lambda: written.append(churn(args.database_url, phase_id, store, args.churn, stop))
        )
        writer.start()
        try:
            path = f"/api/v1/phases/{phase_id}/leaderboard?split=public&page=1&per_page=50"
            show(
                f"materialized public, {args.churn:g} new scores/s",
                latency(args.port, path, args.clients, args.seconds, args.requests),
            )
        finally:
            stop.set()
            writer.join()
        print(f"    ({written[0] if written else 0} scores recorded during that run)")
        print(
            f"one client at a time, against computing the board from scratch per request "
            f"({args.scratch_requests} requests per split):"
        )
        for split in ("public", "private"):
            path = f"/api/v1/phases/{phase_id}/leaderboard?split={split}&page=1&per_page=50"
            fast = report(f"materialized {split}, one client", hammer(args.port, path, 1, 200))
            path = f"/bench/scratch/{phase_id}?split={split}"
            slow = report(f"from scratch {split}, one client", hammer(args.port, path, 1, args.scratch_requests))
            print(
                f"  {split}: from scratch / materialized = {slow[0] / fast[0]:.0f}x (median), "
                f"{slow[1] / fast[1]:.0f}x (p99); under {args.clients} clients the materialized p99 is "
                f"{results[('materialized', split)][1]:.1f} ms"
            )
        print("bringing the boards up to date after one new score:")
        timings = update_timings(args.database_url, store, phase_id, args.port, 40)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    update = report("score write: record_score + commit (all boards)", timings["write"])
    report("until the API serves the new row (other process)", timings["visible"])
    report(f"private statistics follow-up, top {boardstats.STATISTICS_TOP}", timings["statistics"])
    rebuild = report("full rebuild of the public board", timings["rebuild"])
    print(f"  full rebuild / score write = {rebuild[0] / update[0]:.1f}x (median)")
    print(json.dumps({"teams": teams, "submissions": submissions}))


if __name__ == "__main__":
    main()
