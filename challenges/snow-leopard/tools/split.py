"""Group camera-trap images into bursts and split them into train and hidden query pools without leakage."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

NEW_INDIVIDUAL = "new_individual"
TRAIN = "train"


@dataclass(frozen=True)
class SplitConfig:
    """How to split: burst gap, share of individuals held out as new, share of later bursts used as queries."""

    seed: int = 7
    burst_gap_minutes: float = 30.0
    new_fraction: float = 0.15
    test_fraction: float = 0.4
    # Query pools: the (phase, track) hidden sets. Earlier pools get earlier bursts of each individual.
    pools: tuple[str, ...] = ("result_prelim", "code_prelim", "result_final", "code_final")
    phases: tuple[tuple[str, ...], ...] = (("result_prelim", "code_prelim"), ("result_final", "code_final"))


def assign_bursts(meta: pd.DataFrame, gap_minutes: float) -> pd.Series:
    """Burst number per row: same station and less than `gap_minutes` after the previous image of that station."""
    ts = pd.to_datetime(meta["timestamp"])
    order = np.lexsort((ts.to_numpy(), meta["station"].astype(str).to_numpy()))
    station = meta["station"].astype(str).to_numpy()[order]
    times = ts.to_numpy()[order]
    new = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        same_station = station[1:] == station[:-1]
        close = (times[1:] - times[:-1]) < np.timedelta64(int(gap_minutes * 60), "s")
        new[1:] = ~(same_station & close)
    bursts = np.empty(len(order), dtype=np.int64)
    bursts[order] = np.cumsum(new) - 1
    return pd.Series(bursts, index=meta.index, name="burst")


def split_survey(meta: pd.DataFrame, config: SplitConfig) -> pd.DataFrame:
    """Return `meta` with columns burst, split (train or a pool name) and label (identity or new_individual).

    Whole bursts move together, so near-duplicate frames never straddle train and queries. A seeded share of
    individuals is held out entirely (each assigned to one pool, so every pool has animals never seen in
    training); of every other individual the latest `test_fraction` of its bursts become queries, always
    keeping at least its first burst in train.
    """
    rng = np.random.default_rng(config.seed)
    df = meta.copy()
    df["burst"] = assign_bursts(df, config.burst_gap_minutes)
    df["_t"] = pd.to_datetime(df["timestamp"])
    individuals = sorted(df["individual"].astype(str).unique())
    n_new = int(round(config.new_fraction * len(individuals)))
    if config.new_fraction > 0:
        n_new = max(n_new, min(len(config.pools), len(individuals) // 3))
    held_out = [individuals[i] for i in rng.permutation(len(individuals))[:n_new]]
    new_pool = {ind: config.pools[i % len(config.pools)] for i, ind in enumerate(sorted(held_out))}

    burst_split: dict[int, str] = {}
    owner: dict[int, str] = {}
    start: dict[int, pd.Timestamp] = {}
    for burst, rows in df.groupby("burst", sort=True):
        members = rows["individual"].astype(str)
        hidden = sorted(set(members) & set(new_pool))
        if hidden:
            burst_split[int(burst)] = new_pool[hidden[0]]
        else:
            counts = members.value_counts()
            owner[int(burst)] = min(counts[counts == counts.max()].index)
        start[int(burst)] = rows["_t"].min()

    by_owner: dict[str, list[int]] = {}
    for burst, ind in owner.items():
        by_owner.setdefault(ind, []).append(burst)
    phase_count = len(config.phases)
    for ind in sorted(by_owner):
        bursts = sorted(by_owner[ind], key=lambda b: (start[b], b))
        n_test = min(int(np.floor(len(bursts) * config.test_fraction + rng.random())), len(bursts) - 1)
        cut = len(bursts) - n_test
        for b in bursts[:cut]:
            burst_split[b] = TRAIN
        queries = bursts[cut:]
        offset = int(rng.integers(1 << 16))
        for j, b in enumerate(queries):
            phase = config.phases[min(phase_count - 1, j * phase_count // max(1, len(queries)))]
            burst_split[b] = phase[(offset + j) % len(phase)]

    df["split"] = df["burst"].map(burst_split)
    known = set(df.loc[df["split"] == TRAIN, "individual"].astype(str))
    df["label"] = np.where(df["individual"].astype(str).isin(known), df["individual"].astype(str), NEW_INDIVIDUAL)
    df.loc[df["split"] == TRAIN, "label"] = df.loc[df["split"] == TRAIN, "individual"].astype(str)
    return df.drop(columns="_t")
