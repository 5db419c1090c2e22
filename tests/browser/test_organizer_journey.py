"""An organizer in Chromium raises a running phase's daily quota in the console, sees the rules' key facts follow
at once, and rescores the phase, following its progress — in both languages, on a phone and on a desktop."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from playwright.sync_api import Browser, expect

from arena.accounts import users as accounts
from arena.enums import ChallengeRoleKind, SubmissionStatus
from arena.evaluation.pipeline import evaluate_submission
from arena.models import Challenge, Phase, RescoreRun, Submission
from tests.browser.conftest import LANGUAGES, WIDTHS, Site, context_for, each_language, each_width, screenshot_prefix
from tests.browser.tour import Tour, check_accessible
from tests.factories import make_team, upload
from web import state
from web.extensions import db

pytestmark = pytest.mark.browser

PASSWORD = "copper kettle under moon"
ORGANIZER = "quotaorg"
# Each run raises the quota to its own number, so that the rules can only show it if they follow the setting.
QUOTAS = {
    (language, width): 11 + i for i, (language, width) in enumerate((lang, w) for lang in LANGUAGES for w in WIDTHS)
}


def _run_queued(site: Site) -> int:
    """Score every queued submission here, as a worker would (the tests start no worker); return how many."""
    with site.app.app_context():
        session = db.session()
        queued = session.query(Submission.id).filter_by(status=SubmissionStatus.QUEUED).all()
        for (submission_id,) in queued:
            evaluate_submission(session, state.settings(), state.store(), submission_id, None)
        db.session.remove()
    return len(queued)


@pytest.fixture(scope="module")
def organizer(site: Site) -> Site:
    """An organizer of the site's challenge, and a team with a scored submission, so that a rescore has work."""
    with site.app.app_context():
        session = db.session()
        challenge = session.query(Challenge).filter_by(slug=site.slug).one()
        user = accounts.create_user(session, ORGANIZER, PASSWORD)
        accounts.grant_role(session, challenge.id, user, ChallengeRoleKind.ORGANIZER)
        solver = accounts.create_user(session, "quotasolver", PASSWORD)
        session.commit()
        make_team(session, solver, challenge)
        sample = next(f for f in challenge.files if PurePosixPath(f.path).name == "sample_submission.csv")
        phase = session.get(Phase, site.phase_id)
        assert phase is not None
        upload(session, state.store(), solver, phase, state.store().read_bytes(sample.sha256))
        db.session.remove()
    assert _run_queued(site) == 1
    return site


@each_language
@each_width
def test_organizer_raises_a_quota_sees_the_rules_follow_and_rescores(  # noqa: PLR0913
    browser: Browser,
    organizer: Site,
    screenshots: Path,
    request: pytest.FixtureRequest,
    language: str,
    width: str,
) -> None:
    """Log in, raise the daily quota (fair: no reason asked), read it in the key facts, rescore and see it finish."""
    site = organizer
    quota = QUOTAS[(language, width)]
    context = context_for(browser, site, language, width)
    page = context.new_page()
    tour = Tour(page, language, screenshots, screenshot_prefix(request))
    try:
        tour.visit(f"/login?lang={language}", "login")
        page.fill("input[name=username]", ORGANIZER)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("header nav")).to_contain_text(ORGANIZER)

        tour.visit(f"/c/{site.slug}/manage/phases/{site.phase_id}", "phase")
        page.fill("#daily_quota", str(quota))
        expect(page.locator("#unfair-note")).to_be_hidden()
        page.locator("#phase-form button[type=submit]").click()
        expect(page.locator(".flash.success")).to_be_visible()
        tour.check("quota-saved")

        tour.visit(f"/c/{site.slug}#key-facts", "rules")
        facts = page.locator(f"#key-facts dl[data-phase='{site.phase_id}']")
        expect(facts).to_contain_text(str(quota))
        tour.check("rules-follow")
        facts.screenshot(path=str(screenshots / f"{screenshot_prefix(request)}-key-facts.png"))

        tour.visit(f"/phases/{site.phase_id}/rescoring", "rescoring")
        check_accessible(page, "the rescoring page")
        page.fill("#reason", f"checking the scorer after the quota became {quota}")
        page.locator("main form button[type=submit]").click()
        expect(page.locator(".flash.success")).to_be_visible()
        newest = page.locator("tr.rescore-run").first
        expect(newest).to_have_attribute("data-total", "1")
        expect(newest).to_have_attribute("data-done", "0")
        assert _run_queued(site) == 1
        page.reload()
        expect(page.locator("tr.rescore-run").first).to_have_attribute("data-done", "1")
        tour.check("rescored")
    finally:
        context.close()
    with site.app.app_context():
        phase = db.session.get(Phase, site.phase_id)
        assert phase is not None and phase.daily_quota == quota
        run = db.session.query(RescoreRun).order_by(RescoreRun.id.desc()).first()
        assert run is not None and str(quota) in run.reason
        db.session.remove()
