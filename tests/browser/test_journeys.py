"""Journeys through the site in Chromium, in Chinese and English, on a phone and a desktop screen."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from arena.evaluation.pipeline import evaluate_submission
from tests.browser.conftest import Site, context_for, each_language, each_width, screenshot_prefix
from tests.browser.tour import Tour
from web import state
from web.extensions import db

pytestmark = pytest.mark.browser

# Long enough, no run, not common, free of the username: passes arena/accounts/password_rules.py.
PASSWORD = "violet kettle under moon"


def score_in_process(site: Site, submission_id: int) -> None:
    """Evaluate a queued submission here, as a worker would (the tests start no worker)."""
    with site.app.app_context():
        evaluate_submission(db.session(), state.settings(), state.store(), submission_id, None)
        db.session.remove()


@each_language
@each_width
def test_participant(
    browser: Browser,
    site: Site,
    screenshots: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    language: str,
    width: str,
) -> None:
    """Register, create a team, read the data, download the sample, submit it, see it scored, open the board."""
    context = context_for(browser, site, language, width)
    page = context.new_page()
    tour = Tour(page, language, screenshots, screenshot_prefix(request))
    name = f"p{uuid.uuid4().hex[:10]}"
    try:
        tour.visit(f"/?lang={language}", "challenges")

        page.locator("header a[href^='/register']").click()
        tour.check("register")
        page.fill("input[name=username]", name)
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=confirm]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page.locator(".flash.success")).to_contain_text(name)
        expect(page.locator("header nav")).to_contain_text(name)

        page.locator(f"main a[href='/c/{site.slug}']").click()
        tour.check("challenge")
        page.locator(f"nav.tabs a[href='/c/{site.slug}/team']").click()
        tour.check("team-form")
        # A long name without spaces, as Chinese team names are: it must wrap, not widen the page.
        team = f"北京大学计算机视觉与模式识别联合实验室{name}" if language.startswith("zh") else f"Team {name}"
        page.fill("form[action$='/team/create'] input[name=name]", team)
        page.locator("form[action$='/team/create'] button[type=submit]").click()
        expect(page.locator(".flash.success")).to_contain_text(team)
        tour.check("team")

        tour.visit(f"/c/{site.slug}#data", "data")
        with page.expect_download() as download:
            page.locator("#data a", has_text="sample_submission.csv").click()
        sample = tmp_path / "sample_submission.csv"
        download.value.save_as(sample)
        assert sample.read_text(encoding="utf-8").startswith("id,label\n")

        page.locator(f"a[href='/phases/{site.phase_id}/submit']").first.click()
        tour.check("submit")
        page.set_input_files("input[type=file]", str(sample))
        page.locator("main form button[type=submit]").click()
        expect(page.locator(".flash.success")).to_be_visible()
        row = page.locator("main table tbody tr").first
        expect(row.locator(".badge.status-queued")).to_be_visible()
        tour.check("submissions-queued")

        # The worker's part; the page learns of it by polling, with no reload: a marker set on the window
        # now would be gone after a reload.
        page.evaluate("window.__notReloaded = true")
        score_in_process(site, int(row.locator("td a").first.inner_text()))
        expect(page.locator("main table tbody tr").first.locator(".badge.status-scored")).to_be_visible()
        assert page.evaluate("window.__notReloaded === true"), "the page reloaded to show the new status"
        tour.check("submissions-scored")
        page.locator("main table tbody tr").first.locator("td a").first.click()
        expect(page.locator("main .badge.status-scored").first).to_be_visible()
        tour.check("submission")

        page.locator(f"nav.tabs a[href='/phases/{site.phase_id}/leaderboard']").click()
        expect(page.locator("table.board tr.own")).to_contain_text(team)
        tour.check("leaderboard")
        rank = page.locator("table.board tr.own td").first.inner_text().strip()

        # The challenge page names the same rank plainly and lists the team's scored submission.
        tour.visit(f"/c/{site.slug}#standing", "standing")
        expect(page.locator("#standing .rank-box strong").first).to_have_text(rank)
        expect(page.locator("#standing table.history tbody tr")).to_have_count(1)
    finally:
        context.close()


@each_language
@each_width
def test_anonymous(
    browser: Browser, site: Site, screenshots: Path, request: pytest.FixtureRequest, language: str, width: str
) -> None:
    """A visitor who is not logged in reads the challenge list, a challenge page, its leaderboard and the login form."""
    context = context_for(browser, site, language, width)
    page = context.new_page()
    tour = Tour(page, language, screenshots, screenshot_prefix(request))
    try:
        tour.visit(f"/?lang={language}", "challenges")
        page.locator(f"main a[href='/c/{site.slug}']").click()
        expect(page.locator("h1")).to_be_visible()
        tour.check("challenge")
        page.locator(f"a[href='/phases/{site.phase_id}/leaderboard']").first.click()
        expect(page.locator("table.board")).to_be_visible()
        tour.check("leaderboard")
        page.locator("header a[href^='/login']").click()
        expect(page.locator("input[name=password]")).to_be_visible()
        tour.check("login")
    finally:
        context.close()
