"""The console's editing pages: pages with a preview, a phase's settings, a track's scorer options."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from arena.models import AuditEvent, Challenge, Notification, Phase, Track
from tests.web.conftest import World, api_team, csrf_from, login, make_user, token_for
from web.extensions import db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _organizer(app: Flask, client: FlaskClient) -> None:
    make_user(app, "olga", organizer_of="demo")
    login(client, "olga")


def _post(client: FlaskClient, url: str, data: dict[str, str], page: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def _texts(world: World) -> dict[str, str]:
    return {
        "description_en": "# About\n\n> quoted",
        "description_zh": "# 简介",
        "rules_en": "Be fair",
        "rules_zh": "公平",
        "data_en": "",
        "data_zh": "",
    }


def test_only_organizers_reach_the_editing_pages(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "pat")
    login(client, "pat")
    for url in ("/c/demo/manage/texts", "/c/demo/manage/phases", f"/c/demo/manage/phases/{world.open_phase_id}"):
        assert client.get(url).status_code == 404


def test_an_organizer_edits_the_pages_and_a_refused_save_keeps_what_was_typed(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _organizer(app, client)
    home = client.get("/c/demo/manage").get_data(as_text=True)
    assert "/c/demo/manage/texts" in home and "/c/demo/manage/phases" in home
    typed = {**_texts(world), "rules_zh": "", "rules_en": "Typed rules kept"}
    refused = _post(client, "/c/demo/manage/texts?lang=zh-CN", typed, "/c/demo/manage/texts")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Typed rules kept" in body
    assert "text.rules.zh" in body and "页面未保存" in body
    saved = _post(client, "/c/demo/manage/texts", _texts(world), "/c/demo/manage/texts")
    assert saved.status_code == 302
    with app.app_context():
        challenge = db.session.scalars(select(Challenge)).one()
        assert challenge.text["rules"] == {"en": "Be fair", "zh": "公平"} and "data" not in challenge.text
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "challenge.texts_changed" in actions
    preview = _post(client, "/c/demo/manage/texts/preview", {"source": "> quoted <b>x</b>"}, "/c/demo/manage/texts")
    assert preview.get_json()["html"].startswith("<blockquote>") and "<b>" not in preview.get_json()["html"]


def test_a_phase_edit_keeps_typed_values_and_an_unfair_change_needs_a_reason(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _organizer(app, client)
    page = f"/c/demo/manage/phases/{world.open_phase_id}"
    form = client.get(page + "?lang=zh-CN").get_data(as_text=True)
    assert "每队每天提交次数" in form and "UTC" in form
    with app.app_context():
        phase = db.session.get(Phase, world.open_phase_id)
        assert phase is not None
        opens, closes = phase.opens_at, phase.closes_at
    fields = {
        "opens": opens.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
        "closes": closes.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
        "daily_quota": "abc",
        "total_quota": "10",
        "public_fraction": "0.5",
        "split_seed": "seed",
        "freeze_at": "",
        "final_selection_max": "",
    }
    bad = _post(client, page + "?lang=en", fields, page)
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "must be a whole number from 1 to 10000, got &#39;abc&#39;" in text
    assert 'value="abc"' in text
    unfair = {**fields, "daily_quota": "4", "public_fraction": "0.4"}
    asked = _post(client, page + "?lang=en", unfair, page)
    assert asked.status_code == 400 and "public_fraction" in asked.get_data(as_text=True)
    done = _post(client, page, {**unfair, "reason": "a fairer split"}, page)
    assert done.status_code == 302
    with app.app_context():
        phase = db.session.get(Phase, world.open_phase_id)
        assert phase is not None and phase.daily_quota == 4 and phase.public_fraction == 0.4
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "phase.settings_changed")).one()
        assert event.data["before"]["public_fraction"] == 0.5 and event.data["unfair"] == ["public_fraction"]


def test_scorer_options_are_checked_by_the_scorer(app: Flask, client: FlaskClient, world: World) -> None:
    _organizer(app, client)
    with app.app_context():
        track_id = db.session.scalars(select(Track.id)).one()
    page = f"/c/demo/manage/tracks/{track_id}/scorer"
    bad = _post(client, page + "?lang=en", {"scorer_options": "beta: 2", "reason": "try"}, page)
    assert bad.status_code == 400 and "has no option" in bad.get_data(as_text=True)
    assert "beta: 2" in bad.get_data(as_text=True)
    good = _post(client, page, {"scorer_options": "cluster_column: label", "reason": "clusters"}, page)
    assert good.status_code == 302
    with app.app_context():
        track = db.session.get(Track, track_id)
        assert track is not None and track.scorer_options == {"cluster_column": "label"}


def test_a_new_key_for_an_opened_phase_is_announced_to_participants(
    app: Flask, client: FlaskClient, world: World
) -> None:
    make_user(app, "pat")
    api_team(client, token_for(client, "pat"), "Pat's team")
    _organizer(app, client)
    key = io.BytesIO(b"id,label\n1,4\n2,5\n3,7\n")
    done = client.post(
        f"/c/demo/manage/data/phases/{world.open_phase_id}/key",
        data={"file": (key, "key.csv"), "reason": "row 1 was mislabelled",
              "csrf_token": csrf_from(client.get("/c/demo/manage/data").get_data(as_text=True))},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert done.status_code == 302
    with app.app_context():
        notice = db.session.scalars(select(Notification)).one()
        assert notice.kind == "phase.settings_changed" and notice.params["changes"] == "key"
        assert notice.params["reason"] == "row 1 was mislabelled"


def test_the_live_check_names_problems_and_changes_that_need_a_reason(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _organizer(app, client)
    page = f"/c/demo/manage/phases/{world.open_phase_id}"
    html = client.get(page + "?lang=zh-CN").get_data(as_text=True)
    assert "以下修改需要填写原因：%(fields)s" in html and "/check" in html
    with app.app_context():
        phase = db.session.get(Phase, world.open_phase_id)
        assert phase is not None
        typed = {
            "opens": phase.opens_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
            "closes": phase.closes_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
            "daily_quota": "2",
            "total_quota": "10",
            "public_fraction": "0.6",
            "split_seed": "seed",
        }
    answer = _post(client, page + "/check", typed, page).get_json()
    assert answer == {"problems": [], "unfair": ["public_fraction"]}
    answer = _post(client, page + "/check", {**typed, "total_quota": "0"}, page).get_json()
    assert answer["problems"] == [
        {"field": "total_quota", "message": "must be a whole number from 1 to 1000000, got 0"}
    ]


def test_the_pages_form_has_a_live_check_naming_each_text_box(app: Flask, client: FlaskClient, world: World) -> None:
    _organizer(app, client)
    page = "/c/demo/manage/texts"
    assert 'data-check-url="/c/demo/manage/texts/check"' in client.get(page).get_data(as_text=True)
    assert _post(client, page + "/check", _texts(world), page).get_json() == {"problems": []}
    typed = {**_texts(world), "rules_zh": " ", "data_en": "only English"}
    answer = _post(client, page + "/check", typed, page)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.get_json()["problems"] == [
        {"field": "text.rules.zh", "input": "rules_zh", "message": "must be a non-empty text"},
        {"field": "text.data.zh", "input": "data_zh", "message": "must be a non-empty text"},
    ]
    with app.app_context():
        challenge = db.session.scalars(select(Challenge)).one()
        assert challenge.text["rules"]["zh"] != " "  # a check saves nothing


def test_the_scorer_options_form_has_a_live_check_in_the_scorers_words(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _organizer(app, client)
    with app.app_context():
        track_id = db.session.scalars(select(Track.id)).one()
    page = f"/c/demo/manage/tracks/{track_id}/scorer"
    html = client.get(page).get_data(as_text=True)
    assert f'data-check-url="{page}/check"' in html and "console-edit.js" in html
    ok = _post(client, page + "/check", {"scorer_options": "cluster_column: label"}, page).get_json()
    assert ok == {"problems": []}
    unknown = _post(client, page + "/check", {"scorer_options": "beta: 2"}, page).get_json()["problems"]
    assert [p["field"] for p in unknown] == ["scorer"] and "has no option" in unknown[0]["message"]
    broken = _post(client, page + "/check", {"scorer_options": "k: [1"}, page).get_json()["problems"]
    assert broken[0]["field"] == broken[0]["input"] == "scorer_options"
    assert broken[0]["message"].startswith("is not valid YAML")
    listed = _post(client, page + "/check", {"scorer_options": "- 1"}, page).get_json()["problems"]
    assert listed == [{"field": "scorer_options", "input": "scorer_options", "message": "must be a mapping"}]
    with app.app_context():
        track = db.session.get(Track, track_id)
        assert track is not None and track.scorer_options == {}
    other = _post(client, "/c/demo/manage/tracks/999999/scorer/check", {"scorer_options": ""}, page)
    assert other.status_code == 404
