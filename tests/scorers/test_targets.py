"""Declared targets: what a predictions column may hold, checked on predictions and on the hidden key."""

from typing import Any

import pytest

from scorers import (
    PredictionFileError,
    ScorerConfigError,
    Target,
    check_key,
    check_predictions,
    derive_labels,
    get_scorer,
    read_key,
    scorer_names,
    targets_dict,
    targets_from_dict,
    track_targets,
)

DIGITS = list(range(10))
KEY_BYTES = ("id,label\n" + "".join(f"d{i},{i % 10}\n" for i in range(40))).encode()
KEY = read_key(KEY_BYTES, id_column="id", target_columns=["label"])


def _rows(labels: dict[int, str] | None = None) -> bytes:
    labels = labels or {}
    return ("id,label\n" + "".join(f"d{i},{labels.get(i, i % 10)}\n" for i in range(40))).encode()


def _check(name: str, data: bytes, declared: dict[str, Any] | None, **options: Any) -> PredictionFileError:
    scorer = get_scorer(name, options)
    targets = track_targets(scorer, ["label"], declared)
    with pytest.raises(PredictionFileError) as info:
        check_predictions(scorer, data, KEY, id_column="id", target_columns=["label"], targets=targets, max_bytes=10**6)
    return info.value


def test_out_of_set_labels_are_refused_with_the_first_rows() -> None:
    error = _check("accuracy", _rows({3: "cat", 7: "12", 9: "cat"}), {"label": {"labels": DIGITS}})
    assert error.code == "label_not_allowed"
    assert [(r.row, r.id, r.value) for r in error.offending] == [(4, "d3", "cat"), (8, "d7", "12"), (10, "d9", "cat")]
    assert "'cat' at row 4 (id 'd3'), column 'label' is not an allowed label (3 row(s)" in error.message
    assert "Allowed labels: '0', '1'" in error.message


def test_row_numbers_follow_the_file_not_the_key() -> None:
    lines = _rows({5: "x"}).decode().splitlines()
    shuffled = "\n".join([lines[0], *reversed(lines[1:])]) + "\n"
    error = _check("accuracy", shuffled.encode(), {"label": {"labels": DIGITS}})
    assert (error.offending[0].row, error.offending[0].id) == (35, "d5")


def test_well_formed_file_passes_and_undeclared_labels_are_open() -> None:
    scorer = get_scorer("accuracy")
    for declared in ({"label": {"labels": DIGITS}}, None):
        targets = track_targets(scorer, ["label"], declared)
        frame = check_predictions(
            scorer, _rows(), KEY, id_column="id", target_columns=["label"], targets=targets, max_bytes=10**6
        )
        assert len(frame) == 40
    open_targets = track_targets(scorer, ["label"], None)
    check_predictions(
        scorer, _rows({1: "cat"}), KEY, id_column="id", target_columns=["label"], targets=open_targets, max_bytes=10**6
    )


@pytest.mark.parametrize(
    ("name", "data", "declared", "code"),
    [
        ("rmse", _rows({2: "1.5"}), {"label": {"type": "int"}}, "not_an_integer"),
        ("rmse", _rows({2: "11"}), {"label": {"type": "float", "min": 0, "max": 9}}, "out_of_range"),
        ("rmse", _rows({2: "-1"}), {"label": {"min": 0}}, "out_of_range"),
        ("rmse", _rows({2: "NaN"}), None, "nan"),
        ("rmse", _rows({2: "abc"}), None, "not_a_number"),
        ("accuracy", b"id,label\nd0,1\nd0,1\n", None, "duplicate_ids"),
        ("accuracy", b"id,label\nzz,1\n", None, "unknown_ids"),
        ("accuracy", b"id,label\nd0,1\n", None, "missing_ids"),
        ("accuracy", b"id,guess\nd0,1\n", None, "missing_columns"),
        ("accuracy", b"id,label,x\nd0,1,2\n", None, "unexpected_columns"),
        ("accuracy", b"id,label\nd0,\xff\n", None, "bad_encoding"),
        ("accuracy", b"", None, "empty_file"),
    ],
)
def test_every_problem_has_a_stable_code(name: str, data: bytes, declared: dict[str, Any] | None, code: str) -> None:
    assert _check(name, data, declared).code == code


def test_range_error_names_the_interval() -> None:
    error = _check("rmse", _rows({2: "11"}), {"label": {"min": 0, "max": 9}})
    assert "outside the allowed range [0, 9]" in error.message
    assert (error.offending[0].row, error.offending[0].value) == (3, "11.0")


