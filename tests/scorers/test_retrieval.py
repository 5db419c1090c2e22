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


INTEGER_BASES = {
    np.uint8: [0, 200],
    np.int16: [-32768, 0, 32700],
    np.int32: [-(2**31), 2**24, 2**31 - 30],
    np.uint32: [2**24, 2**32 - 30],
    np.int64: [-(2**63), 2**24, 2**53, 2**62 - 10, 2**63 - 30],
    np.uint64: [2**53, 2**63, 2**64 - 30],
}


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_integer_distances_are_ranked_exactly(data: st.DataObject) -> None:
    dtype = data.draw(st.sampled_from(list(INTEGER_BASES)))
    base = data.draw(st.sampled_from(INTEGER_BASES[dtype]))
    n_q, n_g = data.draw(st.integers(1, 8)), data.draw(st.integers(1, 25))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    # Neighbouring integers far from zero: float32 merges them from 2**24 on, float64 from 2**53 on.
    dist = (np.array(base, dtype=dtype) + rng.integers(0, 20, size=(n_q, n_g)).astype(dtype)).astype(dtype)
    q_ids, g_ids = rng.integers(0, 3, n_q), rng.integers(0, 3, n_g)
    q_st, g_st = rng.integers(0, 2, n_q), rng.integers(0, 2, n_g)
    stats = retrieval_stats(dist, q_ids, g_ids, q_st, g_st, chunk_bytes=data.draw(st.integers(1, 4000)))
    if not stats.valid.any():
        return
    ref_cmc, ref_map = reference(dist, q_ids, g_ids, q_st, g_st, 10)
    assert stats.cmc(10) == pytest.approx(ref_cmc)
    assert stats.mean_ap() == pytest.approx(ref_map)


@pytest.mark.parametrize(
    ("dtype", "near"), [(np.int32, 2**24), (np.uint32, 2**24), (np.int64, 2**53), (np.uint64, 2**64 - 2)]
)
def test_neighbouring_large_integers_are_not_tied(dtype: type[np.integer], near: int) -> None:
    dist = np.array([[near + 1, near]], dtype=dtype)  # the nearer one is the match
    cmc, mean_ap = cmc_map(dist, ["a"], ["b", "a"], [0], [1, 1], max_rank=10)
    assert mean_ap == 1.0 and cmc[0] == 1.0
