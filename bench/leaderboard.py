"""Leaderboard benchmark on PostgreSQL: materialized boards vs computing the board on every request.

Loads 10,000 teams and 1,000,000 scored submissions (``--quick``: 1,000 / 50,000) with COPY, builds the
materialized boards, serves the app with gunicorn on 127.0.0.1 and measures, under 50 concurrent
keep-alive clients, the latency of the first page (50 rows) of the public and private board API; then the
same load against an endpoint that calls ``arena.leaderboards.leaderboard`` per request (the baseline, added
to the app only here). Finally it times bringing the boards up to date after one new score, against a full
rebuild. Prints medians, p99 and ratios; asserts nothing.

    python bench/leaderboard.py [--quick] [--database-url postgresql+psycopg://arena:arena@127.0.0.1:5432/arena_bench]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
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
from sqlalchemy import select, text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from arena import standings  # noqa: E402
from arena.db import Base, make_engine, make_session_factory  # noqa: E402
from arena.enums import Split  # noqa: E402
from arena.leaderboards import leaderboard  # noqa: E402
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
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
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
        cur.execute("ANALYZE")
    return int(phase_id)


APP_SOURCE = """
import json, os
from pathlib import Path
from flask import request
from arena.enums import Split
from arena.leaderboards import leaderboard
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


def serve(url: str, data: Path, port: int) -> subprocess.Popen[bytes]:
    """Start the app (plus the from-scratch endpoint) under gunicorn on 127.0.0.1."""
    (data / "bench_app.py").write_text(APP_SOURCE, encoding="utf-8")
    env = dict(os.environ, BENCH_DATABASE_URL=url, BENCH_DATA=str(data), PYTHONPATH=f"{REPO}:{data}")
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(  # noqa: S603
        [
            gunicorn,
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(os.cpu_count() or 2),
            "-k",
            "gthread",
            "--threads",
            "8",
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


def update_timings(url: str, store: BlobStore, phase_id: int, teams: int, repeats: int) -> dict[str, list[float]]:
    """Time bringing the boards up to date after one new score, and a full rebuild for comparison."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    rng = random.Random(1)
    timings: dict[str, list[float]] = {"update": [], "statistics": [], "rebuild": []}
    sha = ""
    with factory() as session:
        phase = session.get(Phase, phase_id)
        assert phase is not None
        sha = session.scalar(select(Score.per_case_sha256).limit(1)) or ""
        for _ in range(repeats):
            team_id = rng.randint(1, teams)
            value = rng.random() * 0.5 + 0.3
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
            start = time.perf_counter()
            standings.record_score(session, store, sub)
            session.commit()
            timings["update"].append((time.perf_counter() - start) * 1000)
        for _ in range(max(3, repeats // 10)):
            start = time.perf_counter()
            standings.refresh_statistics(session, store, phase)
            session.commit()
            timings["statistics"].append((time.perf_counter() - start) * 1000)
        for _ in range(3):
            start = time.perf_counter()
            standings.refresh_board(session, None, phase, standings.Board.PUBLIC)
            session.commit()
            timings["rebuild"].append((time.perf_counter() - start) * 1000)
        assert [r.team_id for r in leaderboard(session, phase, Split.PUBLIC)[:50]] == [
            r.team_id for r in standings.board_page(session, store, phase, standings.Board.PUBLIC).rows
        ]
    engine.dispose()
    return timings


def report(name: str, values: list[float]) -> tuple[float, float]:
    """Print and return the median and p99 of ``values`` (ms)."""
    median, p99 = statistics.median(values), percentile(values, 99)
    print(f"  {name:<44} n={len(values):>5}  median {median:8.2f} ms  p99 {p99:8.2f} ms")
    return median, p99


def main() -> None:
    """Run the benchmark and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 teams and 50,000 submissions")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="requests per client and endpoint")
    parser.add_argument("--port", type=int, default=18765)
    args = parser.parse_args()
    teams, submissions = (1_000, 50_000) if args.quick else (10_000, 1_000_000)
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
        standings.refresh_phase(session, store, phase)
        session.commit()
    engine.dispose()
    print(
        f"materialized the boards (with top-{standings.STATISTICS_TOP} statistics) in "
        f"{time.perf_counter() - start:.1f} s"
    )
    server = serve(args.database_url, data, args.port)
    try:
        print(f"API latency, {args.clients} concurrent clients x {args.requests} requests, first page of 50 rows:")
        results = {}
        for split in ("public", "private"):
            path = f"/api/v1/phases/{phase_id}/leaderboard?split={split}&page=1&per_page=50"
            hammer(args.port, path, 4, 3)  # warm up
            results[("materialized", split)] = report(
                f"materialized {split}", hammer(args.port, path, args.clients, args.requests)
            )
        baseline_requests = max(2, args.requests // 4)
        for split in ("public", "private"):
            path = f"/bench/scratch/{phase_id}?split={split}"
            results[("scratch", split)] = report(
                f"from scratch per request {split}", hammer(args.port, path, args.clients, baseline_requests)
            )
        for split in ("public", "private"):
            fast, slow = results[("materialized", split)], results[("scratch", split)]
            print(
                f"  {split}: from-scratch / materialized = {slow[0] / fast[0]:.1f}x (median), "
                f"{slow[1] / fast[1]:.1f}x (p99)"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print("bringing the boards up to date after one new score (in process):")
    timings = update_timings(args.database_url, store, phase_id, teams, 40)
    update = report("incremental update (all boards)", timings["update"])
    report(f"private statistics, top {standings.STATISTICS_TOP}, 1000 resamples", timings["statistics"])
    rebuild = report("full rebuild of the public board", timings["rebuild"])
    print(f"  full rebuild / incremental update = {rebuild[0] / update[0]:.1f}x (median)")
    print(json.dumps({"teams": teams, "submissions": submissions}))


if __name__ == "__main__":
    main()