def test_ranked_items_outside_the_declared_labels_are_refused() -> None:
    key = read_key(b"id,label\nq0,a\nq1,b\nq2,new\n", id_column="id", target_columns=["label"])
    scorer = get_scorer("map_at_k", {"k": 3, "new_label": "new"})
    targets = track_targets(scorer, ["label"], {"label": {"labels": ["a", "b", "c", "new"], "max_items": 2}})
    good = b"id,label\nq0,a b\nq1,b\nq2,new a\n"
    check_predictions(scorer, good, key, id_column="id", target_columns=["label"], targets=targets, max_bytes=999)
    for data, code, value in (
        (b"id,label\nq0,a b\nq1,b zebra\nq2,new\n", "label_not_allowed", "zebra"),
        (b"id,label\nq0,a b c\nq1,b\nq2,new\n", "too_many_items", "3"),
    ):
        with pytest.raises(PredictionFileError) as info:
            check_predictions(
                scorer, data, key, id_column="id", target_columns=["label"], targets=targets, max_bytes=999
            )
        assert info.value.code == code
        assert info.value.offending[0].value == value


@pytest.mark.parametrize(
    ("name", "declared", "problem"),
    [
        ("accuracy", {"other": {"labels": [1]}}, "does not have"),
        ("accuracy", {"label": {"type": "float"}}, "reads this column as 'label'"),
        ("accuracy", {"label": {"labels": [1, 1]}}, "repeats"),
        ("accuracy", {"label": {"labels": [True]}}, "not a label"),
        ("accuracy", {"label": {"min": 0}}, "for float or int"),
        ("log_loss", {"a": {"max": 2}}, "at most 1"),
        ("rmse", {"label": {"min": 3, "max": 1}}, "larger than its max"),
        ("map_at_k", {"label": {"max_items": 9}}, "at most 5"),
        ("rmse", {"label": {"colour": 1}}, "unknown key"),
    ],
)
def test_declarations_that_the_scorer_cannot_honour_are_refused(
    name: str, declared: dict[str, Any], problem: str
) -> None:
    options = {"labels": ["a", "b"]} if name == "log_loss" else {}
    with pytest.raises(ScorerConfigError, match=problem):
        track_targets(get_scorer(name, options), ["label"], declared)


def test_every_scorer_declares_defaults_that_round_trip() -> None:
    gallery = "gallery_id,identity,station\n" + "".join(f"g{i},p{i % 3},s{i % 2}\n" for i in range(12))
    options: dict[str, dict[str, Any]] = {"log_loss": {"labels": ["a", "b"]}, "reid_cmc_map": {"gallery": gallery}}
    for name in scorer_names():
        targets = track_targets(get_scorer(name, options.get(name, {})), ["label"], None)
        assert targets, name
        assert targets_from_dict(targets_dict(targets)) == targets


def test_check_key_holds_truth_to_the_declared_labels() -> None:
    targets = track_targets(get_scorer("accuracy"), ["label"], {"label": {"labels": list(range(9))}})
    with pytest.raises(ScorerConfigError, match=r"Row 10 of the key file \(id 'd9'\) has '9'") as info:
        check_key(KEY_BYTES, id_column="id", target_columns=["label"], targets=targets)
    assert info.value.code == "key_label_not_declared"
    with pytest.raises(ScorerConfigError, match="repeats id"):
        check_key(b"id,label\na,1\na,2\n", id_column="id", target_columns=["label"], targets=targets)
    number = track_targets(get_scorer("rmse"), ["label"], {"label": {"min": 0, "max": 5}})
    with pytest.raises(ScorerConfigError, match=r"not a float in \[0, 5\]"):
        check_key(KEY_BYTES, id_column="id", target_columns=["label"], targets=number)


def test_label_sets_are_derived_only_from_keys_with_few_frequent_labels() -> None:
    targets = track_targets(get_scorer("accuracy"), ["label"], None)
    big = read_key(
        ("id,label\n" + "".join(f"d{i},{i % 10}\n" for i in range(100))).encode(),
        id_column="id",
        target_columns=["label"],
    )
    derived = derive_labels(targets, [big])
    assert derived["label"].labels == tuple(str(i) for i in range(10))
    identities = read_key(
        ("id,label\n" + "".join(f"d{i},animal{i}\n" for i in range(100))).encode(),
        id_column="id",
        target_columns=["label"],
    )
    assert derive_labels(targets, [identities])["label"].labels is None
    assert derive_labels(targets, [KEY])["label"] == Target("label", truth=True)
