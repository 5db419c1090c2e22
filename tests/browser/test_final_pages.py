"""The on-site final's pages in Chromium, in Chinese and English, on a phone and a desktop screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from arena import finals
from arena.accounts import users as accounts
from arena.enums import ChallengeRoleKind
from arena.models import Challenge
from arena.teams import create_team
from tests.browser.conftest import Site, context_for, each_language, each_width, screenshot_prefix
from tests.browser.tour import Tour
from web.extensions import db

pytestmark = pytest.mark.browser

PASSWORD = "violet kettle under moon"
FORMULA = {"weights": {"online": 0.6, "judges": 0.4}, "tie_break": ["online", "judges"]}
# Long names without spaces, as Chinese team names and institutions are: they must wrap, not widen the page.
TEAMS = [("北京大学计算机视觉与模式识别联合实验室", "北京大学信息科学技术学院"), ("Snow Lions", "Tianjin University")]


@pytest.fixture(scope="module")
def revealed(site: Site) -> Site:
    """A revealed final on the site's challenge: two finalists named by hand and scored by one judge."""
    with site.app.app_context():
        session = db.session()
        challenge = session.query(Challenge).filter_by(slug=site.slug).one()
        organizer = accounts.create_user(session, "finorg", PASSWORD)
        accounts.grant_role(session, challenge.id, organizer, ChallengeRoleKind.ORGANIZER)
        judge = accounts.create_user(session, "finjudge", PASSWORD)
        final = finals.create_final(
            session, organizer, challenge, {"en": "On-site final", "zh": "现场决赛"}, source_phase_ids=[site.phase_id]
        )
        finals.update_final(session, organizer, final.id, formula=FORMULA)
        finals.set_rubric(session, organizer, final.id, finals.rubric_template())
        finals.announce_final(session, organizer, final.id)
        named = []
        for i, (name, institution) in enumerate(TEAMS):
            captain = accounts.create_user(session, f"fincap{i}", PASSWORD)
            team = create_team(session, captain, challenge, name, institution=institution)
            named.append(finals.add_finalist(session, organizer, final.id, team.id, "invited"))
        finals.invite_judge(session, organizer, final.id, "finjudge")
        finals.open_scoring(session, organizer, final.id)
        for finalist, points in zip(named, (8, 6), strict=True):
            for criterion in finals.rubric(session, final.id):
                finals.save_mark(session, judge, finalist.id, criterion.id, points)
        finals.lock_final(session, organizer, final.id)
        finals.reveal_final(session, organizer, final.id)
        session.commit()
        db.session.remove()
    return site


@each_language
@each_width
def test_final_pages(
    browser: Browser, revealed: Site, screenshots: Path, request: pytest.FixtureRequest, language: str, width: str
) -> None:
    """Anyone reads the revealed final, steps through the projector page and sees the certificates;
    the organizer opens the final's own page."""
    site = revealed
    context = context_for(browser, site, language, width)
    page = context.new_page()
    tour = Tour(page, language, screenshots, screenshot_prefix(request))
    try:
        tour.visit(f"/c/{site.slug}/final?lang={language}", "final")
        expect(page.locator("#result table")).to_contain_text(TEAMS[0][0])
        tour.visit(f"/c/{site.slug}/final/present", "present")
        page.locator("#present-next").click()
        page.keyboard.press("ArrowRight")
        expect(page.locator("#present-done")).to_be_visible()
        tour.check("present-shown")
        tour.visit(f"/c/{site.slug}/final/certificates", "certificates")
        expect(page.locator(".certificate")).to_have_count(2)

        tour.visit("/login", "login")
        page.fill("input[name=username]", "finorg")
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("header nav")).to_contain_text("finorg")
        tour.visit(f"/c/{site.slug}/final/manage", "manage")
        expect(page.locator("#preview table").first).to_contain_text(TEAMS[1][0])
    finally:
        context.close()
