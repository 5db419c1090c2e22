"""Score the reference submissions through Arena itself and print the board table of the README.

Usage (from the repository root, in Arena's virtualenv, with a Docker engine and the runner image):

    python challenges/snow-leopard/tools/board_scores.py [--write] [--redis-url URL] [--keep DIR]

What it does, all in a throw-away data folder and SQLite database:

1. imports this bundle exactly as ``arena demo`` does (the build runs, every phase gets its ``split_seed``);
2. reads the public files back from Arena's storage as a participant downloads them, unpacks the starter kit
   and runs its baseline on the 初赛 queries the way the kit's README says (unzip the images next to the CSVs,
   ``python baseline/main.py --input DATA --output out``);
3. submits to the 初赛 result track: all ``new_individual``, a seeded random ranking and the baseline's
   predictions; to the 初赛 code track: the kit's ``baseline/`` folder zipped as the kit says, plus two tiny
   programs that write the all-new and the random ranking on the hidden queries;
4. drains the queue with a real rq worker (code runs in the Docker sandbox under the track's limits) and
   prints the public (A board) and private MAP@5 and top-1 that Arena stored.

``--write`` saves the numbers to ``baseline/expected_scores.json`` and regenerates the tables in README.md
from it; the integration test ``tests/integration/test_snow_leopard.py`` checks the board against that file.
A Redis server is started on a free local port unless ``--redis-url`` names one.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from redis import Redis
from sqlalchemy import select

from arena.accounts import users as accounts
from arena.challenges.bundles import import_bundle
from arena.db import make_engine, make_session_factory, utcnow
from arena.evaluation.queueing import enqueue_evaluation
from arena.evaluation.worker import run_worker
from arena.models import Challenge, Score, Submission
from arena.schema import upgrade
from arena.settings import Settings
from arena.storage import BlobStore
from arena.submissions import lifecycle as submissions
from arena.teams import membership as teams

BUNDLE_DIR = Path(__file__).resolve().parents[1]
EXPECTED = BUNDLE_DIR / "baseline" / "expected_scores.json"
README = BUNDLE_DIR / "README.md"
RANDOM_SEED = 0
NEW = "new_individual"
PASSWORD = "reference submissions only"  # noqa: S105 (a throw-away account in a temporary database)

# The reference submissions: (track, phase, key, how the README names it).
REFERENCES = (
    ("identify", "prelim", "all_new", "all `new_individual`"),
    ("identify", "prelim", "random", f"random (5 labels, seed {RANDOM_SEED})"),
    ("identify", "prelim", "baseline", "**baseline** (predictions made locally from the public files)"),
    ("identify-code", "prelim", "all_new", "all `new_individual` (code)"),
    ("identify-code", "prelim", "random", f"random (code, seed {RANDOM_SEED})"),
    ("identify-code", "prelim", "baseline", "**baseline** (the kit's `baseline/` zipped)"),
)
ZH_NAMES = {
    "all_new": "全部填 `new_individual`",
    "random": f"随机（5 个标签，种子 {RANDOM_SEED}）",
    "baseline": "**基线**",
}
TRACK_NAMES = {
    "identify": ("初赛 result track (`identify`)", "初赛结果赛道（`identify`）"),
    "identify-code": ("初赛 code track (`identify-code`)", "初赛代码赛道（`identify-code`）"),
}

REFERENCE_PROGRAM = """\
\"\"\"A reference code-track submission: {what} for every hidden query.\"\"\"
import os
import numpy as np
import pandas as pd

root, out = os.environ.get("ARENA_INPUT", "/data"), os.environ.get("ARENA_OUTPUT", "/output")
queries = pd.read_csv(os.path.join(root, "test.csv"), dtype=str)
known = sorted(pd.read_csv(os.path.join(root, "train.csv"), dtype=str)["individual"].unique())
{body}
pd.DataFrame({{"image_id": queries["image_id"], "predictions": rows}}).to_csv(
    os.path.join(out, "predictions.csv"), index=False
)
"""
PROGRAM_BODIES = {
    "all_new": ("new_individual", f'rows = ["{NEW}"] * len(queries)'),
    "random": (
        "five random labels",
        f"rng = np.random.default_rng({RANDOM_SEED})\n"
        f'rows = [" ".join(rng.choice([*known, "{NEW}"], size=5, replace=False)) for _ in range(len(queries))]',
    ),
}


def random_predictions(queries: pd.DataFrame, known: list[str], seed: int = RANDOM_SEED) -> pd.DataFrame:
    """Five distinct random labels (known individuals or new_individual) per query, seeded."""
    rng = np.random.default_rng(seed)
    rows = [" ".join(rng.choice([*known, NEW], size=5, replace=False)) for _ in range(len(queries))]
    return pd.DataFrame({"image_id": queries["image_id"], "predictions": rows})


def zip_folder(folder: Path) -> bytes:
    """Zip a folder's files with paths relative to it, like ``cd folder && zip -r ../submission.zip .``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def unpack_like_a_participant(public: dict[str, bytes], work: Path) -> tuple[Path, Path]:
    """Unpack the starter kit and the 初赛 data as the kit's README says; return (kit folder, data folder)."""
    kit = work / "starter_kit"
    with zipfile.ZipFile(io.BytesIO(public["starter_kit.zip"])) as archive:
        archive.extractall(kit)
    data = work / "data"
    data.mkdir()
    for name in ("train.csv", "test.csv"):
        (data / name).write_bytes(public[name])
    for name in ("train_images.zip", "test_images.zip"):
        with zipfile.ZipFile(io.BytesIO(public[name])) as archive:
            archive.extractall(data)
    return kit, data


