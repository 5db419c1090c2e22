"""The respondent's and sponsor's journey through a demand in Chromium, in Chinese and English, phone and desktop."""

from __future__ import annotations

import itertools
from dataclasses import fields
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from arena.models import DemandMatch
from tests.arena.demands_world import DemandsWorld, build_demands_world, published_demand
from tests.browser.conftest import Site, context_for, each_language, each_width, screenshot_prefix
from tests.browser.tour import Tour
from tests.factories import PASSWORD
from web.extensions import db

pytestmark = pytest.mark.browser
_runs = itertools.count(1)


@pytest.fixture(scope="module")
def people(site: Site) -> DemandsWorld:
    """The sponsor, the respondents and the reviewers of the demands workflow."""
    with site.app.app_context():
        world = build_demands_world(db.session())
        db.session.remove()
    return world


def _demand_for_firm(site: Site, world: DemandsWorld) -> tuple[int, str, str]:
    """A fresh published demand pushed to the firm's inbox; its id, its title and the firm's name."""
    title = f"海上平台防腐涂层 {next(_runs)}"
    with site.app.app_context():
        session = db.session()
        fresh = DemandsWorld(*(session.merge(getattr(world, f.name)) for f in fields(world)))
        demand = published_demand(session, fresh, title=title)
        session.add(DemandMatch(demand_id=demand.id, respondent_id=fresh.firm.id, score=0.5))
        session.commit()
        found = (demand.id, title, fresh.firm.name)
        db.session.remove()
        return found


def _log_in(page: Page, tour: Tour, username: str) -> None:
    tour.visit("/login", "login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header nav")).to_contain_text(username)


@each_language
@each_width
def test_respondent_answers_and_sponsor_selects(
    browser: Browser,
    site: Site,
    people: DemandsWorld,
    screenshots: Path,
    request: pytest.FixtureRequest,
    language: str,
    width: str,
) -> None:
    """The firm finds the demand in its inbox, answers with a bad price and fixes it; the sponsor compares the
    responses side by side and selects the firm's with a reason."""
    demand_id, title, firm_name = _demand_for_firm(site, people)
    prefix = screenshot_prefix(request)
    context = context_for(browser, site, language, width)
    page = context.new_page()
    tour = Tour(page, language, screenshots, prefix)
    try:
        _log_in(page, tour, "firmcto")
        tour.visit("/demands/inbox", "inbox")
        card = page.locator("article.demand-match", has_text=title)
        card.locator("a.button").click()
        page.fill("#f-approach", "等离子喷涂陶瓷层，外加石墨烯改性底漆")
        page.fill("#f-team", "五名工程师")
        page.fill("#f-schedule", "九个月")
        page.fill("#f-price", "一百万")
        page.locator("button[value=submit]").click()
        expect(page.locator("#error-price")).to_be_visible()
        expect(page.locator("#f-price")).to_have_value("一百万")
        expect(page.locator("#f-approach")).to_have_value("等离子喷涂陶瓷层，外加石墨烯改性底漆")
        tour.check("bad-price")
        page.fill("#f-price", "900000")
        page.locator("button[value=submit]").click()
        expect(page.locator("main h1")).to_contain_text(firm_name)
        tour.check("response")
        context.clear_cookies()

        _log_in(page, tour, "sponsor1")
        tour.visit(f"/demands/{demand_id}/compare", "compare")
        expect(page.locator(".table-scroll table.compare")).to_contain_text("900,000")
        page.locator("input[type=checkbox][name^=select_]").first.check()
        page.locator("textarea[name^=reason_]").first.fill("报价最低，团队经验最丰富")
        page.locator("#select-form button[type=submit]").click()
        expect(page.locator("#deal-form")).to_be_visible()
        tour.check("deals")
        tour.visit(f"/demands/statistics?by=field&lang={language}", "statistics")
        expect(page.locator("svg.chart").first).to_be_visible()
    finally:
        context.close()
