"""Registry, options and the JSON form of results."""

import json

import numpy as np
import pytest

import scorers
from scorers import ScorerConfigError, ScoreResult, get_scorer, read_key, scorer_names


def test_names_and_protocol() -> None:
    expected = {
        "accuracy",
        "balanced_accuracy",
        "macro_f1",
        "log_loss",
        "roc_auc",
        "rmse",
        "mae",
        "r2",
        "map_at_k",
        "open_set",
        "reid_cmc_map",
    }
    assert set(scorer_names()) == expected
    for name in expected - {"reid_cmc_map"}:
        scorer = get_scorer(name)
        assert isinstance(scorer, scorers.Scorer) and scorer.name == name and scorer.version


def test_unknown_scorer_and_bad_options() -> None:
    with pytest.raises(ScorerConfigError, match="known scorers: accuracy"):
        get_scorer("f2")
    with pytest.raises(ScorerConfigError, match="no option 'kk'"):
        get_scorer("map_at_k", {"kk": 3})
    with pytest.raises(ScorerConfigError, match="integer from 1 to 100"):
        get_scorer("map_at_k", {"k": 0})
    with pytest.raises(ScorerConfigError, match="list of strings"):
        get_scorer("log_loss", {"labels": "a,b"})


def test_result_to_dict_is_json_safe() -> None:
    result = ScoreResult(primary=float("nan"), metrics={"m": float("inf")}, per_case=(1.0,), clusters=("a",))
    assert json.loads(json.dumps(result.to_dict(), allow_nan=False)) == {
        "primary": None,
        "metrics": {"m": None},
        "per_case": [1.0],
        "clusters": ["a"],
    }
    with pytest.raises(ValueError, match="clusters"):
        ScoreResult(primary=1.0, metrics={}, per_case=(1.0, 2.0), clusters=("a",))


def test_read_key_errors_name_the_problem() -> None:
    with pytest.raises(ScorerConfigError, match="lacks column"):
        read_key(b"id,x\n1,2\n", id_column="id", target_columns=["y"])
    with pytest.raises(ScorerConfigError, match="repeats id"):
        read_key(b"id,y\n1,a\n1,b\n", id_column="id", target_columns=["y"])
    with pytest.raises(ScorerConfigError, match="empty value in target column"):
        read_key(b"id,y\n1,\n", id_column="id", target_columns=["y"])
    key = read_key(b"id,y,station\n007, a ,s1\n", id_column="id", target_columns=["y"])
    assert list(key.index) == ["007"] and key.loc["007", "y"] == "a" and key.loc["007", "station"] == "s1"


def test_cluster_column_must_exist() -> None:
    key = read_key(b"id,y\n1,a\n", id_column="id", target_columns=["y"])
    scorer = get_scorer("accuracy", {"cluster_column": "animal"})
    predictions = scorer.read_predictions(b"id,y\n1,a\n", key, id_column="id", target_columns=["y"], max_bytes=99)
    with pytest.raises(ScorerConfigError, match="cluster_column 'animal'"):
        scorer.score(key, predictions)


def test_numpy_option_values_are_read_and_quoted_as_plain_numbers() -> None:
    assert get_scorer("map_at_k", {"k": np.int64(3)}).k == 3  # type: ignore[attr-defined]
    assert get_scorer("log_loss", {"eps": np.float32(0.5) / 10}).eps == pytest.approx(0.05)  # type: ignore[attr-defined]
    for options, shown in (({"k": np.int64(500)}, "got 500."), ({"k": np.float64(2.5)}, "got 2.5.")):
        with pytest.raises(ScorerConfigError) as info:
            get_scorer("map_at_k", options)
        assert info.value.message.endswith(shown) and "np." not in info.value.message, info.value.message
    with pytest.raises(ScorerConfigError, match="got True"):
        get_scorer("map_at_k", {"k": np.bool_(True)})
