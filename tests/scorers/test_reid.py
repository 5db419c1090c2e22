"""The re-ID scorer: gallery option, ranked lists from files, CMC/mAP semantics."""

import pytest

from scorers import PredictionFileError, ScorerConfigError, get_scorer, read_key

GALLERY = "gallery_id,identity,station\ng1,A,s1\ng2,A,s2\ng3,B,s1\ng4,C,s2\ng5,B,s2\n"
KEY = read_key(
    b"query,identity,station,animal\nq1,A,s1,A\nq2,B,s2,B\nq3,D,s1,D\n", id_column="query", target_columns=["identity"]
)
KWARGS = {"id_column": "query", "target_columns": ["identity"], "max_bytes": 10_000}


def _score(body: str, **options: object):  # type: ignore[no-untyped-def]
    scorer = get_scorer("reid_cmc_map", {"gallery": GALLERY, **options})
    return scorer.score(KEY, scorer.read_predictions(("query,ranking\n" + body).encode(), KEY, **KWARGS))


def test_scores_ranked_lists_with_exclusion_and_skipping() -> None:
    result = _score("q1,g1 g3 g2\nq2,g3 g1\nq3,g4\n", cluster_column="animal")
    # q1: g1 excluded (same id and station) -> g3, g2: AP 1/2; q2: g5 is excluded, g3 first: AP 1; q3 skipped.
    assert result.metrics["mAP"] == pytest.approx(0.75)
    assert result.metrics["cmc@1"] == 0.5 and result.metrics["cmc@5"] == 1.0
    assert result.metrics["valid_queries"] == 2
    assert result.per_case == (0.5, 1.0)
    assert result.clusters == ("A", "B")


def test_empty_lists_gain_nothing_from_order() -> None:
    result = _score("q1,\nq2,\nq3,\n")
    # all items tie, so each query's only match ranks last among its 4 kept items
    assert result.metrics["cmc@1"] == 0.0
    assert result.metrics["mAP"] == pytest.approx(1 / 4)


def test_primary_option() -> None:
    assert _score("q1,g2\nq2,g3\nq3,\n", primary="cmc@1").primary == 1.0
    with pytest.raises(ScorerConfigError, match="primary"):
        get_scorer("reid_cmc_map", {"gallery": GALLERY, "primary": "rank1"})


def test_bad_rankings() -> None:
    with pytest.raises(PredictionFileError, match="unknown gallery id"):
        _score("q1,g1 nope\nq2,\nq3,\n")
    with pytest.raises(PredictionFileError, match="more than once"):
        _score("q1,g2 g2\nq2,\nq3,\n")


def test_gallery_is_required_and_checked() -> None:
    with pytest.raises(ScorerConfigError, match="gallery"):
        get_scorer("reid_cmc_map")
    with pytest.raises(ScorerConfigError, match="station"):
        get_scorer("reid_cmc_map", {"gallery": "gallery_id,identity\ng1,A\n"})
