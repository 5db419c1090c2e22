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


@settings(max_examples=60, deadline=None)
@given(data=st.data(), average=st.sampled_from(["macro", "weighted"]), n_classes=st.integers(2, 4))
def test_multiclass_roc_auc_matches_sklearn_one_vs_rest(data: st.DataObject, average: str, n_classes: int) -> None:
    classes = [*CLASSES, "fox"][:n_classes]
    n = data.draw(st.integers(n_classes, 40))
    truth = data.draw(
        st.lists(st.sampled_from(classes), min_size=n, max_size=n).filter(lambda t: set(t) == set(classes))
    )
    # Few distinct raw values, so that scores tie within and across classes.
    raw = np.array(
        data.draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.0]), min_size=n * n_classes, max_size=n * n_classes))
    )
    probabilities = raw.reshape(n, n_classes) / raw.reshape(n, n_classes).sum(axis=1, keepdims=True)
    index = pd.Index([str(i) for i in range(n)], name="id")
    predictions = pd.DataFrame(probabilities, columns=classes, index=index)
    if n_classes == 2:  # scikit-learn reads two classes as binary; with p(cat) = 1 - p(dog) both AUCs agree
        expected = skm.roc_auc_score([t == classes[1] for t in truth], probabilities[:, 1])
    else:
        expected = skm.roc_auc_score(truth, probabilities, multi_class="ovr", average=average, labels=classes)
    by_label = get_scorer("roc_auc", {"average": average, "labels": classes, "label_column": "label"})
    result = by_label.score(pd.DataFrame({"label": truth}, index=index), predictions)
    assert result.primary == pytest.approx(expected) and result.metrics[f"roc_auc_{average}"] == result.primary
    assert np.mean(result.per_case) == pytest.approx(expected)
    onehot = pd.DataFrame({c: [str(int(t == c)) for t in truth] for c in classes}, index=index)
    assert get_scorer("roc_auc", {"average": average}).score(onehot, predictions).primary == pytest.approx(expected)
    # Scores need not be probabilities: each class's AUC depends only on the order within its column.
    unscaled = pd.DataFrame(raw.reshape(n, n_classes) * 7 - 3, columns=classes, index=index)
    per_class = [skm.roc_auc_score([t == c for t in truth], unscaled[c]) for c in classes]
    weights = [truth.count(c) / n for c in classes] if average == "weighted" else [1 / n_classes] * n_classes
    assert by_label.score(pd.DataFrame({"label": truth}, index=index), unscaled).primary == pytest.approx(
        float(np.dot(per_class, weights))
    )


MULTI_KEY = read_key(b"id,label\n1,cat\n2,dog\n3,eel\n4,cat\n5,dog\n6,eel\n", id_column="id", target_columns=["label"])
MULTI = {"average": "macro", "labels": CLASSES, "label_column": "label"}
MULTI_FILE = (
    b"id,cat,dog,eel\n1,0.8,0.1,0.1\n2,0.3,0.6,0.1\n3,0.2,0.2,0.6\n4,0.4,0.5,0.1\n5,0.1,0.8,0.1\n6,0.5,0.1,0.4\n"
)


def _read_multi(data: bytes, **options: object) -> pd.DataFrame:
    scorer = get_scorer("roc_auc", {**MULTI, **options})
    return scorer.read_predictions(data, MULTI_KEY, id_column="id", target_columns=["label"], max_bytes=10_000)


def test_multiclass_roc_auc_reads_one_score_column_per_class() -> None:
    predictions = _read_multi(MULTI_FILE)
    assert list(predictions.columns) == CLASSES
    result = get_scorer("roc_auc", MULTI).score(MULTI_KEY, predictions)
    expected = skm.roc_auc_score(MULTI_KEY["label"], predictions, multi_class="ovr", labels=CLASSES)
    assert result.primary == pytest.approx(expected)
    assert set(result.metrics) == {"roc_auc", "roc_auc_macro", "roc_auc_weighted"}
    with pytest.raises(PredictionFileError, match=r"missing column\(s\) 'eel'\. Expected header: id,cat,dog,eel"):
        _read_multi(b"id,cat,dog\n1,0.8,0.1\n")
    with pytest.raises(PredictionFileError, match=r"unexpected column\(s\) 'fox'"):
        _read_multi(MULTI_FILE.replace(b"eel\n", b"eel,fox\n"))
    with pytest.raises(PredictionFileError, match=r"'high' at row 2 \(id '2'\), column 'dog' is not a number"):
        _read_multi(MULTI_FILE.replace(b"0.3,0.6", b"0.3,high"))


def test_multiclass_roc_auc_leaves_classes_absent_from_a_split_out() -> None:
    predictions = _read_multi(MULTI_FILE)
    rows = MULTI_KEY["label"] != "eel"
    result = get_scorer("roc_auc", MULTI).score(MULTI_KEY[rows], predictions[rows])
    truth = MULTI_KEY["label"][rows]
    per_class = [skm.roc_auc_score(truth == c, predictions[rows][c]) for c in ("cat", "dog")]
    assert result.primary == pytest.approx(np.mean(per_class))
    assert result.metrics["roc_auc_weighted"] == pytest.approx(np.mean(per_class))  # equal support here
    with pytest.raises(ScorerConfigError, match="at least two classes in every scored split"):
        only_cats = (MULTI_KEY["label"] == "cat").to_numpy()
        get_scorer("roc_auc", MULTI).score(MULTI_KEY[only_cats], predictions[only_cats])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"average": "micro"}, "must be 'macro' or 'weighted'"),
        ({"average": 1}, "must be a non-empty string"),
        ({"labels": CLASSES}, "set option 'average'"),
        ({"label_column": "label"}, "set option 'average'"),
        ({"average": "macro", "positive_label": "cat"}, "cannot be combined with option 'average'"),
        ({"average": "macro", "labels": ["cat"]}, "at least two classes"),
        ({"average": "macro", "label_column": "label"}, "needs option 'labels'"),
        ({"average": "macro", "labels": ["cat", "cat"]}, "without repeated entries"),
    ],
)
def test_multiclass_roc_auc_options_are_checked(options: dict[str, object], message: str) -> None:
    with pytest.raises(ScorerConfigError, match=message):
        get_scorer("roc_auc", options)


def test_multiclass_roc_auc_key_problems_are_named() -> None:
    predictions = _read_multi(MULTI_FILE)
    other = MULTI_KEY.assign(label=["cat", "dog", "fox", "cat", "dog", "eel"])
    with pytest.raises(ScorerConfigError, match="holds labels that are not among the scorer's classes"):
        get_scorer("roc_auc", MULTI).score(other, predictions)
    with pytest.raises(ScorerConfigError, match="needs the key column 'cat'"):
        get_scorer("roc_auc", {"average": "weighted"}).score(MULTI_KEY, predictions)
    with pytest.raises(ScorerConfigError, match="one score column per class"):
        get_scorer("roc_auc", {"average": "macro"}).read_predictions(
            MULTI_FILE, MULTI_KEY, id_column="id", target_columns=["label"], max_bytes=10_000
        )
