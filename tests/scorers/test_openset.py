"""Open-set scoring: BAKS, BAUS, their geometric mean and the new-individual AUC."""

import math

import pytest

from scorers import get_scorer, read_key

KEY = read_key(
    b"id,identity,is_new\n1,A,0\n2,A,0\n3,B,0\n4,X,1\n5,X,1\n6,Y,1\n", id_column="id", target_columns=["identity"]
)
KWARGS = {"id_column": "id", "target_columns": ["identity"], "max_bytes": 10_000}


def _score(body: str, **options: object):  # type: ignore[no-untyped-def]
    scorer = get_scorer("open_set", options)
    header = "id,identity" + (",conf" if "confidence_column" in options else "") + "\n"
    return scorer.score(KEY, scorer.read_predictions((header + body).encode(), KEY, **KWARGS))


def test_hand_case() -> None:
    body = "1,A,0.9\n2,B,0.8\n3,B,0.7\n4,new_individual,0.1\n5,A,0.95\n6,new_individual,0.2\n"
    result = _score(body, confidence_column="conf")
    assert result.metrics["baks"] == pytest.approx(0.75)  # A: 1/2, B: 1
    assert result.metrics["baus"] == pytest.approx(0.75)  # X: 1/2, Y: 1
    assert result.primary == pytest.approx(0.75)
    assert result.metrics["new_auc"] == pytest.approx(6 / 9)
    assert sum(result.per_case) / 6 == pytest.approx(0.75)


def test_degenerate_strategies_score_zero() -> None:
    all_new = _score("".join(f"{i},new_individual\n" for i in range(1, 7)))
    assert all_new.metrics["baus"] == 1.0 and all_new.metrics["baks"] == 0.0 and all_new.primary == 0.0
    never_new = _score("1,A\n2,A\n3,B\n4,A\n5,A\n6,A\n")
    assert never_new.metrics["baks"] == 1.0 and never_new.primary == 0.0


def test_split_without_new_individuals_has_nan_baus_and_zero_primary() -> None:
    scorer = get_scorer("open_set")
    predictions = scorer.read_predictions(b"id,identity\n1,A\n2,A\n3,B\n4,A\n5,A\n6,A\n", KEY, **KWARGS)
    result = scorer.score(KEY.loc[["1", "3"]], predictions.loc[["1", "3"]])
    assert math.isnan(result.metrics["baus"]) and result.primary == 0.0
    assert result.to_dict()["metrics"]["baus"] is None
