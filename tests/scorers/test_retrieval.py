"""Vectorised CMC/mAP against a plain per-query reading of the torchreid definition."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorers.retrieval import cmc_map, retrieval_stats


def reference(dist, q_ids, g_ids, q_st, g_st, max_rank):  # type: ignore[no-untyped-def]
    """One query at a time: drop same id+station, sort (ties: non-matches first), skip no-match."""
    cmcs, aps = [], []
    for i in range(dist.shape[0]):
        keep = ~((g_ids == q_ids[i]) & (g_st == q_st[i]))
        match = (g_ids[keep] == q_ids[i]).astype(int)
        if match.sum() == 0:
            continue
        order = np.lexsort((match, dist[i][keep]))
        hits = match[order]
        cmc = (np.cumsum(hits) >= 1).astype(float)
        cmc = np.concatenate([cmc, np.full(max(0, max_rank - len(cmc)), cmc[-1])])[:max_rank]
        cmcs.append(cmc)
        positions = np.flatnonzero(hits) + 1
        aps.append(np.mean(np.arange(1, len(positions) + 1) / positions))
    return np.mean(cmcs, axis=0), float(np.mean(aps))


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_matches_reference_on_tie_free_input(data: st.DataObject) -> None:
    n_q, n_g = data.draw(st.integers(1, 12)), data.draw(st.integers(1, 40))
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    dist = rng.permutation(n_q * n_g).reshape(n_q, n_g).astype(np.float64) / 7.0
    q_ids, g_ids = rng.integers(0, 4, n_q), rng.integers(0, 4, n_g)
    q_st, g_st = rng.integers(0, 2, n_q), rng.integers(0, 2, n_g)
    stats = retrieval_stats(dist, q_ids, g_ids, q_st, g_st, chunk_bytes=data.draw(st.integers(1, 4000)))
    if not stats.valid.any():
        with pytest.raises(ValueError, match="no query"):
            cmc_map(dist, q_ids, g_ids, q_st, g_st, max_rank=10)
        return
    cmc, mean_ap = cmc_map(dist, q_ids, g_ids, q_st, g_st, max_rank=10)
    ref_cmc, ref_map = reference(dist, q_ids, g_ids, q_st, g_st, 10)
    assert cmc == pytest.approx(ref_cmc)
    assert mean_ap == pytest.approx(ref_map)
    float32 = cmc_map(dist.astype(np.float32), q_ids, g_ids, q_st, g_st, max_rank=10)
    assert float32[1] == pytest.approx(ref_map)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_matches_reference_with_many_exact_ties(data: st.DataObject) -> None:
    n_q, n_g = data.draw(st.integers(1, 10)), data.draw(st.integers(1, 30))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    dist = rng.choice(np.array([-1.0, -0.0, 0.0, 0.25, 0.5, 2.0]), size=(n_q, n_g))  # ties everywhere
    q_ids, g_ids = rng.integers(0, 3, n_q), rng.integers(0, 3, n_g)
    q_st, g_st = rng.integers(0, 2, n_q), rng.integers(0, 2, n_g)
    stats = retrieval_stats(dist, q_ids, g_ids, q_st, g_st, chunk_bytes=data.draw(st.integers(1, 4000)))
    if not stats.valid.any():
        return
    cmc, mean_ap = cmc_map(dist, q_ids, g_ids, q_st, g_st, max_rank=10)
    ref_cmc, ref_map = reference(dist + 0.0, q_ids, g_ids, q_st, g_st, 10)
    assert cmc == pytest.approx(ref_cmc)
    assert mean_ap == pytest.approx(ref_map)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_distances_one_unit_in_the_last_place_apart_are_tied(data: st.DataObject) -> None:
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    bases = np.array([-1.0, 0.0, 0.25, 2.0], dtype=dtype)
    # Each base's partner differs only in the lowest bit of its order-preserving key.
    partners = np.where(bases < 0, np.nextafter(bases, -np.inf), np.nextafter(bases, np.inf)).astype(dtype)
    n_q, n_g = data.draw(st.integers(1, 8)), data.draw(st.integers(1, 25))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    classes = rng.integers(0, len(bases), size=(n_q, n_g))
    dist = np.where(rng.random((n_q, n_g)) < 0.5, bases[classes], partners[classes])
    q_ids, g_ids = rng.integers(0, 3, n_q), rng.integers(0, 3, n_g)
    q_st, g_st = rng.integers(0, 2, n_q), rng.integers(0, 2, n_g)
    if not retrieval_stats(dist, q_ids, g_ids, q_st, g_st).valid.any():
        return
    cmc, mean_ap = cmc_map(dist, q_ids, g_ids, q_st, g_st, max_rank=10)
    ref_cmc, ref_map = reference(bases[classes].astype(np.float64), q_ids, g_ids, q_st, g_st, 10)
    assert cmc == pytest.approx(ref_cmc)
    assert mean_ap == pytest.approx(ref_map)


def test_constant_distances_gain_nothing() -> None:
    gallery = np.array(["a", "b", "c", "d", "e"])
    dist = np.zeros((5, 5))
    stats = retrieval_stats(dist, gallery, gallery, ["q"] * 5, ["g"] * 5)
    assert stats.first_rank.tolist() == [5, 5, 5, 5, 5]
    cmc, mean_ap = cmc_map(dist, gallery, gallery, ["q"] * 5, ["g"] * 5, max_rank=10)
    assert cmc[:4].tolist() == [0, 0, 0, 0] and cmc[4] == 1.0
    assert mean_ap == pytest.approx(0.2)


def test_ties_with_matches_rank_matches_last_within_the_tie() -> None:
    dist = np.array([[0.5, 0.1, 0.5, 0.5]])
    stats = retrieval_stats(dist, ["a"], ["a", "x", "y", "a"], [0], [1, 1, 1, 1])
    # ranks: x(1), then the 0.5 tie: y(2), a(3), a(4)
    assert stats.first_rank.tolist() == [3]
    assert stats.ap[0] == pytest.approx((1 / 3 + 2 / 4) / 2)


def test_exclusion_skip_and_small_gallery_padding() -> None:
    dist = np.array([[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]])
    # query 0: its only same-id item shares its station -> skipped; query 1 matches at rank 2 of 3.
    cmc, mean_ap = cmc_map(dist, ["a", "b"], ["a", "b", "c"], [1, 1], [1, 2, 2], max_rank=10)
    assert cmc.tolist() == [0.0] + [1.0] * 9
    assert mean_ap == pytest.approx(0.5)


def test_rejects_non_finite_distances() -> None:
    with pytest.raises(ValueError, match="finite"):
        retrieval_stats(np.array([[np.nan, 1.0]]), ["a"], ["a", "b"], [0], [1, 1])
