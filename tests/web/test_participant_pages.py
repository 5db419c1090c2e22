"""Participant pages: secondary metrics named in the viewer's language, block quotes, chart axes."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from flask import Flask, get_template_attribute
from flask.testing import FlaskClient

from arena.boards import Histogram, PhaseChart, TeamSeries
from arena.boards.charts import Point
from arena.enums import Split
from arena.evaluation.pipeline import evaluate_submission
from tests.web.conftest import World, api_team, csrf_from, login, make_user, token_for
from web import state
from web.charts import METRIC_BOUNDS, best_over_time_svg, y_range
from web.extensions import db
from web.markdown import render_markdown


def test_a_block_quote_is_a_quote_not_a_literal_marker() -> None:
    html = str(render_markdown("Before\n\n> **Note:** read the rules\n> twice\n\nAfter"))
    assert "<blockquote><p><strong>Note:</strong> read the rules twice</p></blockquote>" in html
    assert "&gt;" not in html


def test_the_y_axis_of_an_accuracy_runs_from_0_to_1() -> None:
    assert y_range([0.6], METRIC_BOUNDS["accuracy"]) == (0.0, 1.0)
    low, high = y_range([0.6], (None, None))
    assert low < 0.6 < high and high - low < 1
    assert y_range([2.0, 3.0], METRIC_BOUNDS["rmse"])[0] == 0.0


def test_a_single_score_is_drawn_as_a_point_without_a_line(app: Flask) -> None:
    at = datetime(2026, 11, 2, tzinfo=UTC)
    series = TeamSeries(team_id=1, team_name="Owls", is_baseline=False, points=[Point(at=at, score=0.6)])
    chart = PhaseChart(
        phase_id=1,
        split=Split.PUBLIC,
        direction="max",
        start=datetime(2026, 11, 1, tzinfo=UTC),
        end=datetime(2026, 11, 3, tzinfo=UTC),
        frozen_at=None,
        series=[series],
        histogram=Histogram(edges=[0.6, 0.6], counts=[1]),
    )
    with app.test_request_context("/"):
        svg = str(best_over_time_svg(chart, 4, "chart", METRIC_BOUNDS["accuracy"]))
    assert 'class="point"' in svg and "polyline" not in svg
    assert ">1.0000<" in svg and ">0.0000<" in svg


def test_secondary_metrics_are_named_in_each_language(app: Flask) -> None:
    scores = {"public": {"score": 0.36, "metrics": {"map@5": 0.36, "top1_accuracy": 0.35}, "version": 1}}
    for language, name in (("zh", "Top-1 准确率"), ("en", "top-1 accuracy"), ("zh", "Top-1 准确率")):
        with app.test_request_context(f"/?lang={language}"):
            cell = str(get_template_attribute("macros.html", "scores_cell")(scores, 4))
        assert name in cell and "0.3500" in cell, (language, cell)


def _send(client: FlaskClient, headers: dict[str, str], phase_id: int) -> int:
    sent = client.post(
        f"/api/v1/phases/{phase_id}/submissions",
        headers=headers,
        data={"file": (io.BytesIO(b"id,label\n1,3\n2,5\n3,0\n"), "p.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 202, sent.get_json()
    return int(sent.get_json()["id"])


def test_the_status_route_follows_a_submission_until_it_is_final(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "ann")
    make_user(app, "ben")
    ann = token_for(client, "ann")
    api_team(client, ann, "Owls")
    number = _send(client, ann, world.open_phase_id)
    login(client, "ann")
    queued = client.get(f"/submissions/{number}/status").get_json()
    assert (queued["status"], queued["final"]) == ("queued", False)
    assert "status-queued" in queued["cells"]["status"]
    listing = client.get(f"/phases/{world.open_phase_id}/submissions").get_data(as_text=True)
    assert f'data-live-url="/submissions/{number}/status"' in listing and "live-status.js" in listing
    with app.app_context():
        evaluate_submission(db.session(), state.settings(), state.store(), number)
        db.session.remove()
    scored = client.get(f"/submissions/{number}/status").get_json()
    assert (scored["status"], scored["final"]) == ("scored", True)
    assert "status-scored" in scored["cells"]["status"] and "<strong>" in scored["cells"]["score"]
    # Someone else's submission is not theirs to watch.
    login(client, "ben")
    assert client.get(f"/submissions/{number}/status").status_code in (403, 404)


def test_the_over_quota_page_names_the_next_allowed_time_once(app: Flask, client: FlaskClient, world: World) -> None:
    make_user(app, "ann")
    ann = token_for(client, "ann")
    api_team(client, ann, "Owls")
    for _ in range(2):  # the phase's daily quota
        _send(client, ann, world.open_phase_id)
    login(client, "ann")
    form = client.get(f"/phases/{world.open_phase_id}/submit").get_data(as_text=True)
    refused = client.post(
        f"/phases/{world.open_phase_id}/submit",
        data={"csrf_token": csrf_from(form), "file": (io.BytesIO(b"id,label\n1,3\n"), "p.csv")},
        content_type="multipart/form-data",
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429, page
    text = re.sub(r"<[^>]+>", " ", page)  # what the reader sees (a <time datetime=…> attribute may be ISO)
    assert "+00:00" not in text and "T00:00:00" not in text
    assert page.count("Next submission allowed at") == 1
    assert "not counted" in page
