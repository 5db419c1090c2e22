"""A synthetic camera-trap survey: individuals with home ranges, capture events in bursts, rendered frames."""

from __future__ import annotations

import csv
import os
import signal
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from generator.scene import Look, Pose, render_frame


@dataclass(frozen=True)
class SurveyConfig:
    """Size and seed of a synthetic survey."""

    seed: int = 2026
    individuals: int = 64
    stations: int = 14
    events_per_individual: tuple[int, int] = (5, 14)
    frames_per_event: tuple[int, int] = (2, 5)
    start: datetime = datetime(2025, 10, 1)  # noqa: DTZ001 - camera clocks keep local time without a zone
    days: int = 300


@dataclass(frozen=True)
class Frame:
    """One planned image: who, where, when, and how it is rendered."""

    path: str
    individual: str
    station: str
    timestamp: datetime
    coat_seed: int
    build_seed: int
    station_seed: int
    shift: tuple[int, int]
    pose: Pose
    look: Look = field(repr=False)


def _seed(*parts: int) -> int:
    return int(np.random.SeedSequence(list(parts)).generate_state(1)[0])


def _look(rng: np.random.Generator, night: bool) -> Look:
    occluder = str(rng.choice(["none", "none", "none", "grass", "rock"]))
    return Look(
        night=night,
        gain=float(rng.uniform(0.75, 1.15) if night else rng.uniform(0.6, 1.25)),
        contrast=float(rng.uniform(0.75, 1.15)),
        cast=tuple(float(c) for c in rng.uniform(0.92, 1.08, 3)),  # type: ignore[arg-type]
        occluder=occluder,
        occluder_seed=int(rng.integers(2**31)),
        blur=float(rng.uniform(0.0, 0.9)),
        motion=int(rng.choice([1, 1, 1, 2, 3])),
        noise=float(rng.uniform(5, 11) if night else rng.uniform(1.5, 5)),
        quality=int(rng.integers(72, 93)),
    )


def plan_survey(config: SurveyConfig) -> list[Frame]:
    """Plan every frame of the survey (no rendering); deterministic for a given config."""
    rng = np.random.default_rng(config.seed)
    station_seeds = [_seed(config.seed, 1, s) for s in range(config.stations)]
    frames: list[Frame] = []
    counters = [0] * config.stations
    for i in range(config.individuals):
        name = f"SL{i + 1:03d}"
        coat_seed = _seed(config.seed, 2, i)
        build_seed = int(rng.integers(8))
        home = rng.choice(config.stations, size=int(rng.integers(1, 4)), replace=False)
        # Capture effort is uneven: a few animals are photographed often, most only a handful of times.
        lo, hi = config.events_per_individual
        n_events = int(min(hi, lo + rng.geometric(1 / max(1.0, (hi - lo) / 2.0)) - 1))
        for _ in range(n_events):
            station = int(rng.choice(home))
            t0 = config.start + timedelta(seconds=float(rng.uniform(0, config.days * 86400)))
            night = t0.hour < 7 or t0.hour >= 19
            flank = str(rng.choice(["left", "right"]))
            facing = 1 if flank == "left" else -1
            scale = rng.uniform(0.42, 0.82)
            cx, cy = rng.uniform(30, 130), rng.uniform(45, 85)
            angle = rng.normal(0, 10) + (rng.choice([-1, 1]) * rng.uniform(20, 40) if rng.random() < 0.15 else 0)
            look = _look(rng, night)
            t = t0
            for _ in range(int(rng.integers(config.frames_per_event[0], config.frames_per_event[1] + 1))):
                pose = Pose(
                    flank=flank,
                    cx=float(cx),
                    cy=float(cy + rng.normal(0, 2)),
                    scale=float(scale * rng.uniform(0.95, 1.05)),
                    angle_deg=float(angle + rng.normal(0, 3)),
                    aspect=float(rng.uniform(0.9, 1.1)),
                    shear=float(rng.normal(0, 0.08)),
                )
                frame_look = Look(
                    **{
                        **look.__dict__,
                        "occluder_seed": int(rng.integers(2**31)),
                        "blur": float(np.clip(look.blur + rng.normal(0, 0.2), 0, 1.2)),
                    }
                )
                counters[station] += 1
                frames.append(
                    Frame(
                        path=f"S{station + 1:02d}/IMG_{counters[station]:05d}.JPG",
                        individual=name,
                        station=f"S{station + 1:02d}",
                        timestamp=t.replace(microsecond=0),
                        coat_seed=coat_seed,
                        build_seed=build_seed,
                        station_seed=station_seeds[station],
                        shift=(int(rng.integers(-3, 4)), int(rng.integers(-3, 4))),
                        pose=pose,
                        look=frame_look,
                    )
                )
                cx += facing * rng.uniform(4, 18)  # the animal walks on between frames
                t += timedelta(seconds=float(rng.uniform(1, 12)))
    # Station-local numbering in time order, as a camera would name its files.
    frames.sort(key=lambda f: (f.station, f.timestamp, f.individual))
    per_station: dict[str, int] = {}
    renamed = []
    for f in frames:
        per_station[f.station] = per_station.get(f.station, 0) + 1
        renamed.append(Frame(**{**f.__dict__, "path": f"{f.station}/IMG_{per_station[f.station]:05d}.JPG"}))
    return renamed


def _render_batch(args: tuple[list[Frame], str]) -> int:
    batch, out = args
    for f in batch:
        data = render_frame(f.coat_seed, f.build_seed, f.station_seed, f.shift, f.pose, f.look)
        target = Path(out) / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return len(batch)


def _default_signals() -> None:
    """Give a pool worker Python's default signal handling.

    A forked worker inherits the parent's handlers; a job queue's SIGTERM handler (rq installs one) would
    keep a worker alive when the pool terminates it, and the parent would wait for it forever.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def generate_survey(config: SurveyConfig, out: Path, workers: int | None = None) -> Path:
    """Render the survey's images under `out` and write `out/metadata.csv` (image,individual,station,timestamp)."""
    frames = plan_survey(config)
    out.mkdir(parents=True, exist_ok=True)
    batches: dict[str, list[Frame]] = {}
    for f in frames:  # one batch per individual, so each worker renders a coat only once
        batches.setdefault(f.individual, []).append(f)
    jobs = [(b, str(out)) for b in batches.values()]
    workers = workers or min(4, os.cpu_count() or 1)
    if workers > 1:
        pool = get_context("fork").Pool(workers, initializer=_default_signals)
        try:
            sum(pool.imap_unordered(_render_batch, jobs))
            pool.close()  # workers leave on their own once the queue is drained: no signal needed
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()
    else:
        for job in jobs:
            _render_batch(job)
    meta = out / "metadata.csv"
    with meta.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["image", "individual", "station", "timestamp"])
        for f in frames:
            writer.writerow([f.path, f.individual, f.station, f.timestamp.strftime("%Y-%m-%d %H:%M:%S")])
    return meta
