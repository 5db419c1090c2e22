"""Every kind of bad predictions file gives a helpful message that never leaks hidden labels."""

import pytest

from scorers import PredictionFileError, get_scorer, read_key

CANARY = "CANARY_label_93f1"
KEY = read_key(
    ("id,y,score\n" + "".join(f"r{i},{CANARY}{i},{i}.5\n" for i in range(8))).encode(),
    id_column="id",
    target_columns=["y"],
)
GOOD_ROWS = "".join(f"r{i},{i}\n" for i in range(8))


def _error(name: str, data: bytes, max_bytes: int = 10_000, **options: object) -> str:
    scorer = get_scorer(name, options)
    with pytest.raises(PredictionFileError) as info:
        scorer.read_predictions(data, KEY, id_column="id", target_columns=["y"], max_bytes=max_bytes)
    message = info.value.message
    assert CANARY not in message and CANARY.lower() not in message.lower()
    assert "Traceback" not in message
    return message


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("rmse", b"", "empty"),
        ("rmse", b"\n \n", "empty"),
        ("rmse", b"PK\x03\x04\x00\x00binary", "binary"),
        ("rmse", b"id,y\nr0,1\x01\n", "binary"),
        ("rmse", b"id,y\nr0,\xe9\n", "UTF-8"),
        ("rmse", b'id,y\nr0,"1\n', "quoted value"),
        ("rmse", b"id,y\nr0,1,2\n", "line 2 has 3 fields"),
        ("rmse", b"ident,y\nr0,1\n", "no id column 'id'"),
        ("rmse", b"id,target\nr0,1\n", "missing column(s) 'y' and unexpected column(s) 'target'"),
        ("rmse", b"id,y,extra\nr0,1,2\n", "unexpected column(s) 'extra'. Expected header: id,y"),
        ("rmse", b"id,y,y\nr0,1,2\n", "appears more than once"),
        ("rmse", b"id,y\n", "no rows; it needs one row for each of the 8 ids"),
        ("rmse", ("id,y\n" + GOOD_ROWS + "r1,3\nr2,4\n").encode(), "2 id(s) appear more than once"),
        ("rmse", ("id,y\n" + GOOD_ROWS + "zz9,3\n").encode(), "'zz9'"),
        ("rmse", b"id,y\nr0,1\nr1,2\n", "6 id(s) of the test set have no row"),
        ("rmse", b"id,y\n,1\n", "empty 'id'"),
        ("rmse", ("id,y\n" + GOOD_ROWS.replace("r3,3", "r3,")).encode(), "Empty value at row 4 (id 'r3')"),
        ("rmse", ("id,y\n" + GOOD_ROWS.replace("r3,3", "r3,abc")).encode(), "'abc' at row 4 (id 'r3'), column 'y'"),
        ("rmse", ("id,y\n" + GOOD_ROWS.replace("r3,3", "r3,inf")).encode(), "Infinite value at row 4"),
        ("rmse", ("id,y\n" + GOOD_ROWS.replace("r3,3", "r3,NaN")).encode(), "NaN at row 4"),
        ("accuracy", ("id,y\n" + GOOD_ROWS.replace("r3,3", "r3,  ")).encode(), "Empty value at row 4"),
        ("map_at_k", ("id,y\n" + GOOD_ROWS.replace("r3,3", "r3,a b c d e f")).encode(), "lists 6 predictions"),
    ],
)
def test_bad_files_explain_what_to_fix(name: str, data: bytes, expected: str) -> None:
    assert expected in _error(name, data)


def test_size_limit_is_checked_first() -> None:
    message = _error("rmse", ("id,y\n" + GOOD_ROWS).encode(), max_bytes=10)
    assert "limit of 10 bytes" in message


def test_missing_ids_are_counted_never_listed() -> None:
    message = _error("accuracy", b"id,y\nr0,a\n")
    assert "7 id(s)" in message
    assert not any(f"r{i}" in message for i in range(1, 8))


def test_unknown_ids_named_but_limited() -> None:
    rows = "".join(f"bad{i},1\n" for i in range(20))
    message = _error("rmse", ("id,y\n" + GOOD_ROWS + rows).encode())
    assert "20 id(s)" in message and "'bad0'" in message and "and 15 more" in message


def test_messages_do_not_depend_on_hidden_labels() -> None:
    other = KEY.assign(y="something_else")
    scorer = get_scorer("accuracy")
    for data in [b"id,y\nr0,a\n", f"id,y\nr0,{CANARY}0\nr0,x\n".encode(), b"id,y\nr0,\n"]:
        messages = []
        for key in (KEY, other):
            with pytest.raises(PredictionFileError) as info:
                scorer.read_predictions(data, key, id_column="id", target_columns=["y"], max_bytes=999)
            messages.append(info.value.message)
        assert messages[0] == messages[1]


def test_accepts_bom_crlf_quotes_order_and_whitespace() -> None:
    body = "".join(f'" r{i} ","{i}"\r\n' for i in reversed(range(8)))
    data = b"\xef\xbb\xbfid,y\r\n" + body.encode()
    frame = get_scorer("rmse").read_predictions(data, KEY, id_column="id", target_columns=["y"], max_bytes=10_000)
    assert list(frame.index) == [f"r{i}" for i in range(8)]
    assert frame["y"].tolist() == [float(i) for i in range(8)]


def test_control_characters_in_values_are_not_echoed_raw() -> None:
    message = _error("rmse", ("id,y\n" + GOOD_ROWS.replace("r3,3", "r3,\u200bx\u2028")).encode())
    assert "\u2028" not in message


@pytest.mark.parametrize(("written", "quoted"), [("-0.1", "'-0.1'"), ("1.5", "'1.5'"), ("2e0", "'2e0'")])
def test_probability_messages_quote_the_participants_text(written: str, quoted: str) -> None:
    key = read_key(b"id,cat,dog\n1,1,0\n2,0,1\n", id_column="id", target_columns=["cat", "dog"])
    with pytest.raises(PredictionFileError) as info:
        get_scorer("log_loss").read_predictions(
            f"id,cat,dog\n1,0.5,0.5\n2,{written},0.5\n".encode(),
            key,
            id_column="id",
            target_columns=["cat", "dog"],
            max_bytes=1000,
        )
    message = info.value.message
    assert message.startswith(f"{quoted} at row 2 (id '2'), column 'cat' is not a probability"), message
    assert "np." not in message and info.value.params["value"] == quoted
