"""Each role of the on-site final in Chromium: the finalist's captain, the judge, the organizer and the public.

The finalist's captain confirms names and institution, uploads the report, has a wrong file refused without
losing what was typed, and chooses the submission to reproduce, on a 390 px phone and a desktop, in Chinese
and English. The judge reads a blind packet with its score history; the organizer reads the preview with
Kendall's W; everyone reads the revealed result and the projector page. The pictures in docs/finals.md are
taken here (`doc_shot`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from arena import finals
from arena.accounts import users as accounts
from arena.enums import ChallengeRoleKind
from arena.models import Challenge
from arena.teams import create_team
from tests.arena.finals_world import build, person
from tests.browser.conftest import REPO, SCREENSHOTS, Site, chromium_path, screenshot_prefix
from tests.browser.tour import Tour, check_accessible
from tests.factories import PASSWORD
from web import state
from web.extensions import db

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
each_size = pytest.mark.parametrize("width", list(SIZES))
each_language = pytest.mark.parametrize("language", ["zh-CN", "en"])
# The two views the documentation shows of a role: a phone in Chinese and a desktop in English.
doc_views = pytest.mark.parametrize(("language", "width"), [("zh-CN", "phone"), ("en", "desktop")])
DOCS = REPO / "docs" / "img" / "finals"

PDF = b"%PDF-1.4\n% the technical report\n"
NAMES = {"zh-CN": ("张雪\n李岩", "天津大学"), "en": ("Ada Lovelace\nAlan Turing", "Tianjin University")}
# One judge ranks the finalists as the board does; the other swaps the last two: Kendall's W below 1.
MARKS = {"judgeA": (9, 7, 5, 3), "judgeB": (8, 7, 4, 5)}
REVEALED_TEAMS = [
    ("北京大学计算机视觉与模式识别联合实验室", "北京大学"),
    ("Snow Lions", "Tianjin University"),
    ("南开视觉", "南开大学"),
]


def doc_shot(target: Page | Locator, name: str, *, full_page: bool = False) -> None:
    """Save a picture for docs/finals.md: into docs/img/finals with ARENA_DOC_SCREENSHOTS=1, else beside the others."""
    folder = DOCS if os.environ.get("ARENA_DOC_SCREENSHOTS") == "1" else SCREENSHOTS / "docs-finals"
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(target, Locator):
        target.screenshot(path=str(folder / f"{name}.png"))
    else:
        target.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def context_at(browser: Browser, site: Site, language: str, width: str) -> BrowserContext:
    """A fresh browser context at one of this module's sizes (a 390 px phone or a desktop), in ``language``."""
    w, h = SIZES[width]
    context = browser.new_context(
        base_url=site.url,
        viewport={"width": w, "height": h},
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )
    context.set_default_timeout(10_000)
    return context


def log_in(page: Page, tour: Tour, language: str, name: str, password: str = PASSWORD) -> None:
    """Log in through the form."""
    tour.visit(f"/login?lang={language}", "login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header nav")).to_contain_text(name)


@dataclass(frozen=True)
class Scoring:
    """A blind final in scoring: its challenge, finalists (by their team's order on the board), captains, judges."""

    slug: str
    final_id: int
    finalists: list[int]
    captains: list[str]
    submissions: list[int]


@pytest.fixture(scope="module")
def scoring(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scoring]:
    """Four finalists named from a closed phase, blind, two judges who marked every finalist."""
    chromium_path()
    with site.app.app_context():
        session = db.session()
        world = build(session, state.settings(), state.store(), tmp_path_factory.mktemp("final"))
        named = finals.name_finalists(session, world.organizer, world.final.id, world.phase.id, top_n=4)
        finals.update_final(session, world.organizer, world.final.id, blind=True)
        judges = {name: person(session, name, email=f"{name}@jury.example") for name in MARKS}
        for name in MARKS:
            finals.invite_judge(session, world.organizer, world.final.id, name)
        finals.open_scoring(session, world.organizer, world.final.id)
        for name, points in MARKS.items():
            for finalist, value in zip(named, points, strict=True):
                for criterion in finals.rubric(session, world.final.id):
                    finals.save_mark(session, judges[name], finalist.id, criterion.id, value)
        session.commit()
        by_team = {f.team_id: f.id for f in named}
        value = Scoring(
            world.challenge.slug,
            world.final.id,
            [by_team[t.id] for t in world.teams],
            [c.username for c in world.captains],
            [s.id for s in world.submissions],
        )
        db.session.remove()
    yield value


