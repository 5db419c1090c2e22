"""Browser fixtures: the real app served over HTTP in a thread, seeded with the digits challenge, and Chromium.

The server and the browser are started once per test module and stopped after it; each test gets its own
browser context (cookies, language, viewport), so tests do not see each other's sessions.
"""

from __future__ import annotations

import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, sync_playwright
from werkzeug.serving import make_server

from arena.challenges.bundles import import_bundle
from arena.db import Base
from arena.models import Challenge
from arena.settings import Settings
from web import create_app, state
from web.extensions import db

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "var" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking"]
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
LANGUAGES = ("zh-CN", "en")
WIDTHS = {"phone": (360, 780), "desktop": (1280, 800)}
# Not in each_width: a single walk of every page at the narrowest width (a 360 px phone).
EXTRA_WIDTHS = {"narrow": (360, 740)}

each_language = pytest.mark.parametrize("language", LANGUAGES)
each_width = pytest.mark.parametrize("width", list(WIDTHS))


@dataclass(frozen=True)
class Site:
    """The running app: its address, the app object (for in-process work like scoring) and what it holds."""

    url: str
    app: Flask
    slug: str
    phase_id: int


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Site]:
    """The app on a fresh SQLite database with the digits challenge imported, served on a free local port."""
    root = tmp_path_factory.mktemp("browser-site")
    settings = Settings.from_env(
        {},
        data_dir=root,
        database_url=f"sqlite:///{root}/arena.sqlite",
        secret_key="browser-test-secret",
        testing=True,
        queue_name=f"test-browser-{uuid.uuid4().hex[:8]}",
        redis_url=redis_url,
    )
    app = create_app(settings)
    with app.app_context():
        Base.metadata.create_all(db.engine)
        report = import_bundle(db.session(), state.store(), REPO / "challenges" / "digits")
        db.session.commit()
        challenge = db.session.get(Challenge, report.challenge_id)
        assert challenge is not None
        site_value = Site("", app, challenge.slug, challenge.tracks[0].phases[0].id)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", app, site_value.slug, site_value.phase_id)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


def chromium_path() -> str:
    """Return Debian's chromium, or fail saying how to install it (these tests are never skipped)."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        pytest.fail("chromium is not installed: run `make test` (it installs chromium and fonts-noto-cjk)")
    if not CJK_FONT.exists():
        pytest.fail("fonts-noto-cjk is not installed: run `make test` (it installs chromium and fonts-noto-cjk)")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium, driven by Playwright, launched once per test module."""
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def context_for(browser: Browser, site: Site, language: str, width: str) -> BrowserContext:
    """A fresh browser context at one of the tested widths, asking for ``language`` first."""
    w, h = {**WIDTHS, **EXTRA_WIDTHS}[width]
    context = browser.new_context(
        base_url=site.url,
        viewport={"width": w, "height": h},
        locale=language,
        extra_http_headers={"Accept-Language": language},
        accept_downloads=True,
    )
    context.set_default_timeout(10_000)
    return context


def screenshot_prefix(request: pytest.FixtureRequest) -> str:
    """A file-name prefix for one test: its name and parameters, e.g. ``participant-zh-CN-phone``."""
    name = request.node.name.removeprefix("test_")
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


@pytest.fixture
def screenshots() -> Path:
    """The folder CI keeps: var/screenshots in the repository."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
