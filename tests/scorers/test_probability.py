"""Log-loss and ROC AUC against scikit-learn on random inputs."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from scorers import PredictionFileError, ScorerConfigError, get_scorer, read_key

CLASSES = ["cat", "dog", "eel"]


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_log_loss_matches_sklearn(data: st.DataObject) -> None:
    n = data.draw(st.integers(2, 40))
    truth = data.draw(st.lists(st.sampled_from(CLASSES), min_size=n, max_size=n))
    raw = np.array(data.draw(st.lists(st.floats(0.01, 1.0), min_size=3 * n, max_size=3 * n))).reshape(n, 3)
    probabilities = raw / raw.sum(axis=1, keepdims=True)
    index = pd.Index([str(i) for i in range(n)], name="id")
    key = pd.DataFrame({"label": truth}, index=index)
    predictions = pd.DataFrame(raw, columns=CLASSES, index=index)
    result = get_scorer("log_loss", {"labels": CLASSES, "label_column": "label"}).score(key, predictions)
    assert result.primary == pytest.approx(skm.log_loss(truth, probabilities, labels=CLASSES))
    onehot = pd.DataFrame({c: [str(int(t == c)) for t in truth] for c in CLASSES}, index=index)
    assert get_scorer("log_loss").score(onehot, predictions).primary == pytest.approx(result.primary)


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_roc_auc_matches_sklearn(data: st.DataObject) -> None:
    n = data.draw(st.integers(2, 40))
    truth = data.draw(st.lists(st.sampled_from(["0", "1"]), min_size=n, max_size=n).filter(lambda t: len(set(t)) == 2))
    scores = data.draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0, 2.5]), min_size=n, max_size=n))
    index = pd.Index([str(i) for i in range(n)], name="id")
    result = get_scorer("roc_auc").score(
        pd.DataFrame({"y": truth}, index=index), pd.DataFrame({"y": scores}, index=index)
    )
    expected = skm.roc_auc_score([int(t) for t in truth], scores)
    assert result.primary == pytest.approx(expected)
    assert np.mean(result.per_case) == pytest.approx(expected)


def test_roc_auc_positive_label_and_single_class() -> None:
    index = pd.Index(["1", "2", "3"], name="id")
    key = pd.DataFrame({"y": ["leopard", "other", "leopard"]}, index=index)
    predictions = pd.DataFrame({"y": [0.9, 0.1, 0.4]}, index=index)
    with pytest.raises(ScorerConfigError, match="positive_label"):
        get_scorer("roc_auc").score(key, predictions)
    assert get_scorer("roc_auc", {"positive_label": "leopard"}).score(key, predictions).primary == 1.0
    with pytest.raises(ScorerConfigError, match="two classes"):
        get_scorer("roc_auc").score(key.iloc[[0, 2]], predictions.iloc[[0, 2]])


def test_log_loss_file_checks_probability_range_and_zero_rows() -> None:
    key = read_key(b"id,cat,dog\n1,1,0\n2,0,1\n", id_column="id", target_columns=["cat", "dog"])
    scorer = get_scorer("log_loss")
    kwargs = {"id_column": "id", "target_columns": ["cat", "dog"], "max_bytes": 1000}
    with pytest.raises(PredictionFileError, match="between 0 and 1"):
        scorer.read_predictions(b"id,cat,dog\n1,1.5,0\n2,0,1\n", key, **kwargs)
    with pytest.raises(PredictionFileError, match="all 0"):
        scorer.read_predictions(b"id,cat,dog\n1,0,0\n2,0,1\n", key, **kwargs)
    predictions = scorer.read_predictions(b"id,cat,dog\n1,2e-1,0.2\n2,0,1\n", key, **kwargs)
    assert scorer.score(key, predictions).primary == pytest.approx((np.log(2) - np.log(1 - 1e-15)) / 2)
