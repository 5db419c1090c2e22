"""A demand's way from a sponsor's draft to the public list, in Chromium, on a 360 px phone and a desktop."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from arena.db import utcnow
from arena.models import Organization, User
from tests.arena.demands_world import DemandsWorld, build_demands_world, published_demand
from tests.browser.conftest import Site, screenshot_prefix
from tests.browser.tour import Tour
from tests.factories import PASSWORD
from web.extensions import db

pytestmark = pytest.mark.browser

SIZES = {"phone": (360, 780), "desktop": (1280, 800)}
SECRET = "Membrane fouling data of the Bohai desalination plant"
TERMS = "Keep the plant's data confidential; use it only to prepare a response."
WORLD = [
    ("user", "siteadmin"),
    ("user", "sponsor1"),
    ("org", "Bohai Steel Ltd."),
    ("user", "broker1"),
    ("user", "reviewer1"),
    ("user", "labhead"),
    ("org", "Marine Materials Lab, Tianjin University"),
    ("user", "firmcto"),
    ("org", "Haihe Coatings"),
    ("user", "outsider"),
]


@pytest.fixture(scope="module")
def people(site: Site) -> Site:
    """The sponsor, reviewer and others of the demands world, on the running site."""
    with site.app.app_context():
        build_demands_world(db.session())
        db.session.remove()
    return site


@pytest.fixture
def secret(people: Site) -> int:
    """A new published confidential demand (for each test: nobody has accepted its terms yet)."""
    with people.app.app_context():
        session = db.session()
        world = DemandsWorld(
            *(
                session.scalars(select(User).where(User.username == name)).one()
                if kind == "user"
                else session.scalars(select(Organization).where(Organization.name == name)).one()
                for kind, name in WORLD
            )
        )
        demand = published_demand(
            session, world, title="Confidential membrane", problem=SECRET, confidential="on", terms=TERMS
        )
        demand_id = demand.id
        db.session.remove()
        return demand_id


def _context(browser: Browser, site: Site, language: str, size: str) -> BrowserContext:
    width, height = SIZES[size]
    context = browser.new_context(
        base_url=site.url,
        viewport={"width": width, "height": height},
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )
    context.set_default_timeout(10_000)
    return context


def _login(tour: Tour, page: Page, username: str, language: str) -> None:
    tour.visit(f"/login?lang={language}", f"login-{username}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header nav")).to_contain_text(username)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_sponsor_files_a_demand_and_a_reviewer_publishes_it(
    browser: Browser,
    people: Site,
    screenshots: Path,
    request: pytest.FixtureRequest,
    language: str,
    size: str,
) -> None:
    """A bad budget is shown on its field with the texts kept; fixed and submitted, approved, published, listed."""
    title = f"Salt-fog corrosion sensor ({language}, {size})"
    deadline = (utcnow() + timedelta(days=45)).date().isoformat()
    prefix = screenshot_prefix(request)
    sponsor = _context(browser, people, language, size)
    try:
        page = sponsor.new_page()
        tour = Tour(page, language, screenshots, f"{prefix}-sponsor")
        _login(tour, page, "sponsor1", language)
        tour.visit("/demands", "list")
        page.locator("main a[href='/demands/new']").first.click()
        form = page.locator("#demand-form")
        form.locator("#title").fill(title)
        form.locator("#field").select_option("new_materials")
        form.locator("#region").fill("Tianjin Binhai")
        form.locator("#summary").fill("An in-line sensor that warns before the coating of a platform fails.")
        form.locator("#problem").fill("Corrosion is found only at yearly inspections, too late.")
        form.locator("#current_state").fill("Manual inspection by divers once a year.")
        form.locator("#indicators").fill("Detects pitting of 0.1 mm; runs five years on one battery.")
        form.locator("#budget_min").fill("half a million")
        form.locator("#budget_max").fill("2000000")
        form.locator("#deadline").fill(deadline)
        tour.check("form-filled")
        form.locator("#submit-demand").click()
        expect(page.locator("#error-budget_min")).to_be_visible()
        expect(page.locator("#title")).to_have_value(title)
        expect(page.locator("#budget_min")).to_have_value("half a million")
        expect(page.locator("#problem")).to_have_value("Corrosion is found only at yearly inspections, too late.")
        tour.check("bad-budget")
        page.locator("#budget_min").fill("500000")
        page.locator("#submit-demand").click()
        expect(page.locator("main h1")).to_have_text(title)
        expect(page.locator("main .demand-status").first).to_have_attribute("data-status", "submitted")
        tour.check("submitted")
        tour.visit("/demands/mine", "mine")
        tour.visit("/demands/organizations/new", "organization-form")
    finally:
        sponsor.close()

    reviewer = _context(browser, people, language, size)
    try:
        page = reviewer.new_page()
        tour = Tour(page, language, screenshots, f"{prefix}-reviewer")
        _login(tour, page, "reviewer1", language)
        tour.visit("/demands/review", "queue")
        page.locator(".queue-item h2 a", has_text=title).click()
        page.locator("#start-review").click()
        expect(page.locator("#approve-form")).to_be_visible()
        tour.check("checklist")
        for box in page.locator("#approve-form input[type=checkbox]").all():
            box.check()
        page.locator("#approve").click()
        expect(page.locator("#publish")).to_be_visible()
        tour.check("approved")
        page.locator("#publish").click()
        expect(page.locator(".flash.success")).to_be_visible()
        tour.check("published")
        tour.visit("/demands/review", "queue-after")
    finally:
        reviewer.close()

    visitor = _context(browser, people, language, size)
    try:
        page = visitor.new_page()
        tour = Tour(page, language, screenshots, f"{prefix}-visitor")
        tour.visit(f"/demands?lang={language}", "public-list")
        card = page.locator(".demand-card", has_text=title)
        expect(card).to_be_visible()
        expect(card.locator(".demand-status")).to_have_attribute("data-status", "published")
        card.locator("h2 a").click()
        expect(page.locator("#details")).to_contain_text("yearly inspections")
        tour.check("public-demand")
    finally:
        visitor.close()


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_confidential_details_after_terms_and_role_grants(
    browser: Browser,
    people: Site,
    secret: int,
    screenshots: Path,
    request: pytest.FixtureRequest,
    language: str,
    size: str,
) -> None:
    """A respondent sees only the summary and terms until it accepts them; the site admin's role page fits."""
    prefix = screenshot_prefix(request)
    respondent = _context(browser, people, language, size)
    try:
        page = respondent.new_page()
        tour = Tour(page, language, screenshots, f"{prefix}-respondent")
        _login(tour, page, "labhead", language)
        tour.visit(f"/demands/{secret}", "terms")
        expect(page.locator("#terms")).to_contain_text(TERMS)
        expect(page.locator("main")).not_to_contain_text(SECRET)
        page.locator("#accept-terms").click()
        expect(page.locator("#details")).to_contain_text(SECRET)
        tour.check("details")
    finally:
        respondent.close()
    admin = _context(browser, people, language, size)
    try:
        page = admin.new_page()
        tour = Tour(page, language, screenshots, f"{prefix}-admin")
        _login(tour, page, "siteadmin", language)
        tour.visit("/demands/roles", "roles")
        page.fill("#username", "nobody-here")
        page.locator("#roles-form button[type=submit]").click()
        expect(page.locator("#error-username")).to_be_visible()
        expect(page.locator("#username")).to_have_value("nobody-here")
        tour.check("unknown-user")
    finally:
        admin.close()
