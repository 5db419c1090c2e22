"""A creator makes a challenge in Chromium from the form, in Chinese and English, on a phone and a desktop."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from arena import publishing
from arena.accounts import users as accounts
from arena.models import Challenge, User
from tests.browser.conftest import Site, context_for, each_language, each_width, screenshot_prefix
from tests.browser.tour import Tour, check_accessible
from tests.factories import zip_bytes
from web.extensions import db

pytestmark = pytest.mark.browser

PASSWORD = "amber lantern over river"
CREATOR = "maker"
KEY = "id,label\n" + "".join(f"r{i},{'a' if i % 3 else 'b'}\n" for i in range(30))
SAMPLE = "id,label\n" + "".join(f"r{i},a\n" for i in range(30))
BASELINE = "id,label\n" + "".join(f"r{i},{'a' if i % 3 else 'b'}\n" for i in range(30))


@pytest.fixture(scope="module")
def creator(site: Site) -> Site:
    """A user whom the site admin made a creator."""
    with site.app.app_context():
        session = db.session()
        admin = accounts.create_user(session, "siteadmin", PASSWORD, is_admin=True)
        accounts.create_user(session, CREATOR, PASSWORD)
        publishing.grant_creator(session, admin, CREATOR)
        session.commit()
        db.session.remove()
    return site


def _files(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, text in (("labels", KEY), ("sample", SAMPLE), ("baseline", BASELINE)):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths


@each_language
@each_width
def test_creator_makes_a_challenge_from_the_form_and_publishes_it(  # noqa: PLR0913
    browser: Browser,
    creator: Site,
    screenshots: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    language: str,
    width: str,
) -> None:
    """Log in, open the form from the catalog, see a bad slug named live, fix it, create, dry-run and publish."""
    site = creator
    slug = f"cats-{language.lower()}-{width}"
    files = _files(tmp_path)
    context = context_for(browser, site, language, width)
    page = context.new_page()
    tour = Tour(page, language, screenshots, screenshot_prefix(request))
    try:
        tour.visit(f"/login?lang={language}", "login")
        page.fill("input[name=username]", CREATOR)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("header nav")).to_contain_text(CREATOR)

        tour.visit("/", "catalog")
        page.locator("#create-challenge").click()
        tour.check("form")
        check_accessible(page, "the creation form")
        page.fill("#slug", "Cats Here")
        expect(page.locator("#problem-slug")).to_contain_text("must be 2–64 lower-case letters")
        expect(page.locator("#create-problems")).to_be_visible()
        tour.check("live-problem")
        page.fill("#slug", slug)
        expect(page.locator("#problem-slug")).to_have_text("")
        for name, value in {
            "title_en": f"Cats and dogs {language} {width}",
            "title_zh": f"猫与狗 {language} {width}",
            "track_slug": "main",
            "track_title_en": "Main track",
            "track_title_zh": "主赛道",
            "id_column": "id",
            "target_columns": "label",
            "phase_slug": "open",
            "phase_title_en": "Open round",
            "phase_title_zh": "公开赛",
            "opens": "2026-01-01T08:00",
            "closes": "2030-01-01T08:00",
            "daily_quota": "5",
            "public_fraction": "0.3",
        }.items():
            page.fill(f"#{name}", value)
        page.select_option("#scorer", "accuracy")
        for name, path in files.items():
            page.set_input_files(f"#{name}", str(path))
        expect(page.locator("#create-problems")).to_be_hidden()
        page.locator("#create-form button[type=submit]").click()
        expect(page.locator(".flash.success")).to_contain_text(slug)
        assert page.url.endswith(f"/c/{slug}/manage")
        tour.check("console")

        page.locator(".console-links a[href$='/manage/dry-run']").click()
        page.locator("#start-dry-run").click()
        baseline = page.locator("tr.dry-run-entry[data-reference=baseline]")
        expect(baseline).to_have_attribute("data-status", "scored")
        expect(baseline).to_contain_text("1.0")
        page.locator("#publish").click()
        expect(page.locator(".flash.success")).to_be_visible()
        tour.check("published")
        tour.visit("/", "catalog-after")
        title = f"猫与狗 {language} {width}" if language == "zh-CN" else f"Cats and dogs {language} {width}"
        expect(page.locator("main")).to_contain_text(title)
    finally:
        context.close()
    with site.app.app_context():
        challenge = db.session.query(Challenge).filter_by(slug=slug).one()
        user = db.session.query(User).filter_by(username=CREATOR).one()
        assert challenge.is_published and challenge.tracks[0].phases[0].labels_rows == 30
        assert any(role.challenge_id == challenge.id for role in user.roles)
        db.session.remove()


def test_creator_makes_a_code_track_from_the_form(
    browser: Browser, creator: Site, screenshots: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """On a desktop: choose a code track, see only its fields, a bad limit named live, create it and queue its dry
    run (the sandbox part runs on a worker; tests/integration/test_code_track_from_form.py runs it)."""
    site = creator
    slug = "code-cats"
    files = _files(tmp_path)
    program = "import os\nopen(os.path.join(os.environ['ARENA_OUTPUT'], 'predictions.csv'), 'w').write('id,label\\n')\n"
    for name, content in (("inputs", {"ids.txt": "r0 r1"}), ("baseline_program", {"main.py": program})):
        files[name] = tmp_path / f"{name}.zip"
        files[name].write_bytes(zip_bytes(content))
    del files["baseline"]
    context = context_for(browser, site, "en", "desktop")
    page = context.new_page()
    tour = Tour(page, "en", screenshots, screenshot_prefix(request))
    try:
        tour.visit("/login?lang=en", "login")
        page.fill("input[name=username]", CREATOR)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("header nav")).to_contain_text(CREATOR)

        tour.visit("/challenges/new", "form")
        expect(page.locator("#runner-fields")).to_be_hidden()
        expect(page.locator("#code-files")).to_be_hidden()
        expect(page.locator("#result-files")).to_be_visible()
        page.select_option("#kind", "code")
        expect(page.locator("#runner-fields")).to_be_visible()
        expect(page.locator("#code-files")).to_be_visible()
        expect(page.locator("#result-files")).to_be_hidden()
        expect(page.locator("#wall_seconds")).to_have_value("600")
        page.fill("#memory_mb", "4")
        expect(page.locator("#problem-memory_mb")).to_contain_text("must be at least 8")
        page.select_option("#resource_class", "large-memory")
        tour.check("code-live-problem")
        check_accessible(page, "the creation form with a code track")
        page.fill("#memory_mb", "512")
        expect(page.locator("#problem-memory_mb")).to_have_text("")
        for name, value in {
            "slug": slug,
            "title_en": "Code cats",
            "title_zh": "代码猫",
            "track_slug": "main",
            "track_title_en": "Main track",
            "track_title_zh": "主赛道",
            "phase_slug": "open",
            "phase_title_en": "Open round",
            "phase_title_zh": "公开赛",
            "opens": "2026-01-01T08:00",
            "closes": "2030-01-01T08:00",
        }.items():
            page.fill(f"#{name}", value)
        page.select_option("#scorer", "accuracy")
        for name, path in files.items():
            page.set_input_files(f"#{name}", str(path))
        expect(page.locator("#create-problems")).to_be_hidden()
        # Files larger than a form may send are caught before sending, so nothing typed is lost.
        page.evaluate("document.getElementById('create-form').setAttribute('data-max-bytes', '10')")
        page.locator("#create-form button[type=submit]").click()
        expect(page.locator("#files-too-large")).to_contain_text("more than the 0.0 MB a form may send")
        assert page.url.endswith("/challenges/new")
        expect(page.locator("#title_zh")).to_have_value("代码猫")
        page.evaluate("document.getElementById('create-form').setAttribute('data-max-bytes', '52428800')")
        page.locator("#create-form button[type=submit]").click()
        expect(page.locator(".flash.success")).to_contain_text(slug)
        assert page.url.endswith(f"/c/{slug}/manage")
        tour.check("code-console")

        page.locator(".console-links a[href$='/manage/dry-run']").click()
        page.locator("#start-dry-run").click()
        baseline = page.locator("tr.dry-run-entry[data-reference=baseline]")
        expect(baseline).to_have_attribute("data-status", "queued")
        tour.check("code-dry-run-queued")
    finally:
        context.close()
    with site.app.app_context():
        challenge = db.session.query(Challenge).filter_by(slug=slug).one()
        track = challenge.tracks[0]
        assert track.kind == "code" and not challenge.is_published
        assert track.runner["resource_class"] == "large-memory" and track.runner["limits"]["memory_mb"] == 512
        assert track.phases[0].inputs_sha256 and track.phases[0].baseline_sha256
        db.session.remove()
