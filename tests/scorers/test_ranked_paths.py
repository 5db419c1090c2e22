"""MAP@k gives the same scores and messages whether a file takes the fast reader or the checked path."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorers import PredictionFileError, get_scorer, read_key
from scorers.result import ScoreResult
from scorers.validation import ColumnSpec, ValueKind, read_prediction_table

LABELS = ["a", "b", "w_0001234", "new_individual", "a_label_longer_than_sixteen", "#x", "'q"]
KWARGS = {"id_column": "Image", "target_columns": ["Id"], "max_bytes": 1 << 20}


def _key(ids: list[str], truth: list[str]) -> pd.DataFrame:
    rows = "".join(f"{i},{t}\n" for i, t in zip(ids, truth, strict=True))
    return read_key(("Image,Id\n" + rows).encode(), id_column="Image", target_columns=["Id"])


def _checked(upload: bytes, key: pd.DataFrame, k: int) -> ScoreResult | str:
    """Score through the checked path only (or return its message)."""
    scorer = get_scorer("map_at_k", {"k": k})
    spec = ColumnSpec("Id", ValueKind.RANKED, max_items=k)
    try:
        table = read_prediction_table(upload, key, id_column="Image", columns=[spec], max_bytes=1 << 20)
    except PredictionFileError as exc:
        return exc.message
    return scorer.score(key, table)


def _scored(upload: bytes, key: pd.DataFrame, k: int) -> ScoreResult | str:
    """Score the way the platform does (fast reader when the file allows it)."""
    scorer = get_scorer("map_at_k", {"k": k})
    try:
        predictions = scorer.read_predictions(upload, key, **KWARGS)
    except PredictionFileError as exc:
        return exc.message
    return scorer.score(key, predictions)


@st.composite
def uploads(draw: st.DrawFn) -> tuple[bytes, pd.DataFrame, int]:
    """A key and a predictions file, mostly well formed, sometimes with one of many flaws."""
    k = draw(st.integers(1, 6))
    n = draw(st.integers(1, 10))
    pattern = draw(st.sampled_from(["{}", "im{:04d}.jpg", "a_fairly_long_image_name_{:03d}.png"]))
    ids = [pattern.format(i) for i in range(n)]
    truth = draw(st.lists(st.sampled_from(LABELS), min_size=n, max_size=n))
    lists = draw(st.lists(st.lists(st.sampled_from(LABELS), max_size=k + 1), min_size=n, max_size=n))
    gap = st.sampled_from([" ", " ", " ", "  ", "\t", " \t "])
    order = list(draw(st.permutations(range(n))))
    flaws = ["dup", "drop", "unknown", "pad", "quote", "comma", "space", "vt", "shift", "tab_id"]
    flaw = draw(st.sampled_from([None] * 6 + flaws))
    lines = [f"{ids[r]},{draw(gap).join(lists[r])}" for r in order]
    row = draw(st.integers(0, n - 1))
    if flaw == "dup":
        lines.append(lines[row])
    elif flaw == "drop" and n > 1:
        del lines[row]
    elif flaw == "unknown":
        lines[row] = "zz" + lines[row]
    elif flaw == "pad":
        lines[row] = " " + lines[row]
    elif flaw == "quote":
        lines[row] = lines[row].replace(",", ',"', 1) + '"'
    elif flaw == "comma":
        lines[row] = lines[row] + ",x"
    elif flaw == "space":
        lines[row] = lines[row].replace(",", " ,", 1) + " "
    elif flaw == "vt":
        lines[row] = lines[row] + "\x0bb"
    elif flaw in ("shift", "tab_id"):
        # The comma after the first label: the checked path reads the id as "<id> x" (or with a tab).
        head, _, tail = lines[row].partition(",")
        lines[row] = head + (" " if flaw == "shift" else "\t") + "x," + tail
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(["Image,Id", *lines]) + (newline if draw(st.booleans()) else "")
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return bom + text.encode(), _key(ids, truth), k


@settings(max_examples=300, deadline=None)
@given(uploads())
def test_fast_reader_and_checked_path_agree(case: tuple[bytes, pd.DataFrame, int]) -> None:
    upload, key, k = case
    expected, got = _checked(upload, key, k), _scored(upload, key, k)
    if isinstance(expected, str):
        assert got == expected
        return
    assert isinstance(got, ScoreResult)
    assert got.primary == expected.primary
    assert got.per_case == expected.per_case
    assert dict(got.metrics) == dict(expected.metrics)


def test_per_case_values_are_exact_reciprocals() -> None:
    key = _key(["i0", "i1", "i2", "i3"], ["a", "b", "c", "d"])
    result = _scored(b"Image,Id\ni0,b b a\ni1,x b\ni2,c\ni3,x\n", key, 5)
    assert isinstance(result, ScoreResult)
    assert result.per_case == (1 / 3, 1 / 2, 1.0, 0.0)
    assert all(type(value) is float for value in result.per_case)


def test_selected_and_reordered_rows_keep_their_lists() -> None:
    key = _key(["i0", "i1", "i2"], ["a", "b", "c"])
    scorer = get_scorer("map_at_k")
    predictions = scorer.read_predictions(b"Image,Id\ni2,c a\ni0,x a\ni1,b\n", key, **KWARGS)
    assert [list(v) for v in predictions["Id"].tolist()] == [["x", "a"], ["b"], ["c", "a"]]
    subset = pd.Index(["i2", "i0"])
    assert [list(v) for v in predictions.loc[subset, "Id"].tolist()] == [["c", "a"], ["x", "a"]]
    assert scorer.score(key.loc[subset], predictions.loc[subset]).per_case == (1.0, 0.5)


@pytest.mark.parametrize("k", [1, 5])
def test_too_many_labels_keep_the_checked_message(k: int) -> None:
    key = _key(["i0"], ["a"])
    upload = ("Image,Id\ni0," + " ".join(["a"] * (k + 1)) + "\n").encode()
    assert _scored(upload, key, k) == _checked(upload, key, k)
