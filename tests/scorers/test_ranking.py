"""MAP@k: Kaggle first-hit semantics, hand-worked cases and limits."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorers import PredictionFileError, get_scorer, read_key

KWARGS = {"id_column": "Image", "target_columns": ["Id"], "max_bytes": 10_000}


def _score(truth: list[str], lists: list[str], **options: object) -> tuple[float, tuple[float, ...], dict[str, float]]:
    rows = "".join(f"i{n},{t}\n" for n, t in enumerate(truth)).encode()
    key = read_key(b"Image,Id\n" + rows, id_column="Image", target_columns=["Id"])
    scorer = get_scorer("map_at_k", options)
    body = "".join(f"i{n},{p}\n" for n, p in enumerate(lists)).encode()
    result = scorer.score(key, scorer.read_predictions(b"Image,Id\n" + body, key, **KWARGS))
    return result.primary, result.per_case, dict(result.metrics)


@pytest.mark.parametrize(
    ("truth", "ranked", "expected"),
    [
        ("A", "B B A", 1 / 3),
        ("2", "1 2 2", 1 / 2),
        ("1", "1 1 1 1 1", 1.0),
        ("A", "A", 1.0),
        ("A", "B C D E A", 1 / 5),
        ("A", "B C D E F", 0.0),
        ("A", "", 0.0),
        ("A", "  b   A\tc ", 0.5),
        ("new_individual", "new_individual A", 1.0),
    ],
)
def test_hand_worked_cases(truth: str, ranked: str, expected: float) -> None:
    primary, per_case, _ = _score([truth], [ranked])
    assert per_case == (pytest.approx(expected),)
    assert primary == pytest.approx(expected)


def test_metrics_names_and_all_new_baseline() -> None:
    truth = ["new_individual", "w1", "new_individual", "w2"]
    primary, _, metrics = _score(truth, ["new_individual"] * 4)
    assert primary == 0.5
    assert metrics["map@5"] == 0.5 and metrics["top1_accuracy"] == 0.5
    assert metrics["map@5_new_individual"] == 1.0 and metrics["map@5_known"] == 0.0


def test_k_option_and_too_many_predictions() -> None:
    primary, _, metrics = _score(["c"], ["a b c"], k=3)
    assert primary == pytest.approx(1 / 3) and "map@3" in metrics
    with pytest.raises(PredictionFileError, match=r"lists 4 predictions; at most 3") as info:
        _score(["c"], ["a b c d"], k=3)
    assert "i0" in info.value.message


def test_labels_are_case_sensitive_and_ids_are_stripped() -> None:
    key = read_key(b"Image,Id\n007,w_A\n", id_column="Image", target_columns=["Id"])
    scorer = get_scorer("map_at_k")
    predictions = scorer.read_predictions(b"Image,Id\n 007 ,w_a w_A\n", key, **KWARGS)
    assert list(predictions.index) == ["007"]
    assert scorer.score(key, predictions).primary == 0.5


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_matches_plain_first_hit_definition(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 20))
    alphabet = st.sampled_from(["a", "b", "c", "new_individual"])
    truth = data.draw(st.lists(alphabet, min_size=n, max_size=n))
    lists = data.draw(st.lists(st.lists(alphabet, max_size=5), min_size=n, max_size=n))
    primary, per_case, _ = _score(truth, [" ".join(p) for p in lists])
    expected = [1 / (p.index(t) + 1) if t in p else 0.0 for t, p in zip(truth, lists, strict=True)]
    assert per_case == pytest.approx(expected)
    assert primary == pytest.approx(sum(expected) / n)


def test_score_on_a_split_subset() -> None:
    truth, ranked = ["a", "b", "c"], ["a", "x b", "x"]
    rows = "".join(f"i{n},{t}\n" for n, t in enumerate(truth)).encode()
    key = read_key(b"Image,Id\n" + rows, id_column="Image", target_columns=["Id"])
    scorer = get_scorer("map_at_k")
    body = "".join(f"i{n},{p}\n" for n, p in enumerate(ranked)).encode()
    predictions = scorer.read_predictions(b"Image,Id\n" + body, key, **KWARGS)
    ids = pd.Index(["i2", "i1"])
    assert scorer.score(key.loc[ids], predictions.loc[ids]).per_case == (0.0, 0.5)
