"""Fixtures for the web tests: an app on a temporary SQLite database and a small open challenge."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from arena.accounts import users as accounts
from arena.db import Base, utcnow
from arena.enums import ChallengeRoleKind
from arena.evaluation.pipeline import evaluate_submission
from arena.models import Challenge, ChallengeFile, Phase, Track, User
from arena.settings import Settings
from sandbox import Runner
from tests.factories import accepted_unchecked
from web import create_app, state
from web.extensions import db
from web.state import current_state

PASSWORD = "correct-horse-battery"
LABELS = b"id,label\n1,3\n2,5\n3,7\n"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)" name="csrf_token"')


@dataclass(frozen=True)
class World:
    """Ids of the objects the tests act on."""

    slug: str
    open_phase_id: int
    closed_phase_id: int
    public_file_id: int
    labels_sha256: str


@pytest.fixture
def settings(tmp_path: Path, redis_url: str) -> Settings:
    """Settings on a temporary data folder, with a small upload limit; rate limits count in the private Redis."""
    return Settings.from_env(
        {},
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path}/arena.sqlite",
        secret_key="test-secret",
        testing=True,
        max_upload_bytes=64 * 1024,
        queue_name=f"test-web-{uuid.uuid4().hex[:8]}",
        default_locale="en",
        # Nothing listens here: uploads must still become queued submissions (the reconciler enqueues later).
        redis_url="redis://127.0.0.1:1/0",
        limits_redis_url=redis_url,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """The app with an empty schema."""
    flask_app = create_app(settings)
    with flask_app.app_context():
        Base.metadata.create_all(db.engine)
    yield flask_app
    with flask_app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client."""
    return app.test_client()


def _phase(track: Track, slug: str, opens_delta: timedelta, closes_delta: timedelta, labels: str) -> Phase:
    now = utcnow()
    return Phase(
        track=track,
        slug=slug,
        title={"en": f"Phase {slug}", "zh": f"阶段 {slug}"},
        opens_at=now + opens_delta,
        closes_at=now + closes_delta,
        daily_quota=2,
        total_quota=10,
        public_fraction=0.5,
        split_seed="seed",
        labels_sha256=labels,
        labels_rows=3,
        position=0 if slug == "open" else 1,
    )


@pytest.fixture
def world(app: Flask) -> World:
    """A published challenge with a result track, an open and a closed phase, a public file and hidden labels."""
    with app.app_context():
        store = current_state().store
        labels_sha = store.put_bytes(LABELS)
        file_sha = store.put_bytes(b"id,label\n1,0\n2,0\n3,0\n")
        challenge = Challenge(
            slug="demo",
            title={"en": "Demo challenge", "zh": "演示赛题"},
            summary={"en": "Try it", "zh": "试一试"},
            text={
                "description": {"en": "# About\n\nHello <script>alert(1)</script>", "zh": "# 简介\n\n你好"},
                "rules": {"en": "- be fair", "zh": "- 公平"},
                "data": {"en": "Data", "zh": "数据"},
            },
            team_size_max=2,
        )
        track = Track(
            challenge=challenge,
            slug="main",
            title={"en": "Main", "zh": "主赛道"},
            scorer="accuracy",
            id_column="id",
            target_columns=["label"],
            precision=3,
            max_upload_bytes=32 * 1024,
        )
        open_phase = _phase(track, "open", timedelta(days=-1), timedelta(days=30), labels_sha)
        closed_phase = _phase(track, "past", timedelta(days=-30), timedelta(days=-2), labels_sha)
        public = ChallengeFile(
            challenge=challenge,
            path="public/sample_submission.csv",
            title={"en": "Sample", "zh": "样例"},
            sha256=file_sha,
            size=22,
        )
        db.session.add_all([challenge, track, open_phase, closed_phase, public])
        db.session.commit()
        return World("demo", open_phase.id, closed_phase.id, public.id, labels_sha)


def make_user(app: Flask, username: str, *, admin: bool = False, organizer_of: str | None = None) -> None:
    """Create an account directly through the service."""
    with app.app_context():
        user = accounts.create_user(db.session(), username, PASSWORD, is_admin=admin)
        if organizer_of:
            challenge = db.session.query(Challenge).filter_by(slug=organizer_of).one()
            accounts.grant_role(db.session(), challenge.id, user, ChallengeRoleKind.ORGANIZER)
        db.session.commit()


def token_for(client: FlaskClient, username: str) -> dict[str, str]:
    """Return an Authorization header for a fresh API token of ``username``."""
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def csrf_from(html: str) -> str:
    """Return the CSRF token of the first form on a page."""
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def login(client: FlaskClient, username: str) -> None:
    """Log in through the login form."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


def api_team(client: FlaskClient, headers: dict[str, str], name: str, slug: str = "demo") -> dict[str, object]:
    """Create a team through the API."""
    response = client.post(f"/api/v1/challenges/{slug}/teams", json={"name": name}, headers=headers)
    assert response.status_code == 201, response.get_json()
    data: dict[str, object] = response.get_json()
    return data


@dataclass(frozen=True)
class FailedPages:
    """What a failed submission shows: the API's error and its page in Chinese and in English."""

    status: str
    api_error: str
    zh_page: str
    en_page: str


def failed_submission(
    app: Flask, client: FlaskClient, phase_id: int, upload: bytes, filename: str, runner: Runner | None = None
) -> FailedPages:
    """Have a new user's team upload a file, evaluate it in this process, and fetch what it then shows."""
    make_user(app, "ann")
    ann = token_for(client, "ann")
    api_team(client, ann, "Ann")
    sent = client.post(
        f"/api/v1/phases/{phase_id}/submissions",
        headers=ann,
        data={"file": (io.BytesIO(upload), filename)},
        content_type="multipart/form-data",
    )
    if sent.status_code == 422 and runner is None:
        # A result file the upload refuses; the worker's own check (kept in depth) is what this shows.
        with app.app_context():
            user = db.session.scalar(select(User).where(User.username == "ann"))
            phase = db.session.get(Phase, phase_id)
            assert user is not None and phase is not None
            submission_id = accepted_unchecked(db.session(), state.store(), user, phase, upload).id
    else:
        assert sent.status_code == 202, sent.get_json()
        submission_id = sent.get_json()["id"]
    with app.app_context():
        evaluate_submission(db.session(), state.settings(), state.store(), submission_id, runner)
    body = client.get(f"/api/v1/submissions/{submission_id}", headers=ann).get_json()
    login(client, "ann")
    return FailedPages(
        status=body["status"],
        api_error=body.get("error") or "",
        zh_page=client.get(f"/submissions/{submission_id}?lang=zh-CN").get_data(as_text=True),
        en_page=client.get(f"/submissions/{submission_id}?lang=en").get_data(as_text=True),
    )
