"""Regression metrics against scikit-learn and exact arithmetic on random inputs."""

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from scorers import get_scorer

# No magnitudes whose squares underflow: there every implementation's sums of squares lose their meaning.
values = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-100)


def exact_r2(truth: list[float], predicted: list[float]) -> float:
    """R² in exact rational arithmetic; a constant truth gives 1 if every prediction is exact, else 0."""
    t, p = [Fraction(v) for v in truth], [Fraction(v) for v in predicted]
    mean = sum(t, Fraction(0)) / len(t)
    total = sum(((v - mean) ** 2 for v in t), Fraction(0))
    residual = sum(((b - a) ** 2 for a, b in zip(t, p, strict=True)), Fraction(0))
    if total == 0:
        return 1.0 if residual == 0 else 0.0
    return float(1 - residual / total)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), name=st.sampled_from(["rmse", "mae", "r2"]))
def test_regression_matches_sklearn(data: st.DataObject, name: str) -> None:
    truth = data.draw(st.lists(values, min_size=2, max_size=50))
    predicted = data.draw(st.lists(values, min_size=len(truth), max_size=len(truth)))
    index = pd.Index([str(i) for i in range(len(truth))], name="id")
    key = pd.DataFrame({"y": [repr(v) for v in truth]}, index=index)
    result = get_scorer(name).score(key, pd.DataFrame({"y": predicted}, index=index))
    expected = {
        "rmse": lambda: skm.root_mean_squared_error(truth, predicted),
        "mae": lambda: skm.mean_absolute_error(truth, predicted),
        # scikit-learn divides by the rounding noise of a constant truth whose mean is inexact (0.1, 0.1, 0.1)
        "r2": lambda: exact_r2(truth, predicted),
    }[name]()
    assert result.primary == pytest.approx(expected, rel=1e-9, abs=1e-9)
    if name == "r2" and len(set(truth)) > 1 and np.ptp(truth) > 1e-6:
        assert result.primary == pytest.approx(skm.r2_score(truth, predicted), rel=1e-9, abs=1e-9)
    if name == "r2" and len(set(truth)) == 1:
        return  # R² of a constant truth is 1 or 0 (scikit-learn's convention); per-case values cannot add up
    mean_case = np.mean(result.per_case)
    assert (np.sqrt(mean_case) if name == "rmse" else mean_case) == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_lower_is_better_flags() -> None:
    assert get_scorer("rmse").higher_is_better is False
    assert get_scorer("mae").higher_is_better is False
    assert get_scorer("r2").higher_is_better is True


@settings(max_examples=60, deadline=None)
@given(
    value=st.sampled_from([0.1, 0.7, 1 / 3, 2.2e-16, -1e300, 123456.789]) | values,
    n=st.integers(2, 40),
    offset=st.sampled_from([0.0, 0.1, -2.5, 1e-12]),
)
def test_constant_key_gives_one_if_perfect_else_zero(value: float, n: int, offset: float) -> None:
    index = pd.Index([str(i) for i in range(n)], name="id")
    key = pd.DataFrame({"y": [repr(value)] * n}, index=index)
    predictions = pd.DataFrame({"y": [value + offset] * n}, index=index)
    expected = 1.0 if value + offset == value else 0.0
    for name in ("r2", "rmse", "mae"):
        assert get_scorer(name).score(key, predictions).metrics["r2"] == expected, name
    assert get_scorer("r2").score(key, predictions).per_case == (expected,) * n


def test_constant_key_with_an_inexact_mean() -> None:
    index = pd.Index(["1", "2", "3"], name="id")
    key = pd.DataFrame({"y": ["0.1", "0.1", "0.1"]}, index=index)
    result = get_scorer("r2").score(key, pd.DataFrame({"y": [0.2, 0.2, 0.2]}, index=index))
    assert result.primary == 0.0 and result.per_case == (0.0, 0.0, 0.0)
    assert get_scorer("rmse").score(key, pd.DataFrame({"y": [0.1, 0.1, 0.1]}, index=index)).metrics["r2"] == 1.0
