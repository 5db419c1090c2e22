"""The fast ranked-list reader agrees with the fully checked path, or steps aside for it."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorers import PredictionFileError, get_scorer, read_key
from scorers.ranked_csv import read_ranked
from scorers.validation import ColumnSpec, ValueKind, read_prediction_table

LABELS = ["a", "b", "w_0001234", "new_individual", "a_label_longer_than_sixteen", "#x"]
KWARGS = {"id_column": "Image", "target_columns": ["Id"], "max_bytes": 1 << 20}


def _key(ids: list[str], truth: list[str]) -> pd.DataFrame:
    rows = "".join(f"{i},{t}\n" for i, t in zip(ids, truth, strict=True))
    return read_key(("Image,Id\n" + rows).encode(), id_column="Image", target_columns=["Id"])


def _checked(data: bytes, key: pd.DataFrame, k: int) -> list[list[str]]:
    spec = ColumnSpec("Id", ValueKind.RANKED, max_items=k)
    table = read_prediction_table(data, key, id_column="Image", columns=[spec], max_bytes=1 << 20)
    return [list(v) for v in table["Id"].tolist()]


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_fast_reader_matches_checked_path(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 12))
    pattern = data.draw(st.sampled_from(["{}", "im{:04d}.jpg", "a_fairly_long_image_name_{:03d}.png"]))
    ids = [pattern.format(i) for i in range(n)]
    truth = data.draw(st.lists(st.sampled_from(LABELS), min_size=n, max_size=n))
    lists = data.draw(st.lists(st.lists(st.sampled_from(LABELS), max_size=5), min_size=n, max_size=n))
    gaps = data.draw(st.lists(st.sampled_from([" ", "  ", "\t", " \t "]), min_size=n, max_size=n))
    order = data.draw(st.permutations(range(n)))
    newline = data.draw(st.sampled_from(["\n", "\r\n"]))
    body = newline.join(f"{ids[r]},{gaps[r].join(lists[r])}" for r in order)
    text = "Image,Id" + newline + body + (newline if data.draw(st.booleans()) else "")
    upload, key = text.encode(), _key(ids, truth)
    fast = read_ranked(upload, key.index, column="Id", id_column="Image", k=5)
    assert fast is not None
    assert list(fast.index) == list(key.index)
    assert [list(v) for v in fast["Id"].tolist()] == _checked(upload, key, 5)
    scorer = get_scorer("map_at_k")
    result = scorer.score(key, scorer.read_predictions(upload, key, **KWARGS))
    expected = [1 / (p.index(t) + 1) if t in p else 0.0 for t, p in zip(truth, lists, strict=True)]
    assert result.per_case == pytest.approx(expected)


@pytest.mark.parametrize(
    "body",
    [
        "i0,a\ni0,b\n",  # repeated id
        "i0,a\nzz,b\n",  # unknown id
        "i0,a\n",  # missing id
        "i0,a b c d e f\ni1,a\n",  # too many labels
        'i0,"a b"\ni1,a\n',  # quotes
        "i0,a\n\ni1,b\n",  # blank line
        " i0,a\ni1,b\n",  # padded id
        "i0,a,b\ni1,a\n",  # extra field
        "i0,a\ri1,b\n",  # lone CR
        "i0,a\x0bb\ni1,a\n",  # vertical tab
        "i0,\u00e9\ni1,a\n",  # non-ASCII
    ],
)
def test_unusual_files_fall_back_with_the_same_result(body: str) -> None:
    key = _key(["i0", "i1"], ["a", "b"])
    upload = ("Image,Id\n" + body).encode()
    assert read_ranked(upload, key.index, column="Id", id_column="Image", k=5) is None
    scorer = get_scorer("map_at_k")
    spec = ColumnSpec("Id", ValueKind.RANKED, max_items=5)
    try:
        read_prediction_table(upload, key, id_column="Image", columns=[spec], max_bytes=1 << 20)
    except PredictionFileError as exc:
        with pytest.raises(PredictionFileError) as info:
            scorer.read_predictions(upload, key, **KWARGS)
        assert info.value.message == exc.message
    else:
        expected = _checked(upload, key, 5)
        got = scorer.read_predictions(upload, key, **KWARGS)
        assert [list(v) for v in got["Id"].tolist()] == expected


def test_header_variants_and_reordered_columns() -> None:
    key = _key(["i0", "i1"], ["a", "b"])
    assert read_ranked(b" Image , Id \ni0,a\ni1,b\n", key.index, column="Id", id_column="Image", k=5) is not None
    assert read_ranked(b"Id,Image\na,i0\nb,i1\n", key.index, column="Id", id_column="Image", k=5) is None
