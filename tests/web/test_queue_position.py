"""A queued submission shows its place in the queue and an estimated start, on its page and in the API."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from arena.evaluation.heartbeats import Heartbeat, beat, key_of
from arena.runtime import redis_connection
from arena.settings import Settings
from tests.web.conftest import World, api_team, login, make_user, token_for


@pytest.fixture
def settings(settings: Settings, redis_url: str) -> Settings:
    """The web tests' settings, with the real Redis where workers' heartbeats live."""
    return dataclasses.replace(settings, redis_url=redis_url)


def _upload(client: FlaskClient, headers: dict[str, str], phase_id: int) -> int:
    sent = client.post(
        f"/api/v1/phases/{phase_id}/submissions",
        headers=headers,
        data={"file": (io.BytesIO(b"id,label\n1,3\n2,5\n3,0\n"), "p.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 202, sent.get_json()
    return int(sent.get_json()["id"])


def test_queued_submissions_show_their_place(app: Flask, client: FlaskClient, world: World, settings: Settings) -> None:
    for name in ("ann", "bob"):
        make_user(app, name)
    ann, bob = token_for(client, "ann"), token_for(client, "bob")
    api_team(client, ann, "Ann")
    api_team(client, bob, "Bob")
    first = _upload(client, ann, world.open_phase_id)
    second = _upload(client, ann, world.open_phase_id)
    bobs = _upload(client, bob, world.open_phase_id)
    # Bob's single submission comes before Ann's second: one turn per team.
    places = {
        sid: client.get(f"/api/v1/submissions/{sid}", headers=ann if sid != bobs else bob).get_json()["queue"]
        for sid in (first, second, bobs)
    }
    assert [places[s]["position"] for s in (first, bobs, second)] == [1, 2, 3]
    assert places[first] == {"position": 1, "resource_class": "cpu", "workers": 0, "eta_seconds": None}
    login(client, "ann")
    zh = client.get(f"/submissions/{second}?lang=zh-CN").get_data(as_text=True)
    assert "cpu 队列中第 3 位" in zh and "目前没有工作节点服务此队列" in zh
    redis = redis_connection(settings.redis_url)
    now = datetime.now(UTC)
    beat(redis, Heartbeat("w-page", "host", 1, ("cpu",), now, now, settings.queue_name), 60)
    try:
        en = client.get(f"/submissions/{first}?lang=en").get_data(as_text=True)
        # A worker is free but nothing has run yet in the class: the place shows, without a guess at the time.
        assert "Number 1 in the cpu queue" in en and "no worker serves" not in en
        live = client.get(f"/submissions/{first}/status").get_json()
        assert "Number 1 in the cpu queue" in live["cells"]["queue"]
    finally:
        redis.delete(key_of(Heartbeat("w-page", "host", 1, ("cpu",), now, now, settings.queue_name)))
