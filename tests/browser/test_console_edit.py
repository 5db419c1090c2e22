"""An organizer edits a running phase on a 390 px phone in Chromium: a refused value is kept and explained, an
unfair change asks for a reason, the pages editor previews Markdown as the site renders it, and the pages and
scorer options are checked while typing."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from arena.accounts import users as accounts
from arena.enums import ChallengeRoleKind
from arena.models import AuditEvent, Challenge, Phase
from tests.browser.conftest import Site, each_language, screenshot_prefix
from tests.browser.tour import Tour, check_accessible
from web.extensions import db

pytestmark = pytest.mark.browser

PASSWORD = "copper kettle under moon"
ORGANIZER = "editorg"
PHONE = {"width": 390, "height": 844}


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


def _fraction(site: Site) -> float:
    with site.app.app_context():
        phase = db.session.get(Phase, site.phase_id)
        assert phase is not None
        value = phase.public_fraction
        db.session.remove()
    return value


@each_language
def test_organizer_edits_a_running_phase_on_a_phone(
    browser: Browser, organizer: Site, screenshots: Path, request: pytest.FixtureRequest, language: str
) -> None:
    """Log in, open the phase, see a bad quota explained while typing and on saving, give a reason for a new split."""
    site = organizer
    before = _fraction(site)
    after = round(0.25 if before != 0.25 else 0.35, 2)
    context = browser.new_context(
        base_url=site.url, viewport=PHONE, locale=language, extra_http_headers={"Accept-Language": language}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    tour = Tour(page, language, screenshots, screenshot_prefix(request))
    try:
        tour.visit(f"/login?lang={language}", "login")
        page.fill("input[name=username]", ORGANIZER)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("header nav")).to_contain_text(ORGANIZER)

        tour.visit(f"/c/{site.slug}/manage", "console")
        page.locator(".console-links a[href$='/manage/phases']").click()
        tour.check("phases")
        page.locator(f"a[href$='/manage/phases/{site.phase_id}']").click()
        tour.check("phase")
        check_accessible(page, "phase form")

        page.fill("#daily_quota", "0")
        # The live check answers while typing, before anything is sent to be saved.
        expect(page.locator("#problem-daily_quota")).to_contain_text("must be a whole number from 1 to 10000")
        page.locator("#phase-form button[type=submit]").click()
        tour.check("refused")
        expect(page.locator("#problem-daily_quota")).to_contain_text("must be a whole number from 1 to 10000")
        expect(page.locator("#daily_quota")).to_have_value("0")

        page.fill("#daily_quota", "5")
        page.fill("#public_fraction", str(after))
        expect(page.locator("#unfair-note")).to_contain_text("public_fraction")
        page.locator("#phase-form button[type=submit]").click()
        tour.check("reason-asked")
        expect(page.locator("#problem-reason")).to_contain_text("public_fraction")
        expect(page.locator("#public_fraction")).to_have_value(str(after))
        page.fill("#reason", "the public part was too small to rank on")
        page.locator("#phase-form button[type=submit]").click()
        tour.check("saved")
        expect(page.locator(".flash.success")).to_be_visible()
        assert _fraction(site) == after
        with site.app.app_context():
            event = db.session.query(AuditEvent).filter_by(action="phase.settings_changed").order_by(
                AuditEvent.id.desc()).first()  # fmt: skip
            assert event is not None and event.data["after"]["public_fraction"] == after
            db.session.remove()

        tour.visit(f"/c/{site.slug}/manage/texts", "texts")
        page.fill("#rules_en", "> quoted rule\n\n- one\n- two")
        page.locator("button.preview-button[data-source=rules_en]").click()
        expect(page.locator("#preview-rules_en blockquote")).to_contain_text("quoted rule")
        tour.check("preview")
        # The pages and the scorer options are checked while typing too, without a reload.
        page.fill("#rules_zh", "")
        expect(page.locator("#problem-rules_zh")).to_have_text("must be a non-empty text")
        expect(page.locator("#rules_zh")).to_have_attribute("aria-invalid", "true")
        tour.check("texts-live-problem")
        page.fill("#rules_zh", "规则")
        expect(page.locator("#problem-rules_zh")).to_have_text("")
        tour.visit(f"/c/{site.slug}/manage/phases", "phases-again")
        page.locator("a[href*='/manage/tracks/'][href$='/scorer']").first.click()
        page.fill("#scorer_options", "beta: 2")
        expect(page.locator("#problem-scorer")).to_contain_text("has no option")
        tour.check("scorer-live-problem")
        page.fill("#scorer_options", "k: [")
        expect(page.locator("#problem-scorer_options")).to_contain_text("is not valid YAML")
        expect(page.locator("#problem-scorer")).to_have_text("")
    finally:
        context.close()
