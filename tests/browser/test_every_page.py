"""Every public and participant page of the demo challenges at 360 px, and the site admin's pages, in Chromium.

The demo bundles (digits and snow-leopard) are imported; a participant with a team and a scored submission in
every result-track phase open now walks every page a participant can reach, in both languages, on a 360 px
phone; a site admin imports a bundle again and opens the moderation page. Each page gets the layout checks of
tour.py (nothing overflows the viewport, no doubled heading, no squeezed table text) and the accessibility
check (one h1, heading order, labelled fields, text contrast).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from arena import teams
from arena.challenges import PhaseState, import_bundle
from arena.challenges import phase_state as state_of
from arena.models import Challenge
from tests.browser.conftest import REPO, Site, context_for, each_language, each_width, screenshot_prefix
from tests.browser.test_journeys import PASSWORD, score_in_process
from tests.browser.tour import Tour, check_accessible
from web import state
from web.demo import DemoAccount, ensure_account
from web.extensions import db

pytestmark = pytest.mark.browser


def _log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header nav")).to_contain_text(username)


@pytest.fixture(scope="module")
def demo(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """Both demo challenges, a participant ``walker`` with a team in each and a scored sample submission in
    every open result phase, and a site admin ``siteadmin``; returns the pages to walk."""
    paths: list[str] = ["/", "/profile", "/tokens"]
    with site.app.app_context():
        session = db.session()
        import_bundle(session, state.store(), REPO / "challenges" / "snow-leopard")
        walker = ensure_account(session, DemoAccount("walker", PASSWORD, "participant"))
        ensure_account(session, DemoAccount("siteadmin", PASSWORD, "site admin", is_admin=True))
        session.commit()
        for challenge in session.query(Challenge).order_by(Challenge.id):
            team = teams.create_team(session, walker, challenge, f"走查队 walkers {challenge.slug}")
            session.commit()
            paths += [f"/c/{challenge.slug}", f"/c/{challenge.slug}/team", f"/teams/{team.id}"]
            for track in challenge.tracks:
                for phase in track.phases:
                    paths.append(f"/phases/{phase.id}/leaderboard")
                    if state_of(phase, state.now()) == PhaseState.CLOSED:
                        paths.append(f"/phases/{phase.id}/leaderboard?split=private")
                    paths += [f"/phases/{phase.id}/submit", f"/phases/{phase.id}/submissions"]
                    if phase.advancement:
                        paths.append(f"/phases/{phase.id}/entries")
        session.commit()
        db.session.remove()
    yield {"paths": paths}


def _submit_samples(page: Page, site: Site, tmp: Path) -> list[str]:
    """Upload each demo challenge's sample submission to its first open result phase; return their pages."""
    shown = []
    with site.app.app_context():
        targets = []
        for challenge in db.session().query(Challenge).order_by(Challenge.id):
            for track in challenge.tracks:
                phase = next((p for p in track.phases if state_of(p, state.now()) == PhaseState.OPEN), None)
                if track.kind == "result" and phase is not None:
                    targets.append((challenge.slug, phase.id))
                    break
        db.session.remove()
    for slug, phase_id in targets:
        page.goto(f"/c/{slug}#data")
        with page.expect_download() as download:
            page.locator("#data a", has_text="sample_submission.csv").first.click()
        sample = tmp / f"{slug}.csv"
        download.value.save_as(sample)
        page.goto(f"/phases/{phase_id}/submit")
        page.set_input_files("input[type=file]", str(sample))
        page.locator("main form button[type=submit]").click()
        expect(page.locator(".flash.success")).to_be_visible()
        number = int(page.locator("main table tbody tr").first.locator("td a").first.inner_text())
        score_in_process(site, number)
        shown.append(f"/submissions/{number}")
    return shown


@each_language
def test_every_participant_page_fits_a_phone(
    browser: Browser,
    site: Site,
    demo: dict[str, object],
    screenshots: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    language: str,
) -> None:
    """Every page a participant reaches in the demo challenges fits 360 px and passes the accessibility check."""
    context = context_for(browser, site, language, "narrow")
    page = context.new_page()
    tour = Tour(page, language, screenshots, screenshot_prefix(request))
    try:
        page.goto(f"/?lang={language}")
        _log_in(page, "walker")
        paths = [str(p) for p in demo["paths"]]  # type: ignore[attr-defined]
        submissions = _submit_samples(page, site, tmp_path)
        for path in [*paths, *submissions]:
            tour.visit(path, path.strip("/").replace("/", "_").replace("?", "_") or "home")
            check_accessible(page, path)
    finally:
        context.close()


@each_language
@each_width
def test_admin(
    browser: Browser,
    site: Site,
    demo: dict[str, object],
    screenshots: Path,
    request: pytest.FixtureRequest,
    language: str,
    width: str,
) -> None:
    """A site admin imports the digits bundle again from the import page and opens a phase's moderation page."""
    context = context_for(browser, site, language, width)
    page = context.new_page()
    tour = Tour(page, language, screenshots, screenshot_prefix(request))
    try:
        page.goto(f"/?lang={language}")
        _log_in(page, "siteadmin")
        page.locator("header a[href='/admin/import']").click()
        tour.check("import")
        check_accessible(page, "import")
        page.fill("input[name=path]", str(REPO / "challenges" / "digits"))
        page.locator("main form button[type=submit]").click()
        expect(page.locator(".flash.success")).to_be_visible()
        tour.check("imported")
        tour.visit(f"/phases/{site.phase_id}/leaderboard", "leaderboard")
        page.locator(f"a[href='/phases/{site.phase_id}/moderation']").click()
        expect(page.locator("main h1")).to_be_visible()
        tour.check("moderation")
        check_accessible(page, "moderation")
    finally:
        context.close()
