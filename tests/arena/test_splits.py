"""The public/private split: exact size, stable under reordering, different per seed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from arena.boards.splits import public_mask


@given(st.integers(min_value=2, max_value=300), st.floats(min_value=0.01, max_value=0.99))
def test_split_has_the_declared_size(n: int, fraction: float) -> None:
    mask = public_mask([f"id{i}" for i in range(n)], "seed", fraction)
    assert 1 <= mask.sum() <= n - 1
    assert abs(mask.sum() - n * fraction) <= 1


def test_split_is_stable_and_seeded() -> None:
    ids = [f"img{i}" for i in range(100)]
    mask = public_mask(ids, "s1", 0.3)
    reordered = list(reversed(ids))
    back = dict(zip(reordered, public_mask(reordered, "s1", 0.3), strict=True))
    assert [back[i] for i in ids] == list(mask)
    assert list(public_mask(ids, "s2", 0.3)) != list(mask)
