"""Label metrics against scikit-learn on random inputs."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from scorers import get_scorer, read_key

labels = st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=60)


def _frames(truth: list[str], predicted: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"id{i}" for i in range(len(truth))]
    key = pd.DataFrame({"y": truth}, index=pd.Index(ids, name="id"))
    predictions = pd.DataFrame({"y": predicted}, index=pd.Index(ids, name="id"))
    return key, predictions


def _sklearn(name: str, truth: list[str], predicted: list[str]) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name == "accuracy":
            return float(skm.accuracy_score(truth, predicted))
        if name == "balanced_accuracy":
            return float(skm.balanced_accuracy_score(truth, predicted))
        return float(skm.f1_score(truth, predicted, average="macro", zero_division=0))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), name=st.sampled_from(["accuracy", "balanced_accuracy", "macro_f1"]))
def test_label_metrics_match_sklearn(data: st.DataObject, name: str) -> None:
    truth = data.draw(labels)
    predicted = data.draw(st.lists(st.sampled_from(["a", "b", "c", "e"]), min_size=len(truth), max_size=len(truth)))
    key, predictions = _frames(truth, predicted)
    result = get_scorer(name).score(key, predictions)
    assert result.primary == pytest.approx(_sklearn(name, truth, predicted))
    assert result.metrics[name] == result.primary
    assert np.mean(result.per_case) == pytest.approx(result.primary)
    assert len(result.per_case) == len(truth)


def test_accuracy_end_to_end_with_clusters() -> None:
    key = read_key(b"id,y,animal\n1,a,L1\n2,b,L1\n3,b,L2\n", id_column="id", target_columns=["y"])
    scorer = get_scorer("accuracy", {"cluster_column": "animal"})
    predictions = scorer.read_predictions(
        b"id,y\n3,b\n1,a\n2,a\n", key, id_column="id", target_columns=["y"], max_bytes=1000
    )
    result = scorer.score(key, predictions)
    assert result.primary == pytest.approx(2 / 3)
    assert result.per_case == (1.0, 0.0, 1.0)
    assert result.clusters == ("L1", "L1", "L2")
    split = scorer.score(key.loc[["2", "3"]], predictions.loc[["2", "3"]])
    assert split.per_case == (0.0, 1.0)


def test_formula_cells_are_plain_labels() -> None:
    key = read_key(b"id,y\n1,=cmd|' /C calc'!A0\n2,b\n", id_column="id", target_columns=["y"])
    scorer = get_scorer("accuracy")
    data = b"id,y\n1,=cmd|' /C calc'!A0\n2,=1+1\n"
    predictions = scorer.read_predictions(data, key, id_column="id", target_columns=["y"], max_bytes=1000)
    assert predictions["y"].tolist() == ["=cmd|' /C calc'!A0", "=1+1"]
    assert scorer.score(key, predictions).primary == 0.5
