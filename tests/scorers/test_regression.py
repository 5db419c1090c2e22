"""Regression metrics against scikit-learn on random inputs."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from scorers import get_scorer

values = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), name=st.sampled_from(["rmse", "mae", "r2"]))
def test_regression_matches_sklearn(data: st.DataObject, name: str) -> None:
    truth = data.draw(st.lists(values, min_size=2, max_size=50))
    predicted = data.draw(st.lists(values, min_size=len(truth), max_size=len(truth)))
    index = pd.Index([str(i) for i in range(len(truth))], name="id")
    key = pd.DataFrame({"y": [repr(v) for v in truth]}, index=index)
    result = get_scorer(name).score(key, pd.DataFrame({"y": predicted}, index=index))
    expected = {
        "rmse": skm.root_mean_squared_error(truth, predicted),
        "mae": skm.mean_absolute_error(truth, predicted),
        "r2": skm.r2_score(truth, predicted),
    }[name]
    assert result.primary == pytest.approx(expected, rel=1e-9, abs=1e-9)
    if name == "r2" and np.var(truth) == 0:
        return  # R² of a constant truth is 1 or 0 (scikit-learn's convention); per-case values cannot add up
    mean_case = np.mean(result.per_case)
    assert (np.sqrt(mean_case) if name == "rmse" else mean_case) == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_lower_is_better_flags() -> None:
    assert get_scorer("rmse").higher_is_better is False
    assert get_scorer("mae").higher_is_better is False
    assert get_scorer("r2").higher_is_better is True
