"""Metrics by resource class: queue depth, failures and runs from the database, and the histograms workers fill."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis

from arena import accounts
from arena.db import Base
from arena.evaluation.monitoring import BOARD_BUCKETS, METRICS_PREFIX, histogram, observe
from arena.evaluation.pipeline import evaluate_submission
from arena.models import Phase
from arena.settings import Settings
from tests.factories import accepted_unchecked, make_team
from tests.web.conftest import World, make_user
from web import state
from web.app import create_app
from web.extensions import db


@pytest.fixture
def app(settings: Settings, redis_url: str) -> Iterator[Flask]:
    """The app with Redis answering, and the shared histograms emptied."""
    redis = Redis.from_url(redis_url)
    for key in redis.scan_iter(match=METRICS_PREFIX + "*"):
        redis.delete(key)
    flask_app = create_app(settings.with_overrides(redis_url=redis_url))
    with flask_app.app_context():
        Base.metadata.create_all(db.engine)
    yield flask_app
    with flask_app.app_context():
        db.engine.dispose()


def _value(text: str, series: str) -> float:
    """The value of one exposed series (the whole name with its labels), failing when it is absent."""
    found = re.search(rf"^{re.escape(series)} (\S+)$", text, re.MULTILINE)
    assert found, f"{series} is not in the metrics:\n{text}"
    return float(found.group(1))


def test_queue_depth_runs_failures_and_board_latency_are_reported_by_resource_class(
    app: Flask, client: FlaskClient, world: World
) -> None:
    with app.app_context():
        session = db.session()
        phase = session.get(Phase, world.open_phase_id)
        assert phase is not None
        phase.track.runner = {"resource_class": "gpu"}
        phase.daily_quota = phase.total_quota = 10
        make_user(app, "ann")
        ann = accounts.get_user_by_name(session, "ann")
        make_team(session, ann, phase.track.challenge, "Ann")
        good = accepted_unchecked(session, state.store(), ann, phase, b"id,label\n1,3\n2,5\n3,0\n").id
        bad = accepted_unchecked(session, state.store(), ann, phase, b"no,such,columns\n").id
        accepted_unchecked(session, state.store(), ann, phase, b"id,label\n1,3\n2,5\n3,7\n")
        settings = state.settings()
        for submission_id in (good, bad):
            evaluate_submission(session, settings, state.store(), submission_id)
    text = client.get("/metrics").get_data(as_text=True)
    assert _value(text, 'arena_queue_depth{class="gpu"}') == 1.0
    assert _value(text, 'arena_queue_depth{class="cpu"}') == 0.0
    assert _value(text, 'arena_queue_depth{class="large-memory"}') == 0.0
    assert _value(text, 'arena_queue_oldest_seconds{class="gpu"}') > 0.0
    assert _value(text, 'arena_failures_recent_total{class="gpu",failure_class="invalid_file"}') == 1.0
    assert _value(text, 'arena_run_seconds_count{class="gpu"}') == 2.0
    # Every finished run counts once in the shared histogram; only the scored one has a board latency.
    assert _value(text, 'arena_run_duration_seconds_count{class="gpu"}') == 2.0
    assert _value(text, 'arena_run_duration_seconds_bucket{class="gpu",le="+Inf"}') == 2.0
    assert _value(text, 'arena_board_latency_seconds_count{class="gpu"}') == 1.0
    assert _value(text, 'arena_board_latency_seconds_bucket{class="gpu",le="+Inf"}') == 1.0
    assert 0.0 <= _value(text, 'arena_board_latency_seconds_sum{class="gpu"}') < 60.0
    assert 'arena_board_latency_seconds_count{class="cpu"}' not in text
    assert "# TYPE arena_board_latency_seconds histogram" in text
    rows = client.get(f"/api/v1/phases/{world.open_phase_id}/leaderboard").get_json()
    assert [row["submission_id"] for row in rows["rows"]] == [good], rows


def test_histogram_buckets_are_cumulative_and_shared_by_every_reader(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    redis.delete(METRICS_PREFIX + "board_latency_seconds")
    for seconds in (0.001, 0.2, 0.2, 7.0, 500.0):
        observe(redis, "board_latency_seconds", "cpu", seconds)
    shares = histogram(Redis.from_url(redis_url), "board_latency_seconds")["cpu"]
    counts = dict(shares.buckets)
    assert [bound for bound, _ in shares.buckets] == [*(repr(b) for b in BOARD_BUCKETS), "+Inf"]
    assert counts["0.01"] == 1.0 and counts["0.1"] == 1.0 and counts["0.25"] == 3.0
    assert counts["5.0"] == 3.0 and counts["10.0"] == 4.0 and counts["60.0"] == 4.0 and counts["+Inf"] == 5.0
    assert shares.count == 5.0 and shares.total == pytest.approx(507.401)
