"""An organizer edits a track and adds and removes a phase in Chromium, on a phone and on a desktop: refused
values are kept and explained beside the fields while typing and on saving, and no page sticks out sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from arena.accounts import users as accounts
from arena.enums import ChallengeRoleKind
from arena.models import AuditEvent, Challenge, Phase, Track
from tests.browser.conftest import Site, context_for, screenshot_prefix
from tests.browser.tour import Tour, check_accessible
from web import state
from web.extensions import db

pytestmark = pytest.mark.browser

PASSWORD = "violet anchor behind hill"
ORGANIZER = "trackorg"


@pytest.fixture(scope="module")
def organizer(site: Site) -> Site:
    """An organizer of the site's challenge."""
    with site.app.app_context():
        session = db.session()
        challenge = session.query(Challenge).filter_by(slug=site.slug).one()
        user = accounts.create_user(session, ORGANIZER, PASSWORD)
        accounts.grant_role(session, challenge.id, user, ChallengeRoleKind.ORGANIZER)
        session.commit()
        db.session.remove()
    return site


def _key_file(site: Site, folder: Path) -> tuple[Path, int]:
    """The running phase's hidden key written to a file (a valid key for a new phase of the same track)."""
    with site.app.app_context():
        phase = db.session.get(Phase, site.phase_id)
        assert phase is not None
        path = folder / "key.csv"
        path.write_bytes(state.store().read_bytes(phase.labels_sha256))
        track_id = phase.track_id
        db.session.remove()
    return path, track_id


@pytest.mark.parametrize(("language", "width"), [("zh-CN", "phone"), ("en", "desktop")])
def test_organizer_edits_a_track_and_adds_and_removes_a_phase(  # noqa: PLR0913
    browser: Browser,
    organizer: Site,
    screenshots: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    language: str,
    width: str,
) -> None:
    """Log in, rename the track after a refused empty title, add a phase after a refused slug, then remove it."""
    site = organizer
    key, track_id = _key_file(site, tmp_path)
    slug = f"extra-{width}"
    context = context_for(browser, site, language, width)
    page = context.new_page()
    tour = Tour(page, language, screenshots, screenshot_prefix(request))
    try:
        tour.visit(f"/login?lang={language}", "login")
        page.fill("input[name=username]", ORGANIZER)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("header nav")).to_contain_text(ORGANIZER)

        tour.visit(f"/c/{site.slug}/manage", "console")
        page.locator(".console-links a[href$='/manage/tracks']").click()
        tour.check("tracks")
        page.locator(f"a[href$='/manage/tracks/{track_id}']").click()
        tour.check("track")
        check_accessible(page, "track form")

        page.fill("#title_zh", "")
        # The live check answers while typing, before anything is sent to be saved.
        expect(page.locator("#problem-title_zh")).to_contain_text("must be a non-empty text")
        page.fill("#title_en", "Digits, renamed")
        page.locator("#track-form button[type=submit]").click()
        tour.check("track-refused")
        expect(page.locator("#problem-title_zh")).to_contain_text("must be a non-empty text")
        expect(page.locator("#title_en")).to_have_value("Digits, renamed")
        page.fill("#title_zh", f"数字 {width}")
        page.locator("#track-form button[type=submit]").click()
        tour.check("track-saved")
        expect(page.locator(".flash.success")).to_be_visible()
        with site.app.app_context():
            track = db.session.get(Track, track_id)
            assert track is not None and track.title == {"en": "Digits, renamed", "zh": f"数字 {width}"}
            db.session.remove()

        tour.visit(f"/c/{site.slug}/manage/tracks/{track_id}/phases/new", "new-phase")
        check_accessible(page, "new phase form")
        page.fill("#slug", "Bad Slug!")
        expect(page.locator("#problem-slug")).to_contain_text("must be 2–64 lower-case letters")
        page.fill("#title_en", "Extra round")
        page.fill("#title_zh", "加赛")
        page.fill("#opens", "2030-01-01T08:00")
        page.fill("#closes", "2030-02-01T08:00")
        page.fill("#public_fraction", "0.4")
        page.set_input_files("#labels", str(key))
        page.locator("#new-phase-form button[type=submit]").click()
        tour.check("phase-refused")
        expect(page.locator("#problem-slug")).to_contain_text("must be 2–64 lower-case letters")
        expect(page.locator("#title_en")).to_have_value("Extra round")
        page.fill("#slug", slug)
        page.set_input_files("#labels", str(key))
        page.locator("#new-phase-form button[type=submit]").click()
        tour.check("phase-added")
        expect(page.locator(".flash.success")).to_be_visible()
        expect(page.locator("main")).to_contain_text("Extra round" if language == "en" else "加赛")

        with site.app.app_context():
            phase = db.session.query(Phase).filter_by(slug=slug).one()
            phase_id = phase.id
            db.session.remove()
        page.locator(f"form[action$='/manage/phases/{phase_id}/remove'] button").click()
        tour.check("phase-removed")
        expect(page.locator(".flash.success")).to_be_visible()
        with site.app.app_context():
            assert db.session.query(Phase).filter_by(slug=slug).count() == 0
            actions = {e.action for e in db.session.query(AuditEvent).all()}
            assert {"track.changed", "phase.added", "phase.removed"} <= actions
            db.session.remove()
    finally:
        context.close()