def run_local_baseline(kit: Path, data: Path, out: Path) -> tuple[bytes, float]:
    """Run the kit's baseline on the public 初赛 queries (a copy, so the kit stays as shipped); time it."""
    code = out.parent / "baseline-run"
    shutil.copytree(kit / "baseline", code)
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (the bundle's own baseline)
        [sys.executable, str(code / "main.py"), "--input", str(data), "--output", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return (out / "predictions.csv").read_bytes(), time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def redis_server(url: str | None) -> Iterator[str]:
    """Yield ``url``, or the URL of a private redis-server started (and stopped) for this run."""
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed; pass --redis-url")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                Redis.from_url(f"redis://127.0.0.1:{port}/0").ping()
                break
            except Exception:  # noqa: BLE001 (not up yet)
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Measured:
    """What one run of the script measured besides the scores."""

    build_seconds: float
    local_baseline_seconds: float
    worker_seconds: float
    code_run_seconds: dict[str, float]


def score_through_arena(work: Path, redis_url: str) -> tuple[dict[str, Any], Measured]:
    """Import the bundle, submit the reference submissions, run the worker; return the stored scores."""
    settings = Settings(
        database_url=f"sqlite:///{work.absolute()}/arena.sqlite",
        redis_url=redis_url,
        data_dir=work / "arena-data",
        queue_name=f"board-scores-{uuid.uuid4().hex[:8]}",
        secret_key=uuid.uuid4().hex,
    )
    os.environ.update(settings.to_env())  # the rq jobs read their settings from the environment
    upgrade(settings.database_url)
    store = BlobStore(settings.data_dir)
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        started = time.perf_counter()
        report = import_bundle(session, store, BUNDLE_DIR)
        session.commit()
        build_seconds = time.perf_counter() - started
        challenge = session.get(Challenge, report.challenge_id)
        assert challenge is not None
        public = {Path(f.path).name: store.read_bytes(f.sha256) for f in challenge.files}
        kit, data = unpack_like_a_participant(public, work)
        code_zip = zip_folder(kit / "baseline")
        baseline_csv, local_seconds = run_local_baseline(kit, data, work / "out")
        queries = pd.read_csv(data / "test.csv", dtype=str)
        known = sorted(pd.read_csv(data / "train.csv", dtype=str)["individual"].unique())
        uploads: dict[tuple[str, str], tuple[str, bytes]] = {
            ("identify", "all_new"): (
                "all_new.csv",
                pd.DataFrame({"image_id": queries["image_id"], "predictions": NEW}).to_csv(index=False).encode(),
            ),
            ("identify", "random"): ("random.csv", random_predictions(queries, known).to_csv(index=False).encode()),
            ("identify", "baseline"): ("predictions.csv", baseline_csv),
            ("identify-code", "baseline"): ("submission.zip", code_zip),
        }
        for key, (what, body) in PROGRAM_BODIES.items():
            program = REFERENCE_PROGRAM.format(what=what, body=body)
            uploads[("identify-code", key)] = (f"{key}.zip", _zip_text({"main.py": program}))

        user = accounts.create_user(session, "reference", PASSWORD)
        team = teams.create_team(session, user, challenge, "Reference submissions")
        session.commit()
        phases = {(t.slug, p.slug): p for t in challenge.tracks for p in t.phases}
        ids: dict[tuple[str, str], int] = {}
        for track, phase_slug, key, _label in REFERENCES:
            phase = phases[(track, phase_slug)]
            # Inside the phase's window even when the script runs after the dates in challenge.yaml.
            when = min(max(utcnow(), phase.opens_at + timedelta(hours=1)), phase.closes_at - timedelta(hours=1))
            name, content = uploads[(track, key)]
            submission = submissions.submit(
                session, store, user=user, phase=phase, stream=io.BytesIO(content), filename=name, now=when
            )
            session.commit()
            submission.job_id = enqueue_evaluation(settings, submission)
            session.commit()
            ids[(track, key)] = submission.id
        started = time.perf_counter()
        run_worker(settings, burst=True, simple=True)
        worker_seconds = time.perf_counter() - started

        session.expire_all()
        rows = []
        code_seconds: dict[str, float] = {}
        for track, phase_slug, key, label in REFERENCES:
            done = session.get(Submission, ids[(track, key)])
            assert done is not None and team.id == done.team_id
            if done.status != "scored":
                raise SystemExit(f"{track}/{key} was not scored: {done.status} {done.error_message}")
            phase = phases[(track, phase_slug)]
            scores = session.scalars(
                select(Score).where(Score.submission_id == done.id, Score.version == phase.score_version)
            ).all()
            by_split = {s.split: s for s in scores}
            if "duration_seconds" in done.run_info:
                code_seconds[key] = float(done.run_info["duration_seconds"])
            rows.append(
                {
                    "track": track,
                    "phase": phase_slug,
                    "submission": key,
                    "label": label,
                    **{
                        split: {
                            "queries": by_split[split].cases,
                            "map@5": round(float(by_split[split].metrics["map@5"]), 4),
                            "top1": round(float(by_split[split].metrics["top1_accuracy"]), 4),
                        }
                        for split in ("public", "private")
                    },
                }
            )
    engine.dispose()
    result = {
        "about": "Scores Arena computed for the reference submissions; made by tools/board_scores.py --write.",
        "precision": 4,
        "split_seeds": {f"{t}/{p}": phases[(t, p)].split_seed for t, p in sorted({(r[0], r[1]) for r in REFERENCES})},
        "rows": rows,
    }
    return result, Measured(build_seconds, local_seconds, worker_seconds, code_seconds)


def _zip_text(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def markdown_table(result: dict[str, Any], lang: str = "en") -> str:
    """The README table for ``lang`` (en or zh), generated from the expected-scores data."""
    if lang == "zh":
        header = "| 榜单 | 提交 | A榜 MAP@5 | A榜 Top-1 | 私有榜 MAP@5 | 私有榜 Top-1 |"
    else:
        header = "| Board | Submission | public MAP@5 | public top-1 | private MAP@5 | private top-1 |"
    lines = [header, "|---|---|---|---|---|---|"]
    previous = None
    for row in result["rows"]:
        pub, priv = row["public"], row["private"]
        board = ""
        if row["track"] != previous:
            en, zh = TRACK_NAMES[row["track"]]
            if lang == "zh":
                board = f"{zh}：公开 {pub['queries']} / 私有 {priv['queries']} 张"
            else:
                board = f"{en}: {pub['queries']} public / {priv['queries']} private queries"
            previous = row["track"]
        name = row["label"] if lang == "en" else ZH_NAMES[row["submission"]]
        bold = row["submission"] == "baseline"
        cells = [pub["map@5"], pub["top1"], priv["map@5"], priv["top1"]]
        text = [f"**{v:.4f}**" if bold else f"{v:.4f}" for v in cells]
        lines.append(f"| {board} | {name} | " + " | ".join(text) + " |")
    return "\n".join(lines)


def update_readme(result: dict[str, Any], path: Path = README) -> None:
    """Replace the text between the board-scores markers of each language with the generated table."""
    text = path.read_text(encoding="utf-8")
    for lang in ("en", "zh"):
        start, end = f"<!-- board-scores:{lang}:start -->", f"<!-- board-scores:{lang}:end -->"
        found = re.search(re.escape(start) + r".*?" + re.escape(end), text, re.DOTALL)
        if found is None:
            raise SystemExit(f"README.md lacks the markers {start} … {end}")
        text = f"{text[: found.start()]}{start}\n{markdown_table(result, lang)}\n{end}{text[found.end() :]}"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="save expected_scores.json and update README.md")
    parser.add_argument("--redis-url", default=None, help="use this Redis instead of starting one")
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    began = datetime.now()
    with tempfile.TemporaryDirectory(prefix="snow-leopard-board-") as scratch, redis_server(args.redis_url) as url:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        result, measured = score_through_arena(work, url)
    print(markdown_table(result))
    print()
    print(
        f"bundle import (build included) {measured.build_seconds:.1f} s; local baseline "
        f"{measured.local_baseline_seconds:.1f} s; worker {measured.worker_seconds:.1f} s; code-track runs in the "
        "sandbox: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in measured.code_run_seconds.items())
        + f"; total {(datetime.now() - began).total_seconds():.0f} s"
    )
    if args.write:
        EXPECTED.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        update_readme(result)
        print(f"wrote {EXPECTED.relative_to(BUNDLE_DIR.parents[1])} and the tables in README.md")


if __name__ == "__main__":
    main()
