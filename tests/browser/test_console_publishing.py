"""The organizer's data, dry-run and publishing pages in Chromium, in Chinese and English, on a phone and a desktop."""

from __future__ import annotations

import io
import itertools
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import delete

from arena.accounts import users as accounts
from arena.enums import ChallengeRoleKind
from arena.models import Challenge, DryRun
from tests.browser.conftest import Site, context_for, each_language, each_width, screenshot_prefix
from tests.browser.tour import Tour
from web import state
from web.extensions import db

pytestmark = pytest.mark.browser

PASSWORD = "amber lantern over river"
ORGANIZER = "dataorg"
RUNS = itertools.count(1)


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


def _unpublished_with_new_key(site: Site, tmp_path: Path) -> Path:
    """Take the challenge back to unpublished, with no dry run; return a corrected key file to upload."""
    with site.app.app_context():
        session = db.session()
        challenge = session.query(Challenge).filter_by(slug=site.slug).one()
        challenge.is_published = False
        session.execute(delete(DryRun).where(DryRun.challenge_id == challenge.id))
        key = state.store().read_bytes(challenge.tracks[0].phases[0].labels_sha256).decode()
        session.commit()
        db.session.remove()
    lines = key.splitlines()
    run = next(RUNS)
    row_id, label = lines[run].split(",")
    lines[run] = f"{row_id},{(int(label) + 1) % 10}"  # a different key on every run
    path = tmp_path / "labels.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@each_language
@each_width
def test_organizer_uploads_a_key_runs_the_dry_run_and_publishes(
    browser: Browser,
    organizer: Site,
    screenshots: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    language: str,
    width: str,
) -> None:
    """Log in, refuse a broken key, install a good one with a reason, run the dry run, publish, see the catalog."""
    site = organizer
    key = _unpublished_with_new_key(site, tmp_path)
    broken = tmp_path / "broken.csv"
    broken.write_text("id,label\n1,3\n1,4\n", encoding="utf-8")
    context = context_for(browser, site, language, width)
    page = context.new_page()
    tour = Tour(page, language, screenshots, screenshot_prefix(request))
    try:
        tour.visit(f"/login?lang={language}", "login")
        page.fill("input[name=username]", ORGANIZER)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("header nav")).to_contain_text(ORGANIZER)

        tour.visit(f"/c/{site.slug}", "challenge")
        page.locator(".console-link a[href$='/manage']").click()
        tour.check("console")
        page.locator(".console-links a[href$='/manage/data']").click()
        tour.check("data")
        form = page.locator(f"#key-{site.phase_id}")
        form.locator("input[type=file]").set_input_files(str(broken))
        form.locator("input[name=reason]").fill("wrong labels in rows 12 and 40")
        form.locator("button[type=submit]").click()
        expect(page.locator(".flash.error")).to_contain_text("line 2")
        tour.check("key-refused")

        form = page.locator(f"#key-{site.phase_id}")
        form.locator("input[type=file]").set_input_files(str(key))
        form.locator("input[name=reason]").fill("wrong labels in rows 12 and 40")
        form.locator("button[type=submit]").click()
        expect(page.locator(".flash.success")).to_contain_text("540")
        tour.check("key-replaced")

        page.locator("main a[href$='/manage/dry-run']").first.click()
        expect(page.locator("#publish-state")).to_be_visible()
        tour.check("dry-run-empty")
        page.locator("#publish").click()
        expect(page.locator(".flash.error")).to_be_visible()
        page.locator("#start-dry-run").click()
        expect(page.locator(".flash.success")).to_be_visible()
        baseline = page.locator("tr.dry-run-entry[data-reference=baseline]")
        expect(baseline).to_have_attribute("data-status", "scored")
        expect(baseline).to_contain_text("0.9")
        tour.check("dry-run-done")
        page.locator("#publish").click()
        expect(page.locator(".flash.success")).to_be_visible()
        tour.check("published")

        with page.expect_download() as download:
            page.locator("main a[href$='/manage/export']").first.click()
        with zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())) as bundle:
            assert bundle.read("hidden/classify/open/labels.csv") == key.read_bytes()

        anonymous = context_for(browser, site, language, width)
        try:
            catalog = anonymous.new_page()
            catalog.goto(f"/?lang={language}")
            expect(catalog.locator(f"main a[href='/c/{site.slug}']")).to_be_visible()
        finally:
            anonymous.close()
    finally:
        context.close()
