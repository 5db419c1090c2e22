"""Scorers' messages about a bad predictions file reach pages in the viewer's language."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient

from scorers import PredictionFileError, get_scorer, read_key
from tests.web.conftest import World, failed_submission
from web.i18n import localized_message

KEY = read_key(("id,y\n" + "".join(f"r{i},{i}\n" for i in range(8))).encode(), id_column="id", target_columns=["y"])
ROWS = "".join(f"r{i},{i}\n" for i in range(8))
CJK = re.compile(r"[\u4e00-\u9fff]")
BAD_FILES = [
    ("rmse", b""),
    ("rmse", b"PK\x03\x04\x00\x00binary"),
    ("rmse", b"id,y\nr0,\xe9\n"),
    ("rmse", b'id,y\nr0,"1\n'),
    ("rmse", b"id,y\nr0,1,2\n"),
    ("rmse", b"ident,y\nr0,1\n"),
    ("rmse", b"id,y,y\nr0,1,2\n"),
    ("rmse", b"id,target\nr0,1\n"),
    ("rmse", b"id,y,extra\nr0,1,2\n"),
    ("rmse", b"id,y\n"),
    ("rmse", ("id,y\n" + ROWS + "r1,3\n").encode()),
    ("rmse", ("id,y\n" + ROWS + "zz9,3\n").encode()),
    ("rmse", b"id,y\nr0,1\n"),
    ("rmse", b"id,y\n,1\n"),
    ("rmse", ("id,y\n" + ROWS.replace("r3,3", "r3,")).encode()),
    ("rmse", ("id,y\n" + ROWS.replace("r3,3", "r3,abc")).encode()),
    ("rmse", ("id,y\n" + ROWS.replace("r3,3", "r3,inf")).encode()),
    ("rmse", ("id,y\n" + ROWS.replace("r3,3", "r3,NaN")).encode()),
    ("map_at_k", ("id,y\n" + ROWS.replace("r3,3", "r3,a b c d e f")).encode()),
    ("rmse", ("id,y\n" + ROWS).encode() * 40),
]


@pytest.mark.parametrize(("name", "data"), BAD_FILES)
def test_every_common_message_has_a_chinese_translation(app: Flask, name: str, data: bytes) -> None:
    with pytest.raises(PredictionFileError) as info:
        get_scorer(name, {}).read_predictions(data, KEY, id_column="id", target_columns=["y"], max_bytes=200)
    error = info.value
    with app.test_request_context("/?lang=zh_CN"):
        shown = localized_message(error.template, error.params, error.message)
    assert CJK.search(shown) and "%(" not in shown and "predictions file" not in shown, shown
    with app.test_request_context("/?lang=en"):
        assert localized_message(error.template, error.params, error.message) == error.message


GALLERY = "gallery_id,identity,station\ng1,A,s1\ng2,B,s2\n"
REID_KEY = read_key(b"query,identity,station\nq1,A,s2\nq2,B,s1\n", id_column="query", target_columns=["identity"])
PROBABILITY_KEY = read_key(b"id,cat,dog\n1,1,0\n2,0,1\n", id_column="id", target_columns=["cat", "dog"])
SCORER_FILES = [
    ("reid_cmc_map", {"gallery": GALLERY}, REID_KEY, ["identity"], b"query,ranking\nq1,g1 g9\nq2,g2\n"),
    ("reid_cmc_map", {"gallery": GALLERY}, REID_KEY, ["identity"], b"query,ranking\nq1,g1 g1\nq2,g2\n"),
    ("log_loss", {}, PROBABILITY_KEY, ["cat", "dog"], b"id,cat,dog\n1,0,0\n2,0,1\n"),
    ("log_loss", {}, PROBABILITY_KEY, ["cat", "dog"], b"id,cat,dog\n1,-0.1,0\n2,0,1\n"),
]


@pytest.mark.parametrize(("name", "options", "key", "targets", "data"), SCORER_FILES)
def test_scorer_specific_messages_have_chinese_translations(
    app: Flask, name: str, options: dict[str, object], key: pd.DataFrame, targets: list[str], data: bytes
) -> None:
    id_column = "query" if name == "reid_cmc_map" else "id"
    with pytest.raises(PredictionFileError) as info:
        get_scorer(name, options).read_predictions(
            data,
            key,
            id_column=id_column,
            target_columns=targets,
            max_bytes=1000,
        )
    error = info.value
    assert error.params, error.message  # a template with parameters, so pages can translate it
    with app.test_request_context("/?lang=zh_CN"):
        shown = localized_message(error.template, error.params, error.message)
    assert CJK.search(shown) and "%(" not in shown, shown
    assert all(str(value) in shown for value in error.params.values()), shown


def test_the_submission_page_shows_the_message_in_chinese(app: Flask, client: FlaskClient, world: World) -> None:
    shown = failed_submission(app, client, world.open_phase_id, b"id,label\n1,3\n2,5\n3,7\nzz9,1\n", "p.csv")
    assert shown.status == "failed" and "not part of this test set" in shown.api_error, shown.api_error
    assert "不属于本测试集" in shown.zh_page and "not part of this test set" not in shown.zh_page
    assert "not part of this test set" in shown.en_page