@each_language
@each_size
def test_finalist(
    browser: Browser,
    site: Site,
    scoring: Scoring,
    request: pytest.FixtureRequest,
    language: str,
    width: str,
) -> None:
    """The captain confirms names, uploads the report, sees a wrong file refused with nothing lost, chooses."""
    index = [(lang, size) for lang in ("zh-CN", "en") for size in SIZES].index((language, width))
    names, institution = NAMES[language]
    context = context_at(browser, site, language, width)
    page = context.new_page()
    tour = Tour(page, language, SCREENSHOTS, screenshot_prefix(request))
    try:
        log_in(page, tour, language, scoring.captains[index])
        tour.visit(f"/c/{scoring.slug}/final/me", "me")
        check_accessible(page, "finalist page")
        expect(page.locator("#checklist ul.missing li")).to_have_count(4)

        identity = page.locator("form[action$='/final/me/identity']")
        identity.locator("textarea[name=real_names]").fill(names)
        identity.locator("input[name=institution]").fill(institution)
        identity.locator("button[type=submit]").click()
        tour.check("confirmed")
        expect(page.locator("#checklist ul.missing li")).to_have_count(3)

        upload = page.locator("form[action$='/final/me/report']")
        upload.locator("input[name=report]").set_input_files(
            files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        upload.locator("button[type=submit]").click()
        tour.check("report")
        digest = hashlib.sha256(PDF).hexdigest()
        expect(page.locator("#report code.hash")).to_contain_text(digest[:16])

        # A Word file: refused with the reason, the uploaded PDF and every typed name and institution kept.
        page.locator("form[action$='/final/me/report'] input[name=report]").set_input_files(
            files=[{"name": "report.docx", "mimeType": "application/msword", "buffer": b"PK\x03\x04 not a pdf"}]
        )
        page.locator("form[action$='/final/me/report'] button[type=submit]").click()
        tour.check("wrong-type")
        refusal = page.locator("p.flash.error[data-field=report]")
        expect(refusal).to_have_attribute("role", "alert")
        expect(refusal).to_contain_text("PDF")
        expect(page.locator("textarea[name=real_names]")).to_have_value(names)
        expect(page.locator("input[name=institution]")).to_have_value(institution)
        expect(page.locator("#report code.hash")).to_contain_text(digest[:16])
        if (language, width) == ("zh-CN", "phone"):
            doc_shot(page, "finalist-wrong-type-phone-zh", full_page=True)

        choose = page.locator("form[action$='/final/me/submission']")
        choose.locator("select[name=submission_id]").select_option(str(scoring.submissions[index]))
        choose.locator("button[type=submit]").click()
        tour.check("chosen")
        expect(page.locator("#submission")).to_contain_text(str(scoring.submissions[index]))
        # What is left is the organizer's: the reproduction of the chosen submission.
        expect(page.locator("#checklist ul.missing li")).to_have_count(1)
        if (language, width) == ("en", "desktop"):
            doc_shot(page, "finalist-desktop-en", full_page=True)
    finally:
        context.close()


@doc_views
def test_judge_reads_the_score_history(
    browser: Browser, site: Site, scoring: Scoring, request: pytest.FixtureRequest, language: str, width: str
) -> None:
    """A judge's blind packet draws the finalist's score history under its code, next to the marks."""
    context = context_at(browser, site, language, width)
    page = context.new_page()
    tour = Tour(page, language, SCREENSHOTS, screenshot_prefix(request))
    try:
        log_in(page, tour, language, "judgeA")
        tour.visit(f"/judge/finals/{scoring.final_id}/finalists/{scoring.finalists[1]}", "packet")
        check_accessible(page, "judge's packet")
        history = page.locator("figure.score-history")
        expect(history).to_have_count(2)
        expect(history.first.locator("circle.point")).to_have_count(1)
        expect(history.first.locator("text.legend")).to_have_text("F2")
        expect(page.locator("main")).not_to_contain_text("team1")
        box = history.first.locator("svg").bounding_box()
        assert box is not None and box["width"] <= SIZES[width][0]
        legend = history.first.locator("text.legend").bounding_box()
        assert legend is not None and legend["height"] >= 11, "the chart's text stays readable when it shrinks"
        expect(page.locator("fieldset.criterion input[type=number]").first).to_have_value("7")
        if width == "phone":
            doc_shot(page.locator("section.card").nth(1), "judge-form-phone-zh")
            doc_shot(history.first, "judge-history-phone-zh")
        else:
            doc_shot(page.locator("div.columns"), "judge-packet-desktop-en")
    finally:
        context.close()


@doc_views
def test_organizer_reads_the_preview(
    browser: Browser, site: Site, scoring: Scoring, request: pytest.FixtureRequest, language: str, width: str
) -> None:
    """The organizer's page previews the ranking with Kendall's W and each judge's deviation."""
    context = context_at(browser, site, language, width)
    page = context.new_page()
    tour = Tour(page, language, SCREENSHOTS, screenshot_prefix(request))
    try:
        log_in(page, tour, language, "org")
        tour.visit(f"/c/{scoring.slug}/final/manage", "manage")
        preview = page.locator("#preview")
        w = float(preview.locator("p strong").first.inner_text())
        assert 0 < w < 1, "two judges who disagree on two places agree less than perfectly"
        expect(preview.locator("table").nth(1).locator("tbody tr")).to_have_count(2)
        if width == "desktop":
            doc_shot(preview, "organizer-preview-desktop-en")
    finally:
        context.close()


@pytest.fixture(scope="module")
def revealed(site: Site) -> Site:
    """A revealed final on the site's challenge: three finalists named by hand and scored by two judges."""
    with site.app.app_context():
        session = db.session()
        challenge = session.query(Challenge).filter_by(slug=site.slug).one()
        organizer = accounts.create_user(session, "revorg", PASSWORD)
        accounts.grant_role(session, challenge.id, organizer, ChallengeRoleKind.ORGANIZER)
        judges = [accounts.create_user(session, f"revjudge{i}", PASSWORD) for i in range(2)]
        final = finals.create_final(
            session, organizer, challenge, {"en": "On-site final", "zh": "现场决赛"}, source_phase_ids=[site.phase_id]
        )
        finals.update_final(session, organizer, final.id, formula={"weights": {"judges": 1.0}})
        finals.set_rubric(session, organizer, final.id, finals.rubric_template())
        finals.announce_final(session, organizer, final.id)
        named = []
        for i, (name, institution) in enumerate(REVEALED_TEAMS):
            captain = accounts.create_user(session, f"revcap{i}", PASSWORD)
            team = create_team(session, captain, challenge, name, institution=institution)
            named.append(finals.add_finalist(session, organizer, final.id, team.id, "invited"))
        for judge in judges:
            finals.invite_judge(session, organizer, final.id, judge.username)
        finals.open_scoring(session, organizer, final.id)
        for judge, points in zip(judges, ((9, 7, 4), (8, 6, 5)), strict=True):
            for finalist, value in zip(named, points, strict=True):
                for criterion in finals.rubric(session, final.id):
                    finals.save_mark(session, judge, finalist.id, criterion.id, value)
        finals.lock_final(session, organizer, final.id)
        finals.reveal_final(session, organizer, final.id)
        session.commit()
        db.session.remove()
    return site


@doc_views
def test_everyone_reads_the_result_and_the_projector(
    browser: Browser, revealed: Site, request: pytest.FixtureRequest, language: str, width: str
) -> None:
    """After the reveal anyone reads the ranking; the projector page shows it place by place, last first."""
    context = context_at(browser, revealed, language, width)
    page = context.new_page()
    tour = Tour(page, language, SCREENSHOTS, screenshot_prefix(request))
    try:
        tour.visit(f"/c/{revealed.slug}/final?lang={language}", "final")
        check_accessible(page, "final page")
        rows = page.locator("#result table tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.first).to_contain_text(REVEALED_TEAMS[0][0])
        expect(page.locator("main")).not_to_contain_text("revjudge")
        if width == "desktop":
            doc_shot(page.locator("#result"), "result-desktop-en")
        tour.visit(f"/c/{revealed.slug}/final/present", "present")
        for _ in REVEALED_TEAMS:
            page.keyboard.press("ArrowRight")
        expect(page.locator("#present-done")).to_be_visible()
        tour.check("present-shown")
        if width == "desktop":
            doc_shot(page, "present-desktop-en")
    finally:
        context.close()
